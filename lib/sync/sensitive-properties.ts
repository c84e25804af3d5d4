/**
 * The sensitive-property settings, as users write them (`--exclude-properties`, `-c excludeProperties`,
 * `--hash-properties`, `-c hashProperties`): `object.property` entries separated by commas, or `object.prefix*` for
 * every property whose name starts with the prefix. An excluded property is never requested from HubSpot and has no
 * column; a hashed one's column holds keyed hashes (lib/schema/pseudonymize.ts). The plan checks every entry against
 * the portal before anything is written, and stores what they make of each object, so every step of a run and its
 * finalize agree on it.
 */
import type { PropertyDefinition } from '../hubspot/types';
import { buildRecordColumns, type Column } from '../schema/columns';
import { HASHABLE_TYPES, isHashable } from '../schema/pseudonymize';
import { mapPropertyType } from '../schema/type-map';
import { didYouMean, SIDE_TABLES } from './resolve-objects';
import { InvalidInputError, OBJECT_NAME, quote } from './run-input';
import type { PropertyHandling, RunPlan } from './types';

export type { PropertyHandling } from './types';

/** One entry of a setting: a property of an object, or (`prefix` set) every property whose name starts with it. */
export interface PropertyRef {
  object: string;
  /** The property name, or the prefix before a final `*` (possibly empty: every property). */
  property: string;
  prefix?: true;
}

/** The settings, each a list of entries (SyncSettings holds them). */
export interface PropertySettings {
  /** Never requested, never written. */
  excludeProperties: readonly PropertyRef[];
  /** Written as keyed hashes (needs a hash key). */
  hashProperties: readonly PropertyRef[];
}

/** What one object's definitions become: those requested from HubSpot, and how the settings handle the rest. */
export interface SplitProperties extends PropertyHandling {
  requested: PropertyDefinition[];
}

/** HubSpot's internal property names: letters, digits and `_`. */
const PROPERTY_NAME = /^[A-Za-z0-9_]+$/;
const PREFIX_PATTERN = /^[A-Za-z0-9_]*\*$/;
const SETTING_WORDS = { excludeProperties: 'excluded', hashProperties: 'hashed' } as const;
type SettingName = keyof typeof SETTING_WORDS;

/** What an object whose properties are all excluded asks HubSpot for: the record id alone, never the defaults. */
export const ID_PROPERTY = 'hs_object_id';

export const formatPropertyRef = (ref: PropertyRef): string => `${ref.object}.${ref.property}${ref.prefix ? '*' : ''}`;

/** The entries as text (`none` for no entries), as the stack hands them to the plan function. */
export const formatPropertyRefs = (refs: readonly PropertyRef[]): string =>
  refs.length ? refs.map(formatPropertyRef).join(',') : 'none';

/**
 * The entries `text` names, each once, in its order; `none` or nothing is no entry. A bad entry throws
 * InvalidInputError with a message that follows the setting's name (`--exclude-properties must be ...`).
 * @example parsePropertyRefs('contacts.email, contacts.hs_email_*') // [{ object: 'contacts', property: 'email' }, ...]
 */
export function parsePropertyRefs(text: string): PropertyRef[] {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'none') return [];
  const refs = new Map<string, PropertyRef>();
  for (const entry of trimmed.split(',').map((part) => part.trim())) {
    const dot = entry.indexOf('.');
    const [object, property] = dot < 0 ? [entry, ''] : [entry.slice(0, dot), entry.slice(dot + 1)];
    const prefix = PREFIX_PATTERN.test(property);
    if (!OBJECT_NAME.test(object) || !(prefix || PROPERTY_NAME.test(property))) {
      throw new InvalidInputError(
        'must be object.property entries separated by commas (object.prefix* for every property starting with ' +
          `prefix), such as contacts.email,contacts.phone,notes.hs_note_body, or none; ${quote(entry)} is not one`,
      );
    }
    const ref: PropertyRef = prefix ? { object, property: property.slice(0, -1), prefix } : { object, property };
    refs.set(formatPropertyRef(ref), ref);
  }
  return [...refs.values()];
}

const matches = (ref: PropertyRef, name: string): boolean =>
  ref.prefix ? name.startsWith(ref.property) : name === ref.property;

