/**
 * Plan's decisions for one leased object: its window (watermark, since, until, clock skew), the mode it runs in, and
 * the records item that carries them; failures named by the dataset they would have written.
 */
import { CorruptStoredFileError } from '../store/errors';
import { datasetName } from '../store/layout';
import { decideArchivedSweep } from './archived-sweep';
import { findBuildSources, type CurrentColumns } from './compact-sources';
import { failureOf, type CheckedObject } from './check-objects';
import type { SyncDeps } from './deps';
import { parseIsoInstant } from './iso-instant';
import { quote, type RunInput, type RunMode } from './run-input';
import { objectStateKey, readObjectState } from './state';
import type { BuildSources, ObjectFailure, WorkItem } from './types';

/** The object's stored watermark (in UTC), if any; a stored value that names no instant is a corrupt state file. */
export async function storedWatermark(deps: SyncDeps, object: string): Promise<string | undefined> {
  const { watermark } = await readObjectState(deps.target, object);
  if (watermark === null || watermark === undefined) return undefined;
  const instant = typeof watermark === 'string' ? parseIsoInstant(watermark) : undefined;
  if (instant) return instant.toISOString();
  throw new CorruptStoredFileError(
    `${deps.target.url(objectStateKey(object))} holds watermark ${quote(watermark)}, not an ISO 8601 instant; ` +
      'fix it or delete the file (the next run then exports the object in full)',
  );
}

/**
 * Failures of CRM objects in incremental and backfill runs, named by the change set they would have written
 * (`deals.changes`), as their successes are: events and metrics of one dataset keep one name. An incremental run
 * writes a change set only for an object with a watermark (else a full snapshot, named by the object); side
 * tables and names that are no object keep their own.
 */
export async function namedByDataset(
  deps: SyncDeps,
  input: RunInput,
  failures: ObjectFailure[],
  recordObjects: ReadonlySet<string>,
): Promise<ObjectFailure[]> {
  if (input.mode === 'full' || input.mode === 'compact') return failures;
  const changeSet = async (object: string): Promise<boolean> => {
    if (input.mode === 'backfill') return true;
    // A state file that cannot be read was written by an earlier export: the object had a watermark.
    return storedWatermark(deps, object).then(
      (watermark) => watermark !== undefined,
      () => true,
    );
  };
  return Promise.all(
    failures.map(async (failure) =>
      recordObjects.has(failure.object) && (await changeSet(failure.object))
        ? { ...failure, dataset: datasetName({ kind: 'changes', object: failure.object }) }
        : failure,
    ),
  );
}

/** The Date header has whole seconds, and arrives a little after HubSpot stamped it. */
const DATE_HEADER_SLACK_MS = 2_000;
const CLOCK_WARNING_MS = 60_000;
/** A skew beyond this is more likely a stale Date header (a caching proxy) than a clock: the lookback grows no further. */
const MAX_CLOCK_SKEW_MS = 60 * 60_000;

/**
 * How far HubSpot's clock is behind this machine's (ms), from its responses' Date header; 0 when it is not. Windows
 * end and watermarks are set by this machine's clock, and HubSpot stamps changes by its own: with HubSpot behind by
 * more than the lookback, changes would fall before the next window. Incremental items reach back that much further.
 */
export function hubspotClockBehind(deps: SyncDeps): number {
  const offset = deps.client.serverClockOffsetMs;
  if (offset === undefined) return 0;
  if (Math.abs(offset) > CLOCK_WARNING_MS) {
    deps.log.warn(
      `HubSpot's clock is ${Math.round(Math.abs(offset) / 1000)} s ${offset < 0 ? 'behind' : 'ahead of'} this ` +
        "machine's: check this machine's time" +
        (offset < 0 ? '; incremental windows reach back that much further, so no change is missed' : ''),
    );
  }
  return offset < -DATE_HEADER_SLACK_MS ? Math.min(-offset, MAX_CLOCK_SKEW_MS) : 0;
}

/**
 * Where an incremental or backfill window starts. A backfill: its since. An incremental run: the watermark, or an
 * earlier since; a later one would skip the changes in between for good (the watermark then moves past them), and
 * without a watermark there is none (the object takes a full snapshot first).
 */
