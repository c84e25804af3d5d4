import type { SearchCursor } from '../hubspot';
import type { PropertyDefinition } from '../hubspot/types';
import { readJson, writeJson } from '../store/json';
import { LAYOUT, stateKey } from '../store/layout';
import type { StorageTarget } from '../store/target';
import { CorruptStoredFileError } from '../store/errors';
import type { RangeCursor } from './id-ranges';
import type { RunMode } from './run-input';
import type { ArchivedState, PropertyHandling, RunPlan } from './types';

/** One uploaded part, as the checkpoint remembers it until the manifest publishes it. */
export interface PartRecord {
  key: string;
  rows: number;
  bytes: number;
  unparsed: number;
}

/** `build`: a compact item lays its change sets over the base snapshot (build-snapshot.ts), after paging its own. */
export type SyncPhase = 'live' | 'archived' | 'changes' | 'build' | 'done';

/** Where a compact item's build stands (build-snapshot.ts). */
export interface BuildProgress {
  /** Key of the stored winners table (each id's newest row: which source part holds it), once chosen. */
  winners?: string;
  /** Source parts written into the snapshot so far. */
  sources: number;
  /** Association pairs read so far, and the last id of the pair being read. */
  pairs: number;
  after?: string;
  /** What the build found against the base (the manifest's `built`). */
  nullUntilChanged?: string[];
  removed?: string[];
  retyped?: string[];
  mergedAway?: number;
  goneFromHubSpot?: number;
}

/** The step invocation that holds a checkpoint: each claims it when it starts (checkpoint.ts). */
export interface CheckpointClaim {
  /** Random, one per invocation: a write by any other invocation finds it replaced and stops. */
  token: string;
  claimedAt: string;
}

/** Progress of one object within one run: everything a resumed step needs to continue exactly after it. */
export interface Checkpoint {
  runId: string;
  mode: RunMode;
  phase: SyncPhase;
  /** List cursor (`after`) of the next page to read in the current phase (checkpoints before id ranges). */
  cursor?: string;
  /** Where each id range of the current phase stands (full runs). */
  ranges?: RangeCursor[];
  searchCursor?: SearchCursor;
  parts: PartRecord[];
  /** Association parts by `to` object name. */
  associationParts: Record<string, PartRecord[]>;
  /** What the item could not read (association pairs, pipelines of one object), with the reason. */
  notes: Record<string, string>;
  rows: number;
  unparsed: number;
  pages: number;
  requests: number;
  retries: number;
  startedAt: string;
  updatedAt: string;
  /** The longest one part's write took so far (ms): each step stops fetching in time for one more. */
  slowestWriteMs?: number;
  /** Compact runs: the built snapshot's parts (`parts` holds the run's own change set), its merges and progress. */
  builtParts?: PartRecord[];
  mergeParts?: PartRecord[];
  build?: BuildProgress;
  /** The invocation writing this checkpoint; absent in checkpoints written before claims existed. */
  claim?: CheckpointClaim;
  /**
   * Part numbers from here up are unused: below it, an invocation of this item may have uploaded (or be uploading)
   * under any number. Each invocation numbers on from here, reserving numbers before it uploads (parts.ts).
   */
  nextPart?: number;
}

/** `_state/<object>.json`: the incremental watermark and the checkpoint of the run in progress. */
export interface ObjectState {
  object: string;
  /** Upper bound of the last published export (ISO); incremental runs start here minus the lookback. */
  watermark: string | null;
  lastRunId?: string;
  lastPublishedAt?: string;
  /** What the last run counted of live records, and until when archivals are published (archived-sweep.ts). */
  archived?: ArchivedState;
  checkpoint?: Checkpoint;
}

/**
 * `_state/definitions/<object>.json`: an object's property definitions as the last run that exported it read them.
 * The property metadata table is built from all of them, so a run of some objects keeps the others' rows.
 */
