/**
 * Reads through POST .../objects/{objectType}/search, keyset-paged by id.
 *
 * Every request is a fresh query "filters AND hs_object_id >= from (AND < end), sorted by hs_object_id ascending",
 * so no query ever pages towards the 10,000-result cap and records that share one millisecond (bulk updates put
 * >10,000 on one) are each returned exactly once. Two uses: the records modified in a window (incremental runs and
 * backfills), and an id range of a full snapshot, read from search's own 5/s budget beside the list endpoint's.
 * Search's body is capped at ~3,000 characters, so a wide object's search finds ids and batch read fetches the
 * records; a narrow object's search returns them whole.
 */
import { readRecords } from './batch-read';
import type { HubSpotClient } from './client';
import { completeRecord, hasResults } from './property-chunks';
import { guard } from './list-records';
import { compareIds, maxId, nextId } from './record-ids';
import type { HubSpotRecord, SearchResponse } from './types';

export const SEARCH_LIMITS = {
  pageSize: 200,
  /** The search guide caps the request body at 3,000 characters. */
  maxBodyChars: 3_000,
} as const;

export interface SearchFilter {
  propertyName: string;
  operator: 'EQ' | 'GT' | 'GTE' | 'LT' | 'LTE' | 'BETWEEN';
  value?: string;
  highValue?: string;
}

export interface KeysetSearchOptions {
  objectType: string;
  /** Filters every query carries besides the id keyset (a last-modified window, say). */
  filters?: SearchFilter[];
  /** First id to read (inclusive); default from the first record. */
  from?: string;
  /** Exclusive end id, read before each query; default none. */
  end?: () => string | undefined;
  /** Every property the records must hold. */
  properties: string[];
  /** Ask search for the records whole (the properties must fit the body); default ids, then batch read. */
  whole?: boolean;
}

/** One keyset page: the records (complete, every property a key) and the id to continue from, if any. */
export interface SearchPage {
  records: HubSpotRecord[];
  /** First id the next query reads; undefined after the last page. */
  next?: string;
}

const idFilters = (from: string, end: string | undefined): SearchFilter[] => [
  { propertyName: 'hs_object_id', operator: 'GTE', value: from },
  ...(end === undefined ? [] : [{ propertyName: 'hs_object_id', operator: 'LT' as const, value: end }]),
];

/** The body of one keyset query, with every field HubSpot's spec requires (empty where unused). */
export function buildKeysetSearchBody(
  options: Pick<KeysetSearchOptions, 'filters' | 'properties' | 'whole'>,
  from: string,
  end: string | undefined,
): Record<string, unknown> {
  return {
    filterGroups: [{ filters: [...(options.filters ?? []), ...idFilters(from, end)] }],
    sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
    properties: options.whole ? options.properties : ['hs_object_id'],
    limit: SEARCH_LIMITS.pageSize,
    after: '0',
  };
}

/** Whether a search can return these properties whole: its body, at its longest ids, fits HubSpot's cap. */
export function fitsSearchBody(properties: string[], filters: SearchFilter[] = []): boolean {
  const longest = '9'.repeat(20);
  const body = buildKeysetSearchBody({ filters, properties, whole: true }, longest, longest);
  return JSON.stringify(body).length <= SEARCH_LIMITS.maxBodyChars;
}

/**
 * Yields the records the filters match from `from` to `end`, each once, in id order, with the id to continue from.
 * @example for await (const { records, next } of searchRecords(client, { objectType: 'emails', properties, whole: true })) ...
 */
export async function* searchRecords(client: HubSpotClient, options: KeysetSearchOptions): AsyncGenerator<SearchPage> {
  const end = options.end ?? (() => undefined);
  const query = (from: string) =>
    guard(
      client.request<SearchResponse<HubSpotRecord>>({
        method: 'POST',
        path: client.paths.search(options.objectType),
        body: buildKeysetSearchBody(options, from, end()),
        budget: 'search',
        validate: hasResults,
      }),
    );
  let pending = query(options.from ?? '0');
  for (;;) {
    const response = await pending;
    const found = response.results.map((r) => ({ ...r, id: String(r.id) }));
    const last = found.length < SEARCH_LIMITS.pageSize || !response.paging?.next;
    const next = found.length ? nextId(maxId(found.map((r) => r.id))) : undefined;
    // The next query goes out while this page's records are read: search keeps its own lane busy.
    if (!last && next !== undefined) pending = query(next);
    // A range split since the query went out ends sooner: ids past its end are the other half's.
    const stop = end();
    const within = stop === undefined ? found : found.filter((r) => compareIds(r.id, stop) < 0);
    const records = options.whole
      ? within.map((r) => completeRecord(r, options.properties))
      : await readRecords(
          client,
          options.objectType,
          within.map((r) => r.id),
          options.properties,
          { urgent: true },
        );
    yield { records, next: last ? undefined : next };
    if (last || next === undefined) return;
  }
}

/** Where a window's search resumes (kept in checkpoints). */
export interface SearchCursor {
  /** Lower bound (inclusive, lookback already applied), ISO 8601. */
  since: string;
  /** Upper bound (inclusive), ISO 8601. */
  until: string;
  /** Last hs_object_id returned, '0' at start. */
  afterId: string;
}

export interface SearchModifiedOptions {
  objectType: string;
  lastModifiedProperty: string;
  since: Date;
  until: Date;
  properties: string[];
  /** Resume here (its since/until win over the options). */
  cursor?: SearchCursor;
  /** Subtracted from `since` (search lags writes); the engine's setting (SyncSettings.lookbackMs). */
  lookbackMs: number;
}

/** The first cursor of a window: lookback subtracted from `since`. */
export function startSearchCursor(since: Date, until: Date, lookbackMs: number): SearchCursor {
  return { since: new Date(since.getTime() - lookbackMs).toISOString(), until: until.toISOString(), afterId: '0' };
}

/** The filter of a last-modified window (epoch milliseconds, both ends inclusive). */
export const windowFilter = (
  lastModifiedProperty: string,
  cursor: Pick<SearchCursor, 'since' | 'until'>,
): SearchFilter => ({
  propertyName: lastModifiedProperty,
  operator: 'BETWEEN',
  value: String(Date.parse(cursor.since)),
  highValue: String(Date.parse(cursor.until)),
});

/**
 * Yields the records modified in [since - lookback, until], each exactly once, with the cursor to resume after each page.
 * @example for await (const { records, cursor } of searchModifiedRecords(client, { objectType: 'deals', lastModifiedProperty: 'hs_lastmodifieddate', since, until, properties, lookbackMs })) ...
 */
export async function* searchModifiedRecords(
  client: HubSpotClient,
  options: SearchModifiedOptions,
): AsyncGenerator<{ records: HubSpotRecord[]; cursor: SearchCursor }> {
  const start = options.cursor ?? startSearchCursor(options.since, options.until, options.lookbackMs);
  const pages = searchRecords(client, {
    objectType: options.objectType,
    filters: [windowFilter(options.lastModifiedProperty, start)],
    from: start.afterId === '0' ? '0' : nextId(start.afterId),
    properties: options.properties,
  });
  let afterId = start.afterId;
  for await (const page of pages) {
    if (page.records.length === 0 && page.next === undefined) return;
    if (page.next !== undefined) afterId = (BigInt(page.next) - 1n).toString();
    else afterId = page.records.length ? maxId(page.records.map((r) => r.id)) : afterId;
    yield { records: page.records, cursor: { ...start, afterId } };
    if (page.next === undefined) return;
  }
}

export { compareIds };
