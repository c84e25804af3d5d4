import {
  describeAccessError,
  listProperties,
  MissingScopesError,
  NotFoundError,
  ValidationError,
  type HubSpotClient,
} from '../hubspot';
import type { PropertyDefinition, SearchResponse } from '../hubspot/types';
import { acquireLease, ObjectLockedError } from '../store/lock';
import { readObjectState, writeRunPlan } from '../store/state';
import type { SyncDeps } from './deps';
import { resolveObjects, type ResolvedObject } from './resolve-objects';
import { makeRunId, snapshotDateOf } from './run-id';
import type { RunInput } from './run-input';
import type { ObjectFailure, RunPlan, WorkItem } from './types';

export interface PlanOptions {
  /** Fixed run id (tests, retries of a planner); default a new one. */
  runId?: string;
}

/** What the plan learned about one readable object. */
interface CheckedObject {
  properties: PropertyDefinition[];
  expected?: number;
}

/**
 * Probes read access with a one-record search (its `total` also sizes the progress bar) and fetches
 * the property definitions once for the whole run.
 */
async function checkObject(client: HubSpotClient, object: ResolvedObject): Promise<CheckedObject> {
  const expected = await probeObject(client, object);
  const properties = await listProperties(client, object.apiName);
  return { properties, expected };
}

/** The live record count from a search, or (for a type search does not serve) a one-record list. */
async function probeObject(client: HubSpotClient, object: ResolvedObject): Promise<number | undefined> {
  try {
    const probe = await client.request<SearchResponse<unknown>>({
      method: 'POST',
      path: `/crm/v3/objects/${object.apiName}/search`,
      body: { limit: 1, properties: ['hs_object_id'] },
      budget: 'search',
    });
    return probe.total;
  } catch (error) {
    if (!(error instanceof ValidationError || error instanceof NotFoundError)) throw error;
    await client.request({ method: 'GET', path: `/crm/v3/objects/${object.apiName}`, query: { limit: 1 } });
    return undefined;
  }
}

/** Per-object problems that leave the rest of the run alone; anything else (a rejected key) stops the plan. */
const failureOf = (object: string, error: unknown): ObjectFailure | undefined => {
  if (error instanceof ObjectLockedError) return { object, reason: error.message };
  if (error instanceof NotFoundError) return { object, reason: `not available in this portal (${error.message})` };
  if (error instanceof ValidationError) return { object, reason: `HubSpot refused to list it: ${error.message}` };
  const access = describeAccessError(error);
  return access && error instanceof MissingScopesError ? { object, reason: access } : undefined;
};

/**
 * plan: validates access, fetches property definitions, takes a lease per object and stores the
 * run plan. Returns one work item per object; objects it cannot read become failures, not crashes.
 */
export async function planRun(deps: SyncDeps, input: RunInput, options: PlanOptions = {}): Promise<RunPlan> {
  const started = deps.now();
  const runId = options.runId ?? makeRunId(started);
  const snapshotDate = snapshotDateOf(started);
  const resolved = await resolveObjects(deps.client, input.objects, input.mode === 'full');
  const failures = [...resolved.failures];
  const properties: Record<string, PropertyDefinition[]> = {};
  const expected: Record<string, number | undefined> = {};
  const readable: ResolvedObject[] = [];

  for (const object of resolved.objects) {
    try {
      const checked = await checkObject(deps.client, object);
      properties[object.object] = checked.properties;
      expected[object.object] = checked.expected;
      readable.push(object);
    } catch (error) {
      const failure = failureOf(object.object, error);
      if (!failure) throw error;
      // `all` means what this portal has: a type it lacks is skipped, not failed. Asked for by name, it fails.
      if (error instanceof NotFoundError && input.objects === 'all')
        deps.log.info(`skipping ${object.object}: ${failure.reason}`);
      else failures.push(failure);
    }
  }

  const readableNames = new Set(readable.map((o) => o.object));
  const items: WorkItem[] = [];
  const until = input.until ?? started.toISOString();
  for (const object of readable) {
    const state = await readObjectState(deps.target, object.object);
    const mode = input.mode === 'incremental' && !state.watermark && !input.since ? 'full' : input.mode;
    if (mode !== input.mode)
      deps.log.info(`${object.object}: no watermark yet, so this incremental run takes a full snapshot`);
    const windowed = mode !== 'full';
    const item: WorkItem = {
      runId,
      kind: 'records',
      object: object.object,
      apiName: object.apiName,
      mode,
      snapshotDate,
      lastModifiedProperty: object.lastModifiedProperty,
      ...(windowed ? { since: input.since ?? state.watermark ?? undefined, until } : {}),
      expected: expected[object.object],
    };
    if (mode === 'full') {
      const targets = deps.settings.associationPairs
        .filter(([from, to]) => from === object.object && readableNames.has(to))
        .map(([, to]) => to);
      if (targets.length) item.associationTargets = targets;
    }
    items.push(item);
  }
  for (const table of resolved.sideTables) {
    items.push({ runId, kind: table, object: table, apiName: table, mode: 'full', snapshotDate });
  }

  const leased: WorkItem[] = [];
  for (const item of items) {
    try {
      await acquireLease(deps.target, item.object, runId, { now: deps.now(), ttlMs: deps.settings.leaseTtlMs });
      leased.push(item);
    } catch (error) {
      const failure = failureOf(item.object, error);
      if (!failure) throw error;
      failures.push(failure);
    }
  }

  const plan: RunPlan = {
    runId,
    mode: input.mode,
    snapshotDate,
    startedAt: started.toISOString(),
    ...(input.since ? { since: input.since } : {}),
    ...(input.mode !== 'full' ? { until } : {}),
    items: leased,
    failures,
    properties,
  };
  await writeRunPlan(deps.target, plan);
  deps.log.info(`planned run ${runId}`, { objects: leased.map((i) => i.object), failures });
  return plan;
}