export interface StoredDefinitions {
  object: string;
  /** The run that last read them, and when it started. */
  runId: string;
  readAt: string;
  /** The run that last saw them differ from what was stored before. */
  changedBy: string;
  /** The definitions exported (those requested from HubSpot). */
  properties: PropertyDefinition[];
  /** What the sensitive-property settings left out or hashed in that run; absent when they touched nothing. */
  handling?: PropertyHandling;
}

export const objectStateKey = (object: string): string => stateKey(object);
export const DEFINITIONS_PREFIX = `${LAYOUT.state}/definitions/`;
export const definitionsKey = (object: string): string => stateKey(`definitions/${object}`);
export const runPlanKey = (runId: string): string => stateKey(`runs/${runId}/plan`);
/** `_state/runs/<run>/slices/<object>-<index>.json`: the checkpoint of one slice of an object split across items. */
export const sliceStateKey = (runId: string, object: string, index: number): string =>
  stateKey(`runs/${runId}/slices/${object}-${index}`);

/** Reads `_state/<object>.json`, or a fresh state with no watermark. */
export async function readObjectState(target: StorageTarget, object: string): Promise<ObjectState> {
  return (await readJson<ObjectState>(target, objectStateKey(object))) ?? { object, watermark: null };
}

export function writeObjectState(target: StorageTarget, state: ObjectState): Promise<void> {
  return writeJson(target, objectStateKey(state.object), state);
}

/** Stores the run plan once (never overwritten: a run id names one plan). */
export function writeRunPlan(target: StorageTarget, plan: RunPlan): Promise<void> {
  return writeJson(target, runPlanKey(plan.runId), plan, { ifAbsent: true });
}

/** The stored plan of `runId`, if it has one. */
export const findRunPlan = (target: StorageTarget, runId: string): Promise<RunPlan | undefined> =>
  readJson<RunPlan>(target, runPlanKey(runId));

export async function readRunPlan(target: StorageTarget, runId: string): Promise<RunPlan> {
  const plan = await findRunPlan(target, runId);
  if (!plan) {
    throw new CorruptStoredFileError(`run ${runId} has no plan at ${target.url(runPlanKey(runId))}; start a new run`);
  }
  return plan;
}

/**
 * Stores `properties` (and what the settings did to the rest, `handling`) as `object`'s definitions; true when they
 * differ from those stored (or none were): a property newly excluded or hashed is a change like a new property.
 */
export async function storeDefinitions(
  target: StorageTarget,
  object: string,
  properties: PropertyDefinition[],
  run: { runId: string; readAt: string },
  handling?: PropertyHandling,
): Promise<boolean> {
  const stored = await readJson<StoredDefinitions>(target, definitionsKey(object));
  // A retried finalize finds its own run's copy: whether it changed anything was decided the first time.
  if (stored?.runId === run.runId) return stored.changedBy === run.runId;
  // A finalize retried after a later run stored newer definitions leaves them be.
  if (stored && Date.parse(stored.readAt) > Date.parse(run.readAt)) return false;
  const definitionsOf = (d: Pick<StoredDefinitions, 'properties' | 'handling'>) =>
    JSON.stringify([d.properties, d.handling ?? null]);
  const changed = !stored || definitionsOf(stored) !== definitionsOf({ properties, handling });
  const next: StoredDefinitions = {
    object,
    ...run,
    changedBy: changed ? run.runId : stored.changedBy,
    properties,
    ...(handling ? { handling } : {}),
  };
  await writeJson(target, definitionsKey(object), next);
  return changed;
}

/** Every object's stored definitions, by object name. */
export async function readAllDefinitions(target: StorageTarget): Promise<StoredDefinitions[]> {
  const found = await target.list(DEFINITIONS_PREFIX);
  const all = await Promise.all(found.map((o) => readJson<StoredDefinitions>(target, o.key)));
  return all.filter((d): d is StoredDefinitions => d !== undefined).sort((a, b) => a.object.localeCompare(b.object));
}
