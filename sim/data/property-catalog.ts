/** Property definitions per object type, with the generator settings that produce their values. */
import type { PropertyDefinition } from '../../lib/hubspot/types';
import type { CatalogType } from './object-catalog';
import { PROPERTY_KINDS, buildOptions, type GeneratorName, type KindName, type OptionSetName } from './property-kinds';
import {
  COMMON_PROPERTIES,
  CUSTOM_KIND_CYCLE,
  CUSTOM_NAME_PARTS,
  CUSTOM_PROPERTY_COUNT,
  GENERIC_PROPERTIES,
  PRIMARY_PROPERTY,
  TYPE_PROPERTIES,
  type PropertyRow,
} from './property-tables';

export interface SimProperty {
  readonly def: PropertyDefinition;
  readonly generator: GeneratorName;
  /** Share of records with a value, per mille. */
  readonly fill: number;
  readonly optionValues: readonly string[];
  /** Pre-serialised `"name":` for fast JSON output. */
  readonly jsonKey: string;
  /** Compared numerically in search filters and sorts. */
  readonly numeric: boolean;
}

export interface TypeProperties {
  readonly list: readonly SimProperty[];
  readonly byName: ReadonlyMap<string, number>;
  /** Indexes of the properties returned when a request names none. */
  readonly defaults: readonly number[];
}

/** Builds the property catalog of one object type. */
export function buildTypeProperties(type: CatalogType, customCount?: number): TypeProperties {
  const rows: PropertyRow[] = [
    ...COMMON_PROPERTIES,
    [type.lastModifiedProperty, 'systemDatetime', 1000],
    ...(TYPE_PROPERTIES[type.name] ?? GENERIC_PROPERTIES),
    ...buildCustomRows(type.name, customCount),
  ];
  const list = rows.map((row) => buildProperty(row, type));
  const byName = new Map(list.map((p, i) => [p.def.name, i]));
  const primary = PRIMARY_PROPERTY[type.name] ?? 'hs_title';
  const defaultNames =
    type.name === 'contacts'
      ? ['firstname', 'lastname', 'email', 'createdate', 'lastmodifieddate', 'hs_object_id']
      : [primary, 'createdate', type.lastModifiedProperty, 'hs_object_id'];
  const defaults = defaultNames.map((n) => byName.get(n)).filter((i): i is number => i !== undefined);
  return { list, byName, defaults };
}

/** A property an admin creates now: no record has a value of it yet. */
export const createdProperty = (name: string, kind: KindName, type: CatalogType): SimProperty =>
  buildProperty([name, kind, 0], type);

function buildProperty([name, kindName, fill, optionSet]: PropertyRow, type: CatalogType): SimProperty {
  const typeName = type.name;
  const kind = PROPERTY_KINDS[kindName];
  const set: OptionSetName | undefined =
    kind.type === 'enumeration' && kind.generator !== 'owner' ? (optionSet ?? 'generic') : undefined;
  const options = set ? buildOptions(set) : [];
  const def: PropertyDefinition = {
    name,
    label: labelFor(name),
    type: kind.type,
    fieldType: kind.fieldType,
    groupName: name.startsWith('custom_') ? 'custom_fields' : `${typeName.replace(/s$/, '')}information`,
    description: `${labelFor(name)} of the record.`,
    options,
    calculated: kind.fieldType === 'calculation_equation',
    hasUniqueValue: name === 'hs_object_id',
    hidden: false,
    hubspotDefined: !name.startsWith('custom_') && (!type.custom || name.startsWith('hs_') || name === 'createdate'),
    archived: false,
  };
  return {
    def,
    generator: kind.generator,
    fill,
    optionValues: options.map((o) => o.value),
    jsonKey: `${JSON.stringify(name)}:`,
    numeric: kind.type === 'number' || kind.type === 'datetime' || kind.type === 'date',
  };
}

function buildCustomRows(typeName: string, customCount?: number): PropertyRow[] {
  const count =
    customCount ?? (typeName === 'contacts' ? CUSTOM_PROPERTY_COUNT.contacts : CUSTOM_PROPERTY_COUNT.others);
  const { areas, subjects, details } = CUSTOM_NAME_PARTS;
  const rows: PropertyRow[] = [];
  for (let i = 0; i < count; i++) {
    const name = [
      'custom',
      areas[i % areas.length],
      subjects[Math.floor(i / areas.length) % subjects.length],
      details[i % details.length],
      String(i).padStart(4, '0'),
    ].join('_');
    const kind = CUSTOM_KIND_CYCLE[i % CUSTOM_KIND_CYCLE.length];
    // Sparse: most custom values are null, as in real portals.
    rows.push([name, kind, 20 + ((i * 37) % 80)]);
  }
  return rows;
}

function labelFor(name: string): string {
  return name
    .replace(/^(hs_|custom_)/, '')
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}