function windowStart(input: RunInput, object: string, watermark: string | undefined, deps: SyncDeps) {
  // A compact run takes an incremental change set first: from the watermark.
  if (input.mode === 'compact') return watermark;
  if (input.mode !== 'incremental') return input.since;
  if (input.since && (!watermark || Date.parse(input.since) > Date.parse(watermark))) {
    deps.log.info(
      `${object}: since ${input.since} is not used: ` +
        (watermark
          ? `it is after the watermark (${watermark}), and changes in between would be skipped for good; this run starts at the watermark`
          : 'there is no watermark yet, so this run takes a full snapshot') +
        ' (for exactly that window, run a backfill)',
    );
    return watermark;
  }
  return input.since ?? watermark;
}

/**
 * The mode an object runs in: incremental and compact need a watermark and search, else the object takes a full
 * snapshot (which also sets its watermark). A backfill needs search: a full snapshot instead would move `_latest`
 * and the watermark, which a backfill never does.
 */
function resolveMode(
  input: RunInput,
  object: string,
  facts: { since?: string; searchable: boolean },
  deps: SyncDeps,
): RunMode | { reason: string } {
  if (input.mode === 'full') return 'full';
  if (!facts.searchable) {
    if (input.mode === 'backfill') {
      return { reason: 'HubSpot search does not serve this type, and a backfill needs it; export it with mode full' };
    }
    deps.log.info(`${object}: HubSpot search does not serve this type, so it takes a full snapshot`);
    return 'full';
  }
  if ((input.mode === 'incremental' || input.mode === 'compact') && !facts.since) {
    deps.log.info(`${object}: no watermark yet, so this ${input.mode} run takes a full snapshot`);
    return 'full';
  }
  return input.mode;
}

/** The records item of a leased object, or why it has none (its state file is corrupt, its window empty, ...). */
export async function planRecordItem(
  deps: SyncDeps,
  input: RunInput,
  { object, expected, searchable, idBounds, liveCount }: CheckedObject,
  run: {
    base: Pick<WorkItem, 'runId' | 'snapshotDate' | 'startedAt'>;
    until: string;
    clockSkewMs: number;
    /** The object's columns now: a compact build needs its sources hashed alike, and typed so its text is kept. */
    current?: CurrentColumns;
  },
): Promise<WorkItem | ObjectFailure> {
  let watermark: string | undefined;
  try {
    watermark = await storedWatermark(deps, object.object);
  } catch (error) {
    const failure = failureOf(object.object, error);
    if (!failure) throw error;
    return failure;
  }
  const since = windowStart(input, object.object, watermark, deps);
  let mode = resolveMode(input, object.object, { since, searchable }, deps);
  if (typeof mode !== 'string') return { object: object.object, reason: mode.reason };
  let built: BuildSources | undefined;
  if (mode === 'compact') {
    const found = await findBuildSources(deps, object.object, run.current ?? { columns: [] }).catch(
      (error: unknown) => {
        const failure = failureOf(object.object, error);
        if (!failure) throw error;
        return failure;
      },
    );
    if ('reason' in found) return found;
    if ('fullBecause' in found) {
      deps.log.info(`${object.object}: this compact run takes a full snapshot: ${found.fullBecause}`);
      mode = 'full';
    } else built = found;
  }
  const windowed = mode !== 'full';
  if (windowed && since && Date.parse(since) >= Date.parse(run.until)) {
    return { object: object.object, reason: `nothing to export: since (${since}) is not before until (${run.until})` };
  }
  // Pairs from this object; planRun keeps those whose target is planned too.
  const targets = deps.settings.associationPairs
    .filter(([from]) => (mode === 'full' || mode === 'compact') && from === object.object)
    .map(([, to]) => to);
  const base = { ...run.base, object: object.object, apiName: object.apiName };
  // Change sets read the archived list only when the counts say something was archived (archived-sweep.ts).
  const incremental = mode === 'incremental' || mode === 'compact';
  const archived = incremental && liveCount ? await decideArchivedSweep(deps, base) : undefined;
  return {
    ...run.base,
    kind: 'records',
    object: object.object,
    apiName: object.apiName,
    mode,
    lastModifiedProperty: object.lastModifiedProperty,
    ...(windowed ? { since, until: run.until } : {}),
    ...(incremental && run.clockSkewMs ? { clockSkewMs: run.clockSkewMs } : {}),
    ...(targets.length ? { associationTargets: targets } : {}),
    expected,
    ...(mode === 'full' && idBounds ? { idBounds } : {}),
    ...(mode !== 'backfill' && liveCount ? { liveCount } : {}),
    ...(archived ? { archived } : {}),
    ...(built ? { built } : {}),
  };
}
