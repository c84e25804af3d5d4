/** The shape of one API route: its path templates, the scopes it needs, and a handler returning a response value. */
import type { Dataset } from '../data/dataset';
import type { SearchIndex } from '../data/search-index';
import { PROPERTY_LIST_CACHE_SIZE } from '../settings';
import type { SimApiVersion, VersionBehaviour } from './api-versions';
import type { SimResponse } from './responses';

export interface RouteContext {
  /** Decoded path parameters in template order, the version segment left out. */
  readonly params: readonly string[];
  /** The request path as sent (no query), e.g. for paging links. */
  readonly path: string;
  /** The version the path names, and how that version shapes answers. */
  readonly version: SimApiVersion;
  readonly behaviour: VersionBehaviour;
  readonly query: URLSearchParams;
  /** Parsed JSON body (POST), undefined otherwise. */
  readonly body: unknown;
  readonly rawBody: string;
  readonly dataset: Dataset;
  /** What search sees (it trails writes by the search lag). */
  readonly searchIndex: SearchIndex;
  readonly baseUrl: string;
}

export interface Route {
  readonly method: 'GET' | 'POST';
  /**
   * Path templates, each also the log's `route`: literal legacy paths (`/crm/v3/objects/{type}`) and the
   * date-versioned one (`/crm/objects/{ver}/{type}`, `{ver}` one of DATED_VERSIONS); `{name}` is a path parameter.
   */
  readonly paths: readonly string[];
  /** Search routes use the per-second search budget and send no rate headers. */
  readonly search?: boolean;
  /**
   * Exempt from the ten-second window (HubSpot's specs: `x-hubspot-rate-limit-exemptions: ["ten-secondly"]`, as
   * on the associations batch endpoints): counted against the daily limit only.
   */
  readonly tenSecondlyExempt?: boolean;
  /** Scope groups that must all be satisfied; each group is satisfied by any one of its scopes. */
  scopes(ctx: RouteContext): (readonly string[])[];
  handle(ctx: RouteContext): SimResponse;
}

/** Scope group of the object type in path parameter `n`; none when the type is unknown (the handler answers 400). */
export function typeScopes(ctx: RouteContext, n = 0): (readonly string[])[] {
  const store = ctx.dataset.store(ctx.params[n]);
  return store ? [store.type.scopes] : [];
}

/** Parses an optional positive integer query parameter; returns an error message when invalid. */
export function parseLimit(raw: string | null, fallback: number, max: number): number | string {
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) return `limit must be a positive integer, got ${raw}`;
  if (Number(raw) > max) return `limit must be at most ${max}, got ${raw}`;
  return Number(raw);
}

/** Property indexes for a comma list of names (unknown names ignored); the defaults when `names` is undefined. */
export function propertyIndexes(
  properties: { byName: ReadonlyMap<string, number>; defaults: readonly number[] },
  names: readonly string[] | undefined,
): number[] {
  if (names === undefined) return [...properties.defaults];
  const seen = new Set<number>();
  for (const name of names) {
    const p = properties.byName.get(name.trim());
    if (p !== undefined) seen.add(p);
  }
  return [...seen];
}

const listCaches = new WeakMap<object, Map<string, readonly number[]>>();

/**
 * propertyIndexes of the `properties` query parameter, cached per type and parameter text: clients send the same
 * URL chunks page after page, and the returned array's identity lets the page writer reuse its template.
 */
export function queryPropertyIndexes(
  properties: { byName: ReadonlyMap<string, number>; defaults: readonly number[] },
  query: URLSearchParams,
): readonly number[] {
  const raw = query.getAll('properties');
  const key = raw.length === 0 ? '' : `=${raw.join('&')}`;
  let cache = listCaches.get(properties);
  if (!cache) listCaches.set(properties, (cache = new Map()));
  let props = cache.get(key);
  if (!props) {
    props = propertyIndexes(properties, queryList(query, 'properties'));
    if (cache.size >= PROPERTY_LIST_CACHE_SIZE) cache.clear();
    cache.set(key, props);
  }
  return props;
}

/** Names from repeated and comma-separated query parameters, or undefined when absent. */
export function queryList(query: URLSearchParams, name: string): string[] | undefined {
  const all = query.getAll(name);
  if (all.length === 0) return undefined;
  return all.flatMap((v) => v.split(',')).filter((v) => v.length > 0);
}
