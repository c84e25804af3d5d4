import { listSchemas, MissingScopesError, type HubSpotClient } from '../hubspot';
import { CUSTOM_LAST_MODIFIED_PROPERTY, SCHEMAS_SCOPE, STANDARD_OBJECT_TYPES } from '../hubspot/object-types';
import { InvalidInputError } from './run-input';
import type { ObjectFailure } from './types';

/** Tables that are not CRM objects but ride along with full runs. */
export const SIDE_TABLES = ['owners', 'pipelines'] as const;

export interface ResolvedObject {
  object: string;
  apiName: string;
  lastModifiedProperty: string;
  custom: boolean;
}

export interface ResolvedObjects {
  objects: ResolvedObject[];
  sideTables: (typeof SIDE_TABLES)[number][];
  failures: ObjectFailure[];
}

const standardObjects = (): ResolvedObject[] =>
  STANDARD_OBJECT_TYPES.map((type) => ({
    object: type.name,
    apiName: type.name,
    lastModifiedProperty: type.lastModifiedProperty,
    custom: false,
  }));

async function customObjects(client: HubSpotClient): Promise<ResolvedObject[] | ObjectFailure> {
  try {
    const schemas = await listSchemas(client);
    return schemas.map((schema) => ({
      object: schema.name,
      apiName: schema.objectTypeId,
      lastModifiedProperty: CUSTOM_LAST_MODIFIED_PROPERTY,
      custom: true,
    }));
  } catch (error) {
    if (!(error instanceof MissingScopesError)) throw error;
    return { object: 'custom objects', reason: `missing scope ${error.scopes.join(' or ') || SCHEMAS_SCOPE}` };
  }
}

/**
 * Turns the requested names (or 'all') into the objects to export. Unknown names are bad input and
 * throw before anything is written; `all` means every standard object, every custom object and,
 * in full runs, owners and pipelines.
 */
export async function resolveObjects(
  client: HubSpotClient,
  requested: readonly string[] | 'all',
  includeSideTables: boolean,
): Promise<ResolvedObjects> {
  const standard = standardObjects();
  const wanted = requested === 'all' ? undefined : new Set(requested);
  const needsCustom =
    !wanted || [...wanted].some((name) => !standard.some((o) => o.object === name) && !isSideTable(name));
  const custom = needsCustom ? await customObjects(client) : [];
  const failures: ObjectFailure[] = [];
  const known = [...standard, ...(Array.isArray(custom) ? custom : [])];
  if (!Array.isArray(custom)) failures.push(custom);

  if (!wanted) {
    return { objects: known, sideTables: includeSideTables ? [...SIDE_TABLES] : [], failures };
  }
  const unknown = [...wanted].filter((name) => !isSideTable(name) && !known.some((o) => o.object === name));
  if (unknown.length && Array.isArray(custom)) {
    const names = [...known.map((o) => o.object), ...SIDE_TABLES].join(', ');
    throw new InvalidInputError(`unknown object type ${unknown.join(', ')}; this portal has: ${names}`);
  }
  for (const name of unknown) failures.push({ object: name, reason: (custom as ObjectFailure).reason });
  return {
    objects: known.filter((o) => wanted.has(o.object)),
    sideTables: SIDE_TABLES.filter((name) => wanted.has(name)),
    failures,
  };
}

function isSideTable(name: string): boolean {
  return (SIDE_TABLES as readonly string[]).includes(name);
}
