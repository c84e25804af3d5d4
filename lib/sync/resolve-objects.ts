import {
  DailyBudgetExhaustedError,
  listSchemas,
  MissingScopesError,
  missingScopeText,
  type HubSpotClient,
} from '../hubspot';
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
  /**
   * Every object type name of the portal that settings may name (standard ones, and custom ones when they had to be
   * listed); undefined when custom objects were needed but could not be listed.
   */
  known?: string[];
}

const standardObjects = (): ResolvedObject[] =>
  STANDARD_OBJECT_TYPES.map((type) => ({
    object: type.name,
    apiName: type.name,
    lastModifiedProperty: type.lastModifiedProperty,
    custom: false,
  }));

/** Standard type names: a custom object named like one is exported under its fully qualified name instead. */
const STANDARD_NAMES = new Set<string>(STANDARD_OBJECT_TYPES.map((type) => type.name));

async function customObjects(client: HubSpotClient): Promise<ResolvedObject[] | ObjectFailure> {
  try {
    const schemas = await listSchemas(client);
    return schemas.map((schema) => ({
      object: STANDARD_NAMES.has(schema.name) ? schema.fullyQualifiedName : schema.name,
      apiName: schema.objectTypeId,
      lastModifiedProperty: CUSTOM_LAST_MODIFIED_PROPERTY,
      custom: true,
    }));
  } catch (error) {
    // The day's budget spent: the custom objects fail with that reason, and the plan goes on to report the others.
    if (error instanceof DailyBudgetExhaustedError) return { object: 'custom objects', reason: error.reason };
    if (!(error instanceof MissingScopesError)) throw error;
    return { object: 'custom objects', reason: missingScopeText(error.scopes.length ? error.scopes : [SCHEMAS_SCOPE]) };
  }
}

/**
 * Turns the requested names (or 'all') into the objects to export. Unknown names are bad input and throw before
 * anything is written, naming the close one of a typo; when the key cannot list custom objects, a name that is not
 * standard fails instead, since it may be one. `all` means every standard object, every custom object and, in
 * full runs, owners and pipelines. Custom objects are listed too when `alsoNamed` (the objects settings name) holds
 * a name that is not standard, so `known` can tell whether it exists.
 */
export async function resolveObjects(
  client: HubSpotClient,
  requested: readonly string[] | 'all',
  includeSideTables: boolean,
  alsoNamed: readonly string[] = [],
): Promise<ResolvedObjects> {
  const standard = standardObjects();
  const wanted = requested === 'all' ? undefined : new Set(requested);
  const notStandard = (name: string) => !standard.some((o) => o.object === name) && !isSideTable(name);
  const needsCustom = !wanted || [...wanted, ...alsoNamed].some(notStandard);
  const custom = needsCustom ? await customObjects(client) : [];
  const failures: ObjectFailure[] = [];
  const known = [...standard, ...(Array.isArray(custom) ? custom : [])];
  const knownNames = Array.isArray(custom) ? { known: known.map((o) => o.object) } : {};
  // Named objects carry the reason themselves (below); `all` reports that its custom objects are missing.
  if (!Array.isArray(custom) && !wanted) failures.push(custom);

  if (!wanted) {
    return { objects: known, sideTables: includeSideTables ? [...SIDE_TABLES] : [], failures, ...knownNames };
  }
  const unknown = [...wanted].filter((name) => !isSideTable(name) && !known.some((o) => o.object === name));
  const names = [...known.map((o) => o.object), ...SIDE_TABLES];
  const named = (name: string) => `${name}${didYouMean(name, names)}`;
  if (unknown.length && Array.isArray(custom)) {
    throw new InvalidInputError(
      `unknown object type ${unknown.map(named).join(', ')}; this portal has: ${names.join(', ')}`,
    );
  }
  // Without the schemas scope a name that is not standard may still be a custom object: it fails, saying both.
  for (const name of unknown) {
    const reason = `not a standard object type${didYouMean(name, names)}, and custom objects cannot be listed: ${(custom as ObjectFailure).reason}`;
    failures.push({ object: name, reason });
  }
  return {
    objects: known.filter((o) => wanted.has(o.object)),
    sideTables: SIDE_TABLES.filter((name) => wanted.has(name)),
    failures,
    ...knownNames,
  };
}

/**
 * ` (did you mean x?)` for the candidate nearest to `name` when it is a typo away (case aside, within two edits;
 * one for names of up to five letters, where two edits reach other words: goals is not deals) and no other is as
 * near; else nothing.
 */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const lower = name.toLowerCase();
  const reach = lower.length <= 5 ? 1 : 2;
  const distances = candidates.map((candidate) => editDistance(lower, candidate.toLowerCase()));
  const nearest = Math.min(...distances);
  const close = candidates.filter((_, i) => distances[i] === nearest);
  return nearest <= reach && close.length === 1 ? ` (did you mean ${close[0]}?)` : '';
}

/** Levenshtein distance: insertions, deletions and substitutions that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

function isSideTable(name: string): boolean {
  return (SIDE_TABLES as readonly string[]).includes(name);
}
