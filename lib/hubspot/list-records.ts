/**
 * GET /crm/v3/objects/{objectType} paged, with every requested property and no 414.
 *
 * Strategy, measured in requests per 100 records (the 10-second budget is the scarce resource):
 *  - one list call when all property names fit in one URL (1 request / 100 records);
 *  - otherwise (contacts: 600+ names, > 16,000 URL chars) list ids, then batch/read the page with every
 *    property in the POST body: always 2 requests / 100 records, whereas list-with-chunks costs one call per
 *    ~14,000-char chunk (2 for the simulator's contacts, growing with the portal's properties) and must
 *    merge chunks that could see different records. See bench/client.bench.ts for the figures.
 *  - archived records the same way (list archived ids, then batch/read with `?archived=true`).
 * The next list page is fetched while the current page's batch read runs (pipelining), inside the budget.
 */
import type { HubSpotClient } from './client';
import { readRecords } from './batch-read';
import { chunkProperties, completeRecord, hasResults } from './property-chunks';
import type { HubSpotRecord, ListResponse } from './types';

export interface RecordPage {
  records: HubSpotRecord[];
  /** Cursor to resume after this page; undefined on the last page. */
  next?: string;
}

export interface ListRecordsOptions {
  objectType: string;
  properties: string[];
  archived?: boolean;
  /** Resume cursor (a record id: listing starts at it). */
  after?: string;
  /** Page size, at most 100 (default 100). */
  limit?: number;
  /** Force a strategy (measurements); default picks the cheapest. */
  strategy?: ListStrategy;
}

export type ListStrategy = 'chunks' | 'ids-then-batch';

export const LIST_LIMITS = { maxPageSize: 100 } as const;

/** The strategy listRecords uses by default for these options. */
export function chooseListStrategy(properties: readonly string[]): ListStrategy {
  return chunkProperties(properties).length <= 1 ? 'chunks' : 'ids-then-batch';
}

/**
 * Pages through all records of a type; each page carries the cursor to resume after it.
 * @example for await (const page of listRecords(client, { objectType: 'contacts', properties })) save(page.records, page.next);
 */
export async function* listRecords(client: HubSpotClient, options: ListRecordsOptions): AsyncGenerator<RecordPage> {
  const strategy = options.strategy ?? chooseListStrategy(options.properties);
  yield* strategy === 'chunks' ? listWithChunks(client, options) : listIdsThenBatch(client, options);
}

interface ListCall {
  after?: string;
  properties: string[];
}

function fetchListPage(client: HubSpotClient, options: ListRecordsOptions, call: ListCall) {
  return client.request<ListResponse<HubSpotRecord>>({
    method: 'GET',
    path: `/crm/v3/objects/${encodeURIComponent(options.objectType)}`,
    query: {
      limit: Math.min(options.limit ?? LIST_LIMITS.maxPageSize, LIST_LIMITS.maxPageSize),
      after: call.after,
      properties: call.properties.length > 0 ? call.properties.join(',') : undefined,
      archived: options.archived ? true : undefined,
    },
    validate: hasResults,
  });
}

async function* listWithChunks(client: HubSpotClient, options: ListRecordsOptions): AsyncGenerator<RecordPage> {
  const [first = [], ...rest] = chunkProperties(options.properties);
  let after = options.after;
  for (;;) {
    const page = await fetchListPage(client, options, { after, properties: first });
    const merged = new Map(page.results.map((r) => [String(r.id), { ...r, id: String(r.id) }]));
    const others = await Promise.all(rest.map((properties) => fetchListPage(client, options, { after, properties })));
    const incomplete = new Set<string>();
    for (const other of others) {
      const seen = new Set<string>();
      for (const record of other.results) {
        const target = merged.get(String(record.id));
        if (!target) continue;
        seen.add(target.id);
        target.properties = { ...target.properties, ...record.properties };
      }
      for (const id of merged.keys()) if (!seen.has(id)) incomplete.add(id);
    }
    if (incomplete.size > 0) {
      // A record changed between the chunk calls (e.g. archived meanwhile): read it whole instead.
      const reread = await readRecords(client, options.objectType, [...incomplete], options.properties, {
        archived: options.archived,
      });
      const found = new Map(reread.map((r) => [r.id, r]));
      for (const id of incomplete) {
        const record = found.get(id);
        if (record) merged.set(id, record);
        else merged.delete(id);
      }
    }
    const next = page.paging?.next?.after;
    yield { records: [...merged.values()].map((r) => completeRecord(r, options.properties)), next };
    if (next === undefined) return;
    after = next;
  }
}

async function* listIdsThenBatch(client: HubSpotClient, options: ListRecordsOptions): AsyncGenerator<RecordPage> {
  const fetchIds = (after: string | undefined) => {
    const promise = fetchListPage(client, options, { after, properties: ['hs_object_id'] });
    promise.catch(() => undefined); // a consumer that stops early must not leave an unhandled rejection
    return promise;
  };
  let pending = fetchIds(options.after);
  for (;;) {
    const page = await pending;
    const next = page.paging?.next?.after;
    // Pipelining: the next id page is requested while this page's records are read.
    if (next !== undefined) pending = fetchIds(next);
    // Records archived between list and read drop out here; the archived listing reports them.
    const ids = page.results.map((r) => String(r.id));
    const records = await readRecords(client, options.objectType, ids, options.properties, {
      archived: options.archived,
    });
    yield { records, next };
    if (next === undefined) return;
  }
}
