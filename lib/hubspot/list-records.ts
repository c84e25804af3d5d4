/**
 * GET .../objects/{objectType} paged, with every requested property and no 414, from any id to any id.
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
 *
 * `after` is the id of the next record to read (HubSpot's list cursor), so a reader can start anywhere and, with
 * `end`, stop at any id: the id ranges of one object are read side by side this way. `end` is read before every
 * page, so a range reader may move it closer while the pager runs (it split the range).
 */
import type { HubSpotClient } from './client';
import { readRecords } from './batch-read';
import { chunkProperties, completeRecord, hasResults } from './property-chunks';
import { compareIds } from './record-ids';
import type { HubSpotRecord, ListResponse } from './types';

export interface RecordPage {
  records: HubSpotRecord[];
  /** Cursor to resume from after this page (the next record's id); undefined on the last page. */
  next?: string;
}

export interface ListRecordsOptions {
  objectType: string;
  properties: string[];
  archived?: boolean;
  /** Start here (a record id: listing starts at it). */
  after?: string;
  /** Exclusive end id, read before each page; default none (to the last record). */
  end?: () => string | undefined;
  /** Page size, at most 100 (default 100). */
  limit?: number;
  /** Force a strategy (measurements); default picks the cheapest. */
  strategy?: ListStrategy;
}

export type ListStrategy = 'chunks' | 'ids-then-batch';

export const LIST_LIMITS = { maxPageSize: 100 } as const;

/** Pages whose batch reads may run ahead of the consumer (keeps a request waiting whenever a slot frees). */
export const READ_AHEAD_PAGES = 2;

/** The strategy listRecords uses by default for these options. */
export function chooseListStrategy(properties: readonly string[]): ListStrategy {
  return chunkProperties(properties).length <= 1 ? 'chunks' : 'ids-then-batch';
}

/**
 * Pages through the records of a type from `after` to `end`; each page carries the cursor to resume from.
 * @example for await (const page of listRecords(client, { objectType: 'contacts', properties })) save(page.records, page.next);
 */
export async function* listRecords(client: HubSpotClient, options: ListRecordsOptions): AsyncGenerator<RecordPage> {
  const strategy = options.strategy ?? chooseListStrategy(options.properties);
  yield* strategy === 'chunks' ? listWithChunks(client, options) : listIdsThenBatch(client, options);
}

/** One page of a cursor: its response, the cursor it was read from, and the one after it within the end. */
export interface CursorPage<T> {
  page: ListResponse<T>;
  after?: string;
  next?: string;
}

/**
 * Follows `paging.next.after` from `after`, reading the next page while the consumer handles this one: the one
 * paging loop of every cursor-paged endpoint. A cursor at or past `end()` ends it.
 */
export async function* followCursor<T>(
  fetchPage: (after: string | undefined) => Promise<ListResponse<T>>,
  after?: string,
  end: () => string | undefined = () => undefined,
): AsyncGenerator<CursorPage<T>> {
  const within = (cursor: string | undefined) => {
    const stop = end();
    return cursor !== undefined && (stop === undefined || compareIds(cursor, stop) < 0);
  };
  let from = after;
  let pending = guard(fetchPage(from));
  for (;;) {
    const page = await pending;
    const next = page.paging?.next?.after;
    const more = within(next);
    if (more) pending = guard(fetchPage(next));
    yield { page, after: from, next: more ? next : undefined };
    if (!more) return;
    from = next;
  }
}

/** The records of a page before `end()` (list results come in id order). */
function beforeEnd<T extends { id: string | number }>(results: T[], end: string | undefined): T[] {
  return end === undefined ? results : results.filter((r) => compareIds(String(r.id), end) < 0);
}

function fetchListPage(
  client: HubSpotClient,
  options: ListRecordsOptions,
  after: string | undefined,
  properties: string[],
) {
  return client.request<ListResponse<HubSpotRecord>>({
    method: 'GET',
    path: client.paths.objects(options.objectType),
    query: {
      limit: Math.min(options.limit ?? LIST_LIMITS.maxPageSize, LIST_LIMITS.maxPageSize),
      after,
      properties: properties.length > 0 ? properties.join(',') : undefined,
      archived: options.archived ? true : undefined,
    },
    validate: hasResults,
  });
}

async function* listWithChunks(client: HubSpotClient, options: ListRecordsOptions): AsyncGenerator<RecordPage> {
  const [first = [], ...rest] = chunkProperties(options.properties);
  const end = options.end ?? (() => undefined);
  const pages = followCursor((after) => fetchListPage(client, options, after, first), options.after, end);
  for await (const { page, after, next } of pages) {
    const merged = new Map(
      beforeEnd(page.results, end()).map((r) => [String(r.id), { ...r, id: String(r.id) } as HubSpotRecord]),
    );
    const others = await Promise.all(rest.map((properties) => fetchListPage(client, options, after, properties)));
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
  }
}

async function* listIdsThenBatch(client: HubSpotClient, options: ListRecordsOptions): AsyncGenerator<RecordPage> {
  const end = options.end ?? (() => undefined);
  const idPages = followCursor((after) => fetchListPage(client, options, after, ['hs_object_id']), options.after, end)[
    Symbol.asyncIterator
  ]();
  let exhausted = false;
  const reads: Promise<RecordPage>[] = [];
  try {
    while (!exhausted || reads.length > 0) {
      while (!exhausted && reads.length < READ_AHEAD_PAGES) {
        const step = await idPages.next();
        if (step.done) {
          exhausted = true;
          break;
        }
        const { page, next } = step.value;
        if (next === undefined) exhausted = true;
        // Records archived between list and read drop out here; the archived listing reports them.
        const ids = beforeEnd(page.results, end()).map((r) => String(r.id));
        const read = ids.length
          ? readRecords(client, options.objectType, ids, options.properties, { archived: options.archived })
          : Promise.resolve([]);
        reads.push(guard(read.then((records) => ({ records, next }))));
      }
      if (reads.length) yield await (reads.shift() as Promise<RecordPage>);
    }
  } finally {
    await idPages.return?.(undefined);
  }
}

/** Marks a promise as handled: a consumer that stops early must not leave an unhandled rejection behind. */
export function guard<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
