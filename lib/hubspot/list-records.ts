/**
 * GET /crm/v3/objects/{objectType} paged, with every requested property and no 414.
 *
 * Strategy: the cheapest in standard-budget requests per record (the 10-second budget is the scarce resource).
 *  - one list call per page when all property names fit in one URL: 10 requests / 1,000 records;
 *  - otherwise list ids, then batch/read the page with every property in the POST body: 20 requests / 1,000
 *    records whatever the property count. List-with-chunks costs one call per ~14,000-char chunk and page.
 * Measured by bench/client.bench.ts on the simulator's contacts (622 properties, 2 URL chunks): chunks 20.0,
 * ids + batch read 20.0 requests per 1,000 records (21 on a 1,000-record sample, which prefetches one id page
 * too many); with 30 properties (1 chunk): list 10, ids + batch read 21. At equal cost the batch read wins:
 * it stays at 2 calls per page as a portal's properties grow (chunks would not), and every record comes
 * from one read instead of being merged from chunks that may see different records.
 * Archived records take the same path (list archived ids, then batch/read with `?archived=true`).
 * Pages are read ahead (the next list page, up to READ_AHEAD_PAGES batch reads) so that a request is always
 * waiting when the budget frees a slot; the budget still paces every call.
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
    path: client.paths.objects(options.objectType),
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
  let pending = guard(fetchListPage(client, options, { after, properties: first }));
  for (;;) {
    const page = await pending;
    const next = page.paging?.next?.after;
    // Read-ahead: the next page is requested while this one is completed and consumed.
    if (next !== undefined) pending = guard(fetchListPage(client, options, { after: next, properties: first }));
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
    yield { records: [...merged.values()].map((r) => completeRecord(r, options.properties)), next };
    if (next === undefined) return;
    after = next;
  }
}

/** Pages whose batch reads may run ahead of the consumer (keeps a request waiting whenever a slot frees). */
export const READ_AHEAD_PAGES = 2;

async function* listIdsThenBatch(client: HubSpotClient, options: ListRecordsOptions): AsyncGenerator<RecordPage> {
  const fetchIds = (after: string | undefined) =>
    guard(fetchListPage(client, options, { after, properties: ['hs_object_id'] }));
  let ids = fetchIds(options.after);
  let exhausted = false;
  const reads: Promise<RecordPage>[] = [];
  while (!exhausted || reads.length > 0) {
    while (!exhausted && reads.length < READ_AHEAD_PAGES) {
      const page = await ids;
      const next = page.paging?.next?.after;
      if (next === undefined) exhausted = true;
      else ids = fetchIds(next);
      // Records archived between list and read drop out here; the archived listing reports them.
      const pageIds = page.results.map((r) => String(r.id));
      const read = readRecords(client, options.objectType, pageIds, options.properties, { archived: options.archived });
      reads.push(guard(read.then((records) => ({ records, next }))));
    }
    yield await (reads.shift() as Promise<RecordPage>);
  }
}

/** Marks a promise as handled: a consumer that stops early must not leave an unhandled rejection behind. */
function guard<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