/** The object names the settings mention. */
export function settingObjects(settings: PropertySettings): string[] {
  return [...new Set([...settings.excludeProperties, ...settings.hashProperties].map((ref) => ref.object))];
}

/**
 * Problems with the objects the settings name: side tables (their columns are fixed), and names the portal does not
 * have. `known` holds the portal's object types (resolveObjects); undefined when its custom objects could not be
 * listed, so a name that is not standard cannot be checked (and no object of that name is exported either).
 */
function objectIssues(settings: PropertySettings, known: readonly string[] | undefined): string[] {
  return settingObjects(settings).flatMap((object) => {
    if ((SIDE_TABLES as readonly string[]).includes(object)) {
      return [`${object} is not a CRM object: its columns are fixed and cannot be excluded or hashed`];
    }
    if (!known || known.includes(object)) return [];
    return [`unknown object type ${object}${didYouMean(object, known)}; this portal has: ${known.join(', ')}`];
  });
}

/** Problems with one object's entries of one setting, against its definitions. */
function propertyIssues(setting: SettingName, refs: readonly PropertyRef[], definitions: PropertyDefinition[]) {
  const names = definitions.map((d) => d.name);
  return refs.flatMap((ref) => {
    const found = definitions.filter((d) => matches(ref, d.name));
    const named = `${SETTING_WORDS[setting]} property ${formatPropertyRef(ref)}`;
    if (!found.length) {
      return [
        ref.prefix
          ? `${named} matches no property of ${ref.object}`
          : `${named}: ${ref.object} has no property ${ref.property}${didYouMean(ref.property, names)}`,
      ];
    }
    if (setting !== 'hashProperties') return [];
    const unhashable = found.filter((d) => !isHashable(d));
    if (!unhashable.length) return [];
    const listed = unhashable.map((d) => `${d.name} (${mapPropertyType(d)})`).join(', ');
    return [
      `${named}: only text properties (${HASHABLE_TYPES.join(', ')} columns) can be hashed, not ${listed}; ` +
        'exclude those instead',
    ];
  });
}

/**
 * What the settings make of each object's definitions, by object name. Every entry is checked first, and any problem
 * (an unknown object or property, named with the closest real name; a property both excluded and hashed; hashing a
 * number, date or bool) throws one InvalidInputError naming them all: nothing is requested or written with them.
 * Properties of objects not in `objects` are left unchecked (their definitions were not read).
 */
export function applyPropertySettings(
  objects: readonly { object: string; properties: PropertyDefinition[] }[],
  settings: PropertySettings,
  known: readonly string[] | undefined,
): Map<string, SplitProperties> {
  const issues = objectIssues(settings, known);
  const split = new Map<string, SplitProperties>();
  for (const { object, properties } of objects) {
    const of = (refs: readonly PropertyRef[]) => refs.filter((ref) => ref.object === object);
    const [exclude, hash] = [of(settings.excludeProperties), of(settings.hashProperties)];
    issues.push(
      ...propertyIssues('excludeProperties', exclude, properties),
      ...propertyIssues('hashProperties', hash, properties),
    );
    const excluded = properties.filter((d) => exclude.some((ref) => matches(ref, d.name)));
    const hashed = properties.filter((d) => hash.some((ref) => matches(ref, d.name)));
    for (const both of hashed.filter((d) => excluded.includes(d))) {
      issues.push(`${object}.${both.name} is both excluded and hashed: name it in one of the two settings only`);
    }
    split.set(object, {
      requested: properties.filter((d) => !excluded.includes(d)),
      excluded,
      hashed: hashed.map((d) => d.name),
    });
  }
  if (issues.length) throw new InvalidInputError(`sensitive properties: ${issues.join('; ')}`);
  return split;
}

/** The property names a records item asks HubSpot for: never empty, since no names would bring HubSpot's defaults. */
export function requestedNames(properties: readonly PropertyDefinition[]): string[] {
  return properties.length ? properties.map((p) => p.name) : [ID_PROPERTY];
}

/** The columns of `object`'s record table in `plan`: its requested properties, hashed ones marked. */
export function recordColumnsOf(plan: Pick<RunPlan, 'properties' | 'propertyHandling'>, object: string): Column[] {
  return buildRecordColumns(plan.properties[object] ?? [], {
    hashed: new Set(plan.propertyHandling?.[object]?.hashed ?? []),
  });
}
