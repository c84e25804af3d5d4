import type { SearchCursor } from '../hubspot';
import type { RunMode } from '../sync/run-input';
import type { RunPlan } from '../sync/types';
import { readJson, writeJson } from './json';
import { stateKey } from './layout';
import type { StorageTarget } from './target';

/** One uploaded part, as the checkpoint remembers it until the manifest publishes it. */
export interface PartRecord {
  key: string;
  rows: number;
  bytes: number;
  unparsed: number;
}

export type SyncPhase = 'live' | 'archived' | 'changes' | 'done';

/** Progress of one object within one run: everything a resumed step needs to continue exactly after it. */
export interface Checkpoint {
  runId: string;
  mode: RunMode;
  phase: SyncPhase;
  /** List cursor (`after`) of the next page to read in the current phase. */
  cursor?: string;
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
}

/** `_state/<object>.json`: the incremental watermark and the checkpoint of the run in progress. */
export interface ObjectState {
  object: string;
  /** Upper bound of the last published export (ISO); incremental runs start here minus the lookback. */
  watermark: string | null;
  lastRunId?: string;
  lastPublishedAt?: string;
  checkpoint?: Checkpoint;
}

export const objectStateKey = (object: string): string => stateKey(object);
export const runPlanKey = (runId: string): string => stateKey(`runs/${runId}/plan`);
export const lockKey = (object: string): string => stateKey(`locks/${object}`);

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

export async function readRunPlan(target: StorageTarget, runId: string): Promise<RunPlan> {
  const plan = await readJson<RunPlan>(target, runPlanKey(runId));
  if (!plan) throw new Error(`run ${runId} has no plan at ${target.url(runPlanKey(runId))}; start a new run`);
  return plan;
}
