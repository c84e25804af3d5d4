import {
  listProperties,
  MissingScopesError,
  missingScopeReason,
  NotFoundError,
  ValidationError,
  type HubSpotClient,
} from '../hubspot';
import type { PropertyDefinition, SearchResponse } from '../hubspot/types';
import { acquireLease, ObjectLockedError, releaseLease } from '../store/lock';
import { CorruptStoredFileError, ObjectExistsError } from '../store/errors';
import { datasetName, latestKey } from '../store/layout';
import { findRunPlan, objectStateKey, readObjectState, writeRunPlan } from '../store/state';
import type { SyncDeps } from './deps';
import { discardAbandonedItem } from './finalize';
import { resolveObjects, type ResolvedObject } from './resolve-objects';
import { pipelineObjectsFor } from './side-tables';
import { makeRunId, snapshotDateOf } from './run-id';
import { parseIsoInstant } from './iso-instant';
import { InvalidInputError, parseRunInput, quote, type RunInput, type RunMode } from './run-input';
import type { ObjectFailure, RunPlan, WorkItem } from './types';

export interface PlanOptions {
  /**
   * Fixed run id; default a new one. A planner retried under the same id (the state machine derives it from its
   * execution) takes its own leases back, and gets the stored plan when an earlier attempt got as far as storing it.
   */
  runId?: string;
  /** Aborted (Ctrl-C): the plan stops before its next object and stores nothing, its leases released. */
  signal?: AbortSignal;
}

/** The run was stopped while it was being planned: nothing was stored or exported, and no lease is held. */
export class PlanStoppedError extends Error {
  override name = 'PlanStoppedError';
  constructor() {
    super('stopped while planning: nothing was exported, and no lease is held');
  }
}

const stopIfAborted = (signal: AbortSignal | undefined): void => {
  if (signal?.aborted) throw new PlanStoppedError();
};

/** What the plan learned about one readable object. */
interface CheckedObject {
  object: ResolvedObject;
  properties: PropertyDefinition[];
  /** Live records by the search probe's total, for progress and ETA. */
  expected?: number;
  /** Whether search serves the type: incremental and backfill runs need it. */
  searchable: boolean;
}

/** Probes read access and fetches the property definitions once for the whole run. */
async function checkObject(client: HubSpotClient, object: ResolvedObject): Promise<CheckedObject> {
  const probe = await probeObject(client, object);
  const properties = await listProperties(client, object.apiName);
  return { object, properties, ...probe };
}

/** A one-record search (its `total` sizes the progress bar) or, for a type search does not serve, a one-record list. */
async function probeObject(
  client: HubSpotClient,
  object: ResolvedObject,
): Promise<{ expected?: number; searchable: boolean }> {
  try {
    const probe = await client.request<SearchResponse<unknown>>({
      method: 'POST',
      path: `/crm/v3/objects/${object.apiName}/search`,
      body: { limit: 1, properties: ['hs_object_id'] },
      budget: 'search',
    });
    return { expected: probe.total, searchable: true };
  } catch (error) {
    if (!(error instanceof ValidationError || error instanceof NotFoundError)) throw error;
    await client.request({ method: 'GET', path: `/crm/v3/objects/${object.apiName}`, query: { limit: 1 } });
    return { searchable: false };
  }
}

/** Per-object problems that leave the rest of the run alone; anything else (a rejected key) stops the plan. */
const failureOf = (object: string, error: unknown): ObjectFailure | undefined => {
  if (error instanceof NotFoundError) return { object, reason: `not available in this portal (${error.message})` };
  if (error instanceof ValidationError) return { object, reason: `HubSpot refused to list it: ${error.message}` };
  if (error instanceof CorruptStoredFileError || error instanceof ObjectLockedError)
    return { object, reason: error.message };
  const access = missingScopeReason(error);
  return access ? { object, reason: access } : undefined;
};

/**
 * The plan an earlier attempt stored under `runId`, when there is one; it must be for the same kind of run. Its
 * leases are taken back: that attempt may have released them after storing the plan (its write's answer lost).
 */
async function storedPlanOf(deps: SyncDeps, runId: string, input: RunInput): Promise<RunPlan | undefined> {
  const stored = await findRunPlan(deps.target, runId);
  if (!stored) return undefined;
  if (stored.mode !== input.mode) {
    throw new InvalidInputError(`run ${runId} is planned already, as a ${stored.mode} run, not ${input.mode}`);
  }
  deps.log.info(`run ${runId} is planned already; returning its stored plan`);
  for (const item of stored.items) {
    try {
      await acquireLease(deps.target, item.object, runId, { now: deps.now(), ttlMs: deps.settings.leaseTtlMs });
    } catch (error) {
      if (!(error instanceof ObjectLockedError)) throw error;
      // Taken by another run meanwhile: the item's steps stop on LeaseLostError and finalize reports it.
      deps.log.warn(`${item.object}: ${error.message}`);
    }
  }
  return stored;
}

