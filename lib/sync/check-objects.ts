/**
 * Plan's first look at each object: can the key read it, does search serve it, how many live records and which ids
 * it has, and its property definitions, fetched once for the whole run. Objects are checked several at a time, so
 * a portal of twenty types is planned in a few round trips even when each call takes a second.
 */
import {
  DailyBudgetExhaustedError,
  hasResults,
  hasSearchTotal,
  listProperties,
  MissingScopesError,
  missingScopeReason,
  NotFoundError,
  UnknownObjectTypeError,
  ValidationError,
  type HubSpotClient,
} from '../hubspot';
import type { HubSpotRecord, ListResponse, PropertyDefinition, SearchResponse } from '../hubspot/types';
import { mapLimit } from '../core/map-limit';
import { CorruptStoredFileError } from '../store/errors';
import { latestKey } from '../store/layout';
import { ObjectLockedError } from '../store/lock';
import type { SyncDeps } from './deps';
import type { ResolvedObject } from './resolve-objects';
import type { RunInput } from './run-input';
import type { IdBounds, LiveCount, ObjectFailure } from './types';

/** What the plan learned about one readable object. */
export interface CheckedObject {
  object: ResolvedObject;
  properties: PropertyDefinition[];
  /** Live records by the search probe's total, for progress and ETA. */
  expected?: number;
  /** Whether search serves the type: incremental and backfill runs need it. */
  searchable: boolean;
  /** The ids search knew of when planned (objects large enough to read in id ranges). */
  idBounds?: IdBounds;
  /** The highest id search knew of and its count of live records (types search serves). */
  liveCount?: LiveCount;
}

/** Objects checked at once: each check is three calls, so latency, not the budget, would otherwise set the pace. */
export const CHECK_CONCURRENCY = 6;

/**
 * A one-record search sorted by id descending: its `total` sizes the progress bar and its record is the highest id
 * search knows. For a type search does not serve, a one-record list.
 */
async function probeObject(
  client: HubSpotClient,
  object: ResolvedObject,
): Promise<Pick<CheckedObject, 'expected' | 'searchable'> & { maxId?: string }> {
  const { paths } = client;
  try {
    const probe = await client.request<SearchResponse<HubSpotRecord>>({
      method: 'POST',
      path: paths.search(object.apiName),
      body: {
        filterGroups: [],
        sorts: [{ propertyName: 'hs_object_id', direction: 'DESCENDING' }],
        properties: ['hs_object_id'],
        limit: 1,
        after: '0',
      },
      budget: 'search',
      // A body without results and total is malformed (retried), never taken for an empty or unsearchable type.
      validate: hasSearchTotal,
    });
    const top = probe.results?.[0]?.id;
    return { expected: probe.total, searchable: true, ...(top === undefined ? {} : { maxId: String(top) }) };
  } catch (error) {
    if (
      !(error instanceof ValidationError || error instanceof NotFoundError) ||
      error instanceof UnknownObjectTypeError
    )
      throw error;
    await client.request({
      method: 'GET',
      path: paths.objects(object.apiName),
      query: { limit: 1 },
      validate: hasResults,
    });
    return { searchable: false };
  }
}

/** The lowest live id: the first record of a one-record list. */
async function lowestId(client: HubSpotClient, object: ResolvedObject): Promise<string | undefined> {
  const page = await client.request<ListResponse<HubSpotRecord>>({
    method: 'GET',
    path: client.paths.objects(object.apiName),
    query: { limit: 1, properties: 'hs_object_id' },
    validate: hasResults,
  });
  const first = page.results?.[0]?.id;
  return first === undefined ? undefined : String(first);
}

/**
 * Probes read access and fetches the property definitions once for the whole run (`properties`, when they were
 * asked for already); an object of `minRecords` or more (the ones worth reading in id ranges) also gets its id bounds.
 */
