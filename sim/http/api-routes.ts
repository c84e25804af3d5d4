/** Every HubSpot API route the simulator serves, in match order. */
import { associationsBatchRoute } from '../routes/associations';
import { objectSchemasRoute, ownersRoute, pipelinesRoute, propertiesRoute, schemasRoute } from '../routes/metadata';
import { batchReadRoute, listObjectsRoute } from '../routes/objects';
import { searchRoute } from '../routes/search';
import type { Route } from './route';

export const API_ROUTES: readonly Route[] = [
  listObjectsRoute,
  batchReadRoute,
  searchRoute,
  propertiesRoute,
  schemasRoute,
  objectSchemasRoute,
  ownersRoute,
  pipelinesRoute,
  associationsBatchRoute,
];

/** The route for a method and path, with its decoded path parameters. */
export function matchRoute(method: string, path: string): { route: Route; params: string[] } | undefined {
  for (const route of API_ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (m) return { route, params: m.slice(1).map((p) => decodeURIComponent(p)) };
  }
  return undefined;
}
