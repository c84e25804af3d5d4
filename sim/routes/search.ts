/** Search (v3 and every date version alike): filters, one sort, offset paging capped at 10,000 results. */
import type { SearchSource } from '../data/search-index';
import type { TypeStore } from '../data/type-store';
import { LIMITS } from '../settings';
import { unknownObjectType, validationError, type SimResponse } from '../http/responses';
import { propertyIndexes, typeScopes, type Route, type RouteContext } from '../http/route';
import { compileFilterGroups, numericReader, valueReader } from './search-filters';

export const searchRoute: Route = {
  method: 'POST',
  paths: ['/crm/v3/objects/{type}/search', '/crm/objects/{ver}/{type}/search'],
  search: true,
  scopes: (ctx) => typeScopes(ctx),
  handle: search,
};

interface SearchBody {
  filterGroups?: unknown;
  sorts?: unknown;
  properties?: unknown;
  limit?: unknown;
  after?: unknown;
}

/** The last match list per type, keyed by what search sees of it and the query (paging re-sends the same query). */
const matchCache = new WeakMap<TypeStore, { key: string; matches: Int32Array }>();

function search(ctx: RouteContext): SimResponse {
  const store = ctx.dataset.store(ctx.params[0]);
  if (!store) return unknownObjectType(ctx.params[0]);
  if (ctx.rawBody.length > LIMITS.searchBodyMaxChars) {
    return validationError(
      `The request body is ${ctx.rawBody.length} characters; at most ${LIMITS.searchBodyMaxChars} are allowed`,
    );
  }
  const body = (ctx.body ?? {}) as SearchBody;
  const limit = body.limit === undefined ? LIMITS.searchDefault : Number(body.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.searchMax) {
    return validationError(`limit must be an integer from 1 to ${LIMITS.searchMax}, got ${String(body.limit)}`);
  }
  const offset = body.after === undefined || body.after === null ? 0 : Number(body.after);
  if (!Number.isInteger(offset) || offset < 0)
    return validationError(`after must be an integer offset, got ${String(body.after)}`);
  if (offset + limit > LIMITS.searchResultCap) {
    return validationError(`Cannot page beyond ${LIMITS.searchResultCap} results (after ${offset} + limit ${limit})`);
  }
  // Search reads its index, which trails writes by the search lag; list and batch read read the records.
  const source = ctx.searchIndex.source(store);
  const matches = findMatches(source, body);
  if (typeof matches === 'string') return validationError(matches);
  const names = Array.isArray(body.properties) ? body.properties.map(String) : undefined;
  const props = propertyIndexes(store.properties, names);
  const page: string[] = [];
  for (let k = offset; k < Math.min(matches.length, offset + limit); k++) {
    const i = matches[k];
    page.push(store.recordJson(i, props, source.stale?.get(i) ?? undefined));
  }
  const next = offset + limit < matches.length ? `,"paging":{"next":{"after":"${offset + limit}"}}` : '';
  return { status: 200, body: `{"total":${matches.length},"results":[${page.join(',')}]${next}}` };
}

function findMatches(source: SearchSource, body: SearchBody): Int32Array | string {
  const { store, stale } = source;
  const key = `${source.key}|${JSON.stringify(body.filterGroups ?? null)}|${JSON.stringify(body.sorts ?? null)}`;
  const cached = matchCache.get(store);
  if (cached?.key === key) return cached.matches;
  const sort = parseSort(store, body.sorts);
  if (typeof sort === 'string') return sort;
  const predicate = compileFilterGroups(source, body.filterGroups);
  if (typeof predicate === 'string') return predicate;
  const found: number[] = [];
  // Search never returns archived records; a lagging record counts as search last saw it (null: not created yet).
  const live = stale
    ? (i: number) => {
        const state = stale.get(i);
        return state === undefined ? store.archived[i] === 0 : state !== null && state.archived === 0;
      }
    : (i: number) => store.archived[i] === 0;
  for (let i = 0; i < store.length; i++) if (live(i) && predicate(i)) found.push(i);
  const matches = Int32Array.from(found);
  if (sort) sortMatches(source, matches, sort.p, sort.descending);
  matchCache.set(store, { key, matches });
  return matches;
}

function parseSort(store: TypeStore, sorts: unknown): { p: number; descending: boolean } | undefined | string {
  if (sorts === undefined || (Array.isArray(sorts) && sorts.length === 0)) return undefined;
  if (!Array.isArray(sorts)) return 'sorts must be an array';
  if (sorts.length > 1) return 'Only one sort is allowed';
  const sort = sorts[0] as { propertyName?: unknown; direction?: unknown } | string;
  const name = typeof sort === 'string' ? sort.replace(/^-/, '') : String(sort?.propertyName ?? '');
  const descending = typeof sort === 'string' ? sort.startsWith('-') : sort?.direction === 'DESCENDING';
  const p = store.properties.byName.get(name);
  if (p === undefined) return `Cannot sort by unknown property ${name}`;
  return { p, descending };
}

/** Sorts by the property (numeric or text), ties by id ascending, so paging is stable. */
function sortMatches(source: SearchSource, matches: Int32Array, p: number, descending: boolean): void {
  const sign = descending ? -1 : 1;
  if (source.store.properties.list[p].numeric) {
    const read = numericReader(source, p);
    const keys = new Map<number, number>();
    for (const i of matches) keys.set(i, read(i));
    matches.sort((a, b) => {
      const ka = keys.get(a) as number;
      const kb = keys.get(b) as number;
      const na = Number.isNaN(ka);
      const nb = Number.isNaN(kb);
      if (na || nb) return na === nb ? a - b : na ? 1 : -1;
      return ka === kb ? a - b : (ka - kb) * sign;
    });
    return;
  }
  const texts = new Map<number, string>();
  const value = valueReader(source, p);
  for (const i of matches) texts.set(i, value(i) ?? '');
  matches.sort((a, b) => {
    const ta = texts.get(a) as string;
    const tb = texts.get(b) as string;
    return ta === tb ? a - b : (ta < tb ? -1 : 1) * sign;
  });
}