/** The object's stored watermark (in UTC), if any; a stored value that names no instant is a corrupt state file. */
async function storedWatermark(deps: SyncDeps, object: string): Promise<string | undefined> {
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
async function namedByDataset(
  deps: SyncDeps,
  input: RunInput,
  failures: ObjectFailure[],
  recordObjects: ReadonlySet<string>,
): Promise<ObjectFailure[]> {
  if (input.mode === 'full') return failures;
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

/** Whether this output ever published a snapshot of `object` (its `_latest` pointer exists). */
function everPublished(deps: SyncDeps, object: string): Promise<boolean> {
  return deps.target.exists(latestKey({ kind: 'snapshot', object }));
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
function hubspotClockBehind(deps: SyncDeps): number {
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

/** Best effort: the plan's own error is what matters; a lease that stays held lapses after its TTL. */
async function releaseAfterFailedPlan(deps: SyncDeps, runId: string, leased: Set<string>): Promise<void> {
  for (const object of leased) {
    try {
      await releaseLease(deps.target, object, runId, deps.now());
    } catch (error) {
      deps.log.warn(`${object}: could not release the lease of failed plan ${runId}: ${(error as Error).message}`);
    }
  }
}

/**
 * Best effort: the dead run's files are only clutter (never published), so failing to remove them must not fail a
 * plan that already holds leases.
 */
async function discardAbandoned(deps: SyncDeps, object: string, runId: string): Promise<void> {
  deps.log.warn(`${object}: run ${runId} stopped before publishing it; removing what it uploaded`);
  try {
    await discardAbandonedItem(deps, object, runId);
  } catch (error) {
    deps.log.warn(`${object}: could not remove what run ${runId} uploaded: ${(error as Error).message}`);
  }
}

/**
 * Where an incremental or backfill window starts. A backfill: its since. An incremental run: the watermark, or an
 * earlier since; a later one would skip the changes in between for good (the watermark then moves past them), and
 * without a watermark there is none (the object takes a full snapshot first).
 */
function windowStart(input: RunInput, object: string, watermark: string | undefined, deps: SyncDeps) {
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
 * The mode an object runs in: incremental needs a watermark and search, else the object takes a full snapshot
 * (which also sets its watermark). A backfill needs search: a full snapshot instead would move `_latest` and the
 * watermark, which a backfill never does.
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
  if (input.mode === 'incremental' && !facts.since) {
    deps.log.info(`${object}: no watermark yet, so this incremental run takes a full snapshot`);
    return 'full';
  }
  return input.mode;
}

/**
 * Takes each object's lease into `leased` (the caller releases them if the plan fails), taking over a lapsed one
 * and removing what its dead run uploaded. An object another live run holds is skipped and returned: not a failure
 * of this run, which leaves it to that one (the nightly full run while the hourly incremental starts). A backfill
 * asked for that window, so there it fails.
 */
async function leaseObjects(
  deps: SyncDeps,
  run: {
    runId: string;
    input: RunInput;
    names: string[];
    leased: Set<string>;
    fail: (object: string, error: unknown) => void;
  },
): Promise<ObjectFailure[]> {
  const skipped: ObjectFailure[] = [];
  for (const name of run.names) {
    try {
      const lease = await acquireLease(deps.target, name, run.runId, {
        now: deps.now(),
        ttlMs: deps.settings.leaseTtlMs,
      });
      run.leased.add(name);
      if (lease.abandoned) await discardAbandoned(deps, name, lease.abandoned.runId);
    } catch (error) {
      if (error instanceof ObjectLockedError && run.input.mode !== 'backfill') {
        deps.log.warn(`skipping ${name}: ${error.message}`);
        skipped.push({ object: name, reason: error.message });
        continue;
      }
      run.fail(name, error);
    }
  }
  return skipped;
}

/** The records item of a leased object, or why it has none (its state file is corrupt, its window empty, ...). */
async function planRecordItem(
  deps: SyncDeps,
  input: RunInput,
  { object, expected, searchable }: CheckedObject,
  run: {
    base: Pick<WorkItem, 'runId' | 'snapshotDate' | 'startedAt'>;
    until: string;
    clockSkewMs: number;
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
  const mode = resolveMode(input, object.object, { since, searchable }, deps);
  if (typeof mode !== 'string') return { object: object.object, reason: mode.reason };
  if (mode !== 'full' && since && Date.parse(since) >= Date.parse(run.until)) {
    return { object: object.object, reason: `nothing to export: since (${since}) is not before until (${run.until})` };
  }
  // Pairs from this object; planRun keeps those whose target is planned too.
  const targets = deps.settings.associationPairs
    .filter(([from]) => mode === 'full' && from === object.object)
    .map(([, to]) => to);
  return {
    ...run.base,
    kind: 'records',
    object: object.object,
    apiName: object.apiName,
    mode,
    lastModifiedProperty: object.lastModifiedProperty,
    ...(mode !== 'full' ? { since, until: run.until } : {}),
    ...(mode === 'incremental' && run.clockSkewMs ? { clockSkewMs: run.clockSkewMs } : {}),
    ...(targets.length ? { associationTargets: targets } : {}),
    expected,
  };
}

/**
 * plan: validates access, fetches property definitions, takes a lease per object and stores the
 * run plan. Returns one work item per object; objects it cannot read become failures, not crashes.
 * A plan that fails once it holds leases releases them, so a retried or later run is not locked out.
 */
export async function planRun(deps: SyncDeps, given: RunInput, options: PlanOptions = {}): Promise<RunPlan> {
  const started = deps.now();
  // Drivers validate with their own clock; the run's clock has the last word, before anything is written.
  const input = parseRunInput(given, { now: started });
  if (options.runId) {
    const stored = await storedPlanOf(deps, options.runId, input);
    if (stored) return stored;
  }
  const runId = options.runId ?? makeRunId(started);
  const resolved = await resolveObjects(deps.client, input.objects, input.mode === 'full');
  const failures = [...resolved.failures];
  // Owners and pipelines have no last-modified window: named in a backfill, they fail rather than take a snapshot.
  const backfill = input.mode === 'backfill';
  const sideTables = backfill ? [] : resolved.sideTables;
  if (backfill) {
    for (const table of resolved.sideTables) {
      failures.push({
        object: table,
        reason: `${table} has no last-modified window to backfill; export it with mode full`,
      });
    }
  }
  const fail = (object: string, error: unknown) => {
    const failure = failureOf(object, error);
    if (!failure) throw error;
    // `all` means what this portal has: a type it lacks is skipped, not failed. Asked for by name, it fails.
    if (error instanceof NotFoundError && input.objects === 'all')
      deps.log.info(`skipping ${object}: ${failure.reason}`);
    else failures.push(failure);
  };

  const checked: CheckedObject[] = [];
  for (const object of resolved.objects) {
    stopIfAborted(options.signal);
    try {
      checked.push(await checkObject(deps.client, object));
    } catch (error) {
      if (
        error instanceof MissingScopesError &&
        input.objects === 'all' &&
        !(await everPublished(deps, object.object))
      ) {
        // `all` means what the key can read: a type this output never held is left out, saying why (a key that
        // loses a scope still fails the objects it used to export, so no table empties silently).
        deps.log.info(`skipping ${object.object}: ${failureOf(object.object, error)?.reason}`);
        continue;
      }
      fail(object.object, error);
    }
  }
  const leased = new Set<string>();
  try {
    // Lease before reading any state: the watermark read below must be the one this run will advance.
    const names = [...checked.map((c) => c.object.object), ...sideTables];
    const skipped = await leaseObjects(deps, { runId, input, names, leased, fail });
    stopIfAborted(options.signal);
    const base = { runId, snapshotDate: snapshotDateOf(started), startedAt: started.toISOString() };
    const run = { base, until: input.until ?? base.startedAt, clockSkewMs: hubspotClockBehind(deps) };
    const items: WorkItem[] = [];
    const plannedProperties: Record<string, PropertyDefinition[]> = {};
    for (const object of checked.filter((c) => leased.has(c.object.object))) {
      const planned = await planRecordItem(deps, input, object, run);
      if ('reason' in planned) {
        failures.push(planned);
        await releaseLease(deps.target, planned.object, runId, deps.now());
        leased.delete(planned.object);
        continue;
      }
      items.push(planned);
      plannedProperties[planned.object] = object.properties;
    }
    // A pair is read only when both its objects are planned (not locked, not failed, not left out).
    const plannedObjects = new Set(items.map((item) => item.object));
    for (const item of items) {
      const targets = item.associationTargets?.filter((to) => plannedObjects.has(to));
      if (targets?.length) item.associationTargets = targets;
      else delete item.associationTargets;
    }
    for (const table of sideTables.filter((name) => leased.has(name))) {
      const pipelines = table === 'pipelines' ? { pipelineObjects: pipelineObjectsFor(input.objects) } : {};
      items.push({ ...base, kind: table, object: table, apiName: table, mode: 'full', ...pipelines });
    }

    const plan: RunPlan = {
      ...base,
      mode: input.mode,
      ...(input.since ? { since: input.since } : {}),
      ...(input.mode !== 'full' ? { until: run.until } : {}),
      items,
      failures: await namedByDataset(deps, input, failures, new Set(resolved.objects.map((o) => o.object))),
      ...(skipped.length ? { skipped } : {}),
      properties: plannedProperties,
    };
    await writeRunPlan(deps.target, plan);
    deps.log.info(`planned run ${runId}`, { objects: items.map((i) => i.object), failures, skipped });
    return plan;
  } catch (error) {
    // The plan is stored, though its write answered otherwise (a lost reply retried, or another attempt of this
    // execution): it stands, with its leases.
    if (error instanceof ObjectExistsError) {
      const stored = await storedPlanOf(deps, runId, input);
      if (stored) return stored;
    }
    await releaseAfterFailedPlan(deps, runId, leased);
    throw error;
  }
}