async function checkObject(
  client: HubSpotClient,
  object: ResolvedObject,
  minRecords: number,
  properties: Promise<PropertyDefinition[]> = listProperties(client, object.apiName),
): Promise<CheckedObject> {
  // Both at once: at a second or more per call, the plan's round trips add up.
  const [{ maxId, ...probe }, definitions] = await Promise.all([probeObject(client, object), properties]);
  const large = maxId !== undefined && (probe.expected ?? 0) >= minRecords;
  const minId = large ? await lowestId(client, object) : undefined;
  const idBounds = minId !== undefined && maxId !== undefined ? { min: minId, max: maxId } : undefined;
  const liveCount =
    maxId !== undefined && probe.expected !== undefined ? { countedBelow: maxId, live: probe.expected } : undefined;
  const bounds = { ...(idBounds ? { idBounds } : {}), ...(liveCount ? { liveCount } : {}) };
  return { object, properties: definitions, ...probe, ...bounds };
}

/**
 * Per-object problems that leave the rest of the run alone; anything else (a rejected key) stops the plan. The daily
 * budget running out is one too: the plan stores what it found, so finalize reports each object with the reason and
 * nothing is left leased, where a plan that threw would report nothing (and a retry could only fail again).
 */
export const failureOf = (object: string, error: unknown): ObjectFailure | undefined => {
  if (error instanceof DailyBudgetExhaustedError) return { object, reason: error.reason };
  if (error instanceof UnknownObjectTypeError)
    return { object, reason: `not available in this portal (${error.message})` };
  if (error instanceof NotFoundError) return { object, reason: `not available in this portal (${error.message})` };
  if (error instanceof ValidationError) return { object, reason: `HubSpot refused to list it: ${error.message}` };
  if (error instanceof CorruptStoredFileError || error instanceof ObjectLockedError)
    return { object, reason: error.message };
  const access = missingScopeReason(error);
  return access ? { object, reason: access } : undefined;
};

/** Whether this output ever published a snapshot of `object` (its `_latest` pointer exists). */
function everPublished(deps: SyncDeps, object: string): Promise<boolean> {
  return deps.target.exists(latestKey({ kind: 'snapshot', object }));
}

/**
 * Under `all`, a type the key cannot read (missing scope) or the portal does not have (HubSpot cannot infer the type,
 * or finds nothing) is left out with an info line, as long as this output never held it: `all` means what there is
 * to read. One exported before still fails, so a revoked scope or product never silently empties a table.
 */
async function leftOutOfAll(deps: SyncDeps, input: RunInput, object: string, error: unknown): Promise<boolean> {
  const absent = error instanceof MissingScopesError || error instanceof UnknownObjectTypeError;
  if (input.objects !== 'all' || !(absent || error instanceof NotFoundError)) return false;
  if (absent && (await everPublished(deps, object))) return false;
  deps.log.info(`skipping ${object}: ${failureOf(object, error)?.reason}`);
  return true;
}

export interface CheckObjectsOptions {
  input: RunInput;
  /** Records a failure of one object; throws what is no failure of one object (a rejected key). */
  fail: (object: string, error: unknown) => void;
  /** Checked before each object: throws to stop the plan. */
  stopIfAborted: () => void;
}

/** Checks every resolved object, a few at a time; results and failures keep the objects' order. */
export async function checkObjects(
  deps: SyncDeps,
  objects: readonly ResolvedObject[],
  options: CheckObjectsOptions,
): Promise<CheckedObject[]> {
  const minRecords = 2 * deps.settings.minSplitRecords;
  // The first object's definitions are asked for alone, before any other request: a budget that holds an earlier
  // run's daily count at the reserve (a warm Lambda's next execution, maybe the next day) asks HubSpot again with
  // one request of the run (RateBudget.beginRun), refusing the ones sent beside it on the old count. This one gets
  // the count back in its headers, as a search probe's answer would not. It costs the plan one round trip.
  const leading = objects.length ? listProperties(deps.client, objects[0].apiName) : undefined;
  await leading?.catch(() => undefined); // its failure is the first object's, reported with its check below
  options.stopIfAborted();
  const settled = await mapLimit(objects, CHECK_CONCURRENCY, (object, index) => {
    options.stopIfAborted();
    return checkObject(deps.client, object, minRecords, index === 0 ? leading : undefined).then(
      (ok): { ok: CheckedObject } => ({ ok }),
      (error: unknown) => ({ error }),
    );
  });
  options.stopIfAborted();
  const checked: CheckedObject[] = [];
  for (const [index, result] of settled.entries()) {
    if ('ok' in result) checked.push(result.ok);
    else if (!(await leftOutOfAll(deps, options.input, objects[index].object, result.error)))
      options.fail(objects[index].object, result.error);
  }
  return checked;
}
