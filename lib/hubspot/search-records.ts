/**
 * Incremental reads through POST /crm/v3/objects/{objectType}/search.
 *
 * Keyset paging: every request is a fresh query "last-modified BETWEEN [since, until] AND hs_object_id > afterId,
 * sorted by hs_object_id ascending", so no query ever pages towards the 10,000-result cap and records that share
 * one millisecond (bulk updates put >10,000 on one) are each returned exactly once. Search only finds ids (its
 * body is capped at ~3,000 characters); full records come from batch read.
 */
import { readRecords } from './batch-read';
import type { HubSpotClient } from './client';
import { hasResults } from './property-chunks';
import type { HubSpotRecord, SearchResponse } from './types';

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

export const SEARCH_LIMITS = {
  pageSize: 200,
} as const;

/** The search body of one keyset page. */
export function buildKeysetSearchBody(lastModifiedProperty: string, cursor: SearchCursor): Record<string, unknown> {
  return {
    filterGroups: [
      {
        filters: [
          {
            propertyName: lastModifiedProperty,
            operator: 'BETWEEN',
            value: String(Date.parse(cursor.since)),
            highValue: String(Date.parse(cursor.until)),
          },
          { propertyName: 'hs_object_id', operator: 'GT', value: cursor.afterId },
        ],
      },
    ],
    sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
    properties: ['hs_object_id', lastModifiedProperty],
    limit: SEARCH_LIMITS.pageSize,
    after: '0',
  };
}

/** The first cursor of a window: lookback subtracted from `since`. */
export function startSearchCursor(since: Date, until: Date, lookbackMs: number): SearchCursor {
  return { since: new Date(since.getTime() - lookbackMs).toISOString(), until: until.toISOString(), afterId: '0' };
}

/**
 * Yields the records modified in [since - lookback, until], each exactly once, with the cursor to resume after each page.
 * @example for await (const { records, cursor } of searchModifiedRecords(client, { objectType: 'deals', lastModifiedProperty: 'hs_lastmodifieddate', since, until, properties, lookbackMs })) ...
 */
export async function* searchModifiedRecords(
  client: HubSpotClient,
  options: SearchModifiedOptions,
): AsyncGenerator<{ records: HubSpotRecord[]; cursor: SearchCursor }> {
  let cursor = options.cursor ?? startSearchCursor(options.since, options.until, options.lookbackMs);
  for (;;) {
    const response = await client.request<SearchResponse<HubSpotRecord>>({
      method: 'POST',
      path: client.paths.search(options.objectType),
      body: buildKeysetSearchBody(options.lastModifiedProperty, cursor),
      budget: 'search',
      validate: hasResults,
    });
    const ids = response.results.map((r) => String(r.id));
    if (ids.length === 0) return;
    const records = await readRecords(client, options.objectType, ids, options.properties);
    cursor = { ...cursor, afterId: maxId(ids) };
    yield { records, cursor };
    if (ids.length < SEARCH_LIMITS.pageSize || !response.paging?.next) return;
  }
}

function maxId(ids: string[]): string {
  return ids.reduce((max, id) => (compareIds(id, max) > 0 ? id : max));
}

/** Numeric comparison of decimal id strings of any length. */
export function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}
