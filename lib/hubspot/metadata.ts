/**
 * Portal metadata: property definitions, custom object schemas, owners and pipelines.
 */
import type { HubSpotClient } from './client';
import { hasResults } from './property-chunks';
import type { ListResponse, ObjectSchema, Owner, Pipeline, PropertyDefinition } from './types';

export const OWNERS_PAGE_SIZE = 100;

/** `results` of an unpaged GET endpoint (properties, schemas, pipelines). */
async function getResults<T>(
  client: HubSpotClient,
  path: string,
  validate: (body: unknown) => boolean = hasResults,
): Promise<T[]> {
  const response = await client.request<ListResponse<T>>({ method: 'GET', path, validate });
  return response.results;
}

/** GET /crm/v3/properties/{objectType}: every (non-archived) property definition of a type. */
export function listProperties(client: HubSpotClient, objectType: string): Promise<PropertyDefinition[]> {
  return getResults(client, client.paths.properties(objectType), hasPropertyDefinitions);
}

/** Every definition names itself and its type: columns are built from both, so a body without them is malformed. */
function hasPropertyDefinitions(body: unknown): boolean {
  if (!hasResults(body)) return false;
  return (body as { results: unknown[] }).results.every((d) => {
    const def = d as Partial<Record<'name' | 'type', unknown>> | null;
    return typeof def?.name === 'string' && def.name !== '' && typeof def.type === 'string';
  });
}

/** GET /crm/v3/schemas: the custom object schemas (needs crm.schemas.custom.read). */
export function listSchemas(client: HubSpotClient): Promise<ObjectSchema[]> {
  return getResults(client, client.paths.schemas());
}

/** GET /crm/v3/owners, paged; yields one page of owners at a time. */
export async function* listOwners(
  client: HubSpotClient,
  options: { archived?: boolean } = {},
): AsyncGenerator<Owner[]> {
  let after: string | undefined;
  for (;;) {
    const response = await client.request<ListResponse<Owner>>({
      method: 'GET',
      path: client.paths.owners(),
      query: { limit: OWNERS_PAGE_SIZE, after, archived: options.archived ? true : undefined },
      validate: hasResults,
    });
    yield response.results;
    after = response.paging?.next?.after;
    if (after === undefined) return;
  }
}

/** GET /crm/v3/pipelines/{objectType} (deals, tickets): all pipelines with their stages. */
export function listPipelines(client: HubSpotClient, objectType: string): Promise<Pipeline[]> {
  return getResults(client, client.paths.pipelines(objectType));
}
