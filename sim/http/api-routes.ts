/** Every HubSpot API route the simulator serves, in match order, with its path templates compiled once. */
import { associationsBatchRoute } from '../routes/associations';
import { ownersRoute, pipelinesRoute, propertiesRoute, schemasRoute } from '../routes/metadata';
import { batchReadRoute, listObjectsRoute } from '../routes/objects';
import { searchRoute } from '../routes/search';
import { DATED_VERSIONS, legacyVersionOf, type SimApiVersion } from './api-versions';
import type { Route } from './route';

export const API_ROUTES: readonly Route[] = [
  listObjectsRoute,
  batchReadRoute,
  searchRoute,
  propertiesRoute,
  schemasRoute,
  ownersRoute,
  pipelinesRoute,
  associationsBatchRoute,
];

interface CompiledPath {
  readonly route: Route;
  readonly template: string;
  readonly pattern: RegExp;
  /** The version of a legacy path; dated paths take theirs from the `{ver}` segment. */
  readonly fixedVersion?: SimApiVersion;
  /** Index of the `{ver}` capture among the path's placeholders, -1 on a legacy path. */
  readonly verIndex: number;
}

export interface MatchedRoute {
  readonly route: Route;
  /** The template that matched, e.g. '/crm/objects/{ver}/{type}'. */
  readonly template: string;
  readonly version: SimApiVersion;
  readonly params: string[];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');

/** A template as a RegExp: `{ver}` matches a served date version only (any other is an unknown path: 404). */
export function compilePath(route: Route, template: string): CompiledPath {
  const fixedVersion = legacyVersionOf(template);
  if (fixedVersion === undefined && !template.includes('{ver}')) {
    throw new Error(`Route path ${template} names no version: use a /v3/ or /v4/ segment, or {ver}`);
  }
  const placeholders: string[] = template.match(/\{[a-zA-Z]+\}/g) ?? [];
  const source = template
    .split(/(\{[a-zA-Z]+\})/)
    .map((part) => {
      if (part === '{ver}') return `(${DATED_VERSIONS.map(escapeRegExp).join('|')})`;
      if (/^\{[a-zA-Z]+\}$/.test(part)) return '([^/]+)';
      return escapeRegExp(part);
    })
    .join('');
  // A trailing slash is tolerated everywhere, as on HubSpot's owners paging links.
  const pattern = new RegExp(`^${source}/?$`);
  return { route, template, pattern, fixedVersion, verIndex: placeholders.indexOf('{ver}') };
}

const COMPILED: readonly CompiledPath[] = API_ROUTES.flatMap((route) => route.paths.map((t) => compilePath(route, t)));

/** The route for a method and path, with its template, version and decoded path parameters. */
export function matchRoute(method: string, path: string): MatchedRoute | undefined {
  for (const compiled of COMPILED) {
    if (compiled.route.method !== method) continue;
    const m = compiled.pattern.exec(path);
    if (!m) continue;
    const captures = m.slice(1);
    const version = (compiled.verIndex < 0 ? compiled.fixedVersion : captures[compiled.verIndex]) as SimApiVersion;
    const params = captures.filter((_, n) => n !== compiled.verIndex).map((p) => decodeURIComponent(p));
    return { route: compiled.route, template: compiled.template, version, params };
  }
  return undefined;
}
