import { SyncError } from '../core/errors';
import { versionNotice } from '../hubspot/api-version';
import type { PropertyDefinition } from '../hubspot/types';
import { buildRecordColumns } from '../schema/columns';
import { acquireLease, ObjectLockedError, releaseLease } from '../store/lock';
import { ObjectExistsError } from '../store/errors';
import { checkObjects, failureOf } from './check-objects';
import type { SyncDeps } from './deps';
import { discardAbandoned as discardAbandonedObject } from './object-datasets';
import { hubspotClockBehind, namedByDataset, planRecordItem } from './record-item';
import { resolveObjects } from './resolve-objects';
import { pipelineObjectsFor } from './side-tables';
import { sliceItem } from './slices';
import { makeRunId, snapshotDateOf } from './run-id';
import { InvalidInputError, parseRunInput, type RunInput } from './run-input';
import { loadHasher } from './hash-key';
import { applyPropertySettings, settingObjects } from './sensitive-properties';
import { findRunPlan, writeRunPlan } from './state';
import type { ObjectFailure, PropertyHandling, RunPlan, WorkItem } from './types';

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
export class PlanStoppedError extends SyncError {
  override name = 'PlanStoppedError';
  override readonly retryable = false;
  constructor() {
    super('stopped while planning: nothing was exported, and no lease is held');
  }
}

const stopIfAborted = (signal: AbortSignal | undefined): void => {
  if (signal?.aborted) throw new PlanStoppedError();
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
    await discardAbandonedObject(deps, object, runId);
  } catch (error) {
    deps.log.warn(`${object}: could not remove what run ${runId} uploaded: ${(error as Error).message}`);
  }
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

/**
 * plan: validates access, fetches property definitions (checking the sensitive-property settings against them, and
 * reading the hash key before any request when properties are hashed), takes a lease per object and stores the
 * run plan. Returns one work item per object; objects it cannot read become failures, not crashes.
 * A plan that fails once it holds leases releases them, so a retried or later run is not locked out.
 */
export async function planRun(deps: SyncDeps, given: RunInput, options: PlanOptions = {}): Promise<RunPlan> {
  const started = deps.now();
  // Drivers validate with their own clock; the run's clock has the last word, before anything is written.
  const input = parseRunInput(given, { now: started });
  // A version past HubSpot's support is refused before anything is written; one no longer current is named.
  const notice = versionNotice(deps.client.apiVersion, started.toISOString().slice(0, 10));
  if (notice) deps.log.warn(notice);
  // A run that hashes reads its key first: without one (or with a short one) it fails before any request.
  const hasher = deps.settings.hashProperties.length ? await loadHasher(deps.hashKey) : undefined;
  if (options.runId) {
    const stored = await storedPlanOf(deps, options.runId, input);
    if (stored) return stored;
  }
  const runId = options.runId ?? makeRunId(started);
  // A warm Lambda's next run may be on another day: its daily count is asked again (RateBudget.beginRun).
  deps.client.budget.beginRun(runId);
  const resolved = await resolveObjects(
    deps.client,
    input.objects,
    // Complete snapshots (full and compact runs) of all objects take the side tables too.
    input.mode === 'full' || input.mode === 'compact',
    settingObjects(deps.settings),
  );
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
    failures.push(failure);
  };

  const checked = await checkObjects(deps, resolved.objects, {
    input,
    fail,
    stopIfAborted: () => stopIfAborted(options.signal),
  });
  // Bad settings are bad input: checked against the definitions before any lease is taken or file written.
  const split = applyPropertySettings(
    checked.map((c) => ({ object: c.object.object, properties: c.properties })),
    deps.settings,
    resolved.known,
  );
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
    const propertyHandling: Record<string, PropertyHandling> = {};
    for (const object of checked.filter((c) => leased.has(c.object.object))) {
      const none = { requested: object.properties, excluded: [], hashed: [] };
      const { requested, excluded, hashed } = split.get(object.object.object) ?? none;
      const columns = buildRecordColumns(requested, { hashed: new Set(hashed) });
      const planned = await planRecordItem(deps, input, object, { ...run, current: { columns, keyId: hasher?.keyId } });
      if ('reason' in planned) {
        failures.push(planned);
        await releaseLease(deps.target, planned.object, runId, deps.now());
        leased.delete(planned.object);
        continue;
      }
      // A large object may be exported by several items side by side (deployed: one Lambda each).
      items.push(...sliceItem(planned, deps.settings));
      plannedProperties[planned.object] = requested;
      if (excluded.length || hashed.length) propertyHandling[planned.object] = { excluded, hashed };
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
      ...(Object.keys(propertyHandling).length ? { propertyHandling } : {}),
      ...(hasher && Object.values(propertyHandling).some((h) => h.hashed.length) ? { hashKeyId: hasher.keyId } : {}),
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
