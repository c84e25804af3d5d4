/** Properties, schemas, owners (paged) and pipelines, on the v3 and the date-versioned paths. */
import { OWNERS_SCOPE, SCHEMAS_SCOPE } from '../data/scopes';
import { LIMITS } from '../settings';
import { json, unknownObjectType, validationError } from '../http/responses';
import { parseLimit, typeScopes, type Route } from '../http/route';

export const propertiesRoute: Route = {
  method: 'GET',
  paths: ['/crm/v3/properties/{type}', '/crm/properties/{ver}/{type}'],
  scopes: (ctx) => typeScopes(ctx),
  handle: (ctx) => {
    const store = ctx.dataset.store(ctx.params[0]);
    if (!store) return unknownObjectType(ctx.params[0]);
    // An archived (deleted) property is left out, as HubSpot does unless asked with archived=true.
    return json(200, { results: store.properties.list.filter((p) => !p.def.archived).map((p) => p.def) });
  },
};

/** GET /crm/v3/schemas is the docs' path, /crm-object-schemas/v3/schemas the OpenAPI spec's: both are served. */
export const schemasRoute: Route = {
  method: 'GET',
  paths: ['/crm/v3/schemas', '/crm-object-schemas/v3/schemas', '/crm-object-schemas/{ver}/schemas'],
  scopes: () => [[SCHEMAS_SCOPE]],
  handle: (ctx) => json(200, { results: ctx.dataset.schemas() }),
};

export const ownersRoute: Route = {
  method: 'GET',
  paths: ['/crm/v3/owners', '/crm/owners/{ver}'],
  scopes: () => [[OWNERS_SCOPE]],
  handle: (ctx) => {
    const limit = parseLimit(ctx.query.get('limit'), LIMITS.ownersDefault, LIMITS.ownersMax);
    if (typeof limit === 'string') return validationError(limit);
    const after = ctx.query.get('after') ?? '0';
    if (!/^\d+$/.test(after)) return validationError(`after must be an offset, got ${after}`);
    const archived = ctx.query.get('archived') === 'true';
    const owners = ctx.dataset.owners.filter((o) => o.archived === archived);
    const offset = Number(after);
    const page = owners.slice(offset, offset + limit);
    const nextOffset = offset + limit;
    const paging =
      nextOffset < owners.length
        ? {
            next: {
              after: String(nextOffset),
              link: `${ctx.baseUrl}${ctx.path}?limit=${limit}&after=${nextOffset}&archived=${archived}`,
            },
          }
        : undefined;
    return json(200, paging ? { results: page, paging } : { results: page });
  },
};

export const pipelinesRoute: Route = {
  method: 'GET',
  paths: ['/crm/v3/pipelines/{type}', '/crm/pipelines/{ver}/{type}'],
  scopes: (ctx) => typeScopes(ctx),
  handle: (ctx) => {
    const store = ctx.dataset.store(ctx.params[0]);
    if (!store) return unknownObjectType(ctx.params[0]);
    if (!store.type.hasPipelines) return validationError(`Object type ${store.type.name} has no pipelines`);
    return json(200, { results: ctx.dataset.pipelines(store.type.name) });
  },
};
