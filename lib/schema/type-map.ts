/**
 * Settings as data: how HubSpot property definitions map to DuckDB/Parquet column types.
 * TIMESTAMP columns hold UTC wall-clock time (HubSpot datetimes are UTC); they are written as
 * plain TIMESTAMP, so readers must treat them as UTC.
 */
import type { FieldType, PropertyDefinition, PropertyType } from '../hubspot/types';
import type { RecordColumnType } from '../parquet/column-types';

export type { RecordColumnType } from '../parquet/column-types';

/** Column type by HubSpot `type`. `calculation_equation` needs no entry: it follows `type`. */
export const PROPERTY_TYPE_COLUMNS = {
  string: 'VARCHAR',
  phone_number: 'VARCHAR',
  json: 'VARCHAR',
  object_coordinates: 'VARCHAR',
  number: 'DOUBLE',
  bool: 'BOOLEAN',
  date: 'DATE',
  datetime: 'TIMESTAMP',
  enumeration: 'VARCHAR',
} as const satisfies Record<PropertyType, RecordColumnType>;

/** Overrides by (`type`, `fieldType`): a checkbox enumeration is a `;`-separated multi-select. */
export const FIELD_TYPE_OVERRIDES: readonly { type: PropertyType; fieldType: FieldType; column: RecordColumnType }[] = [
  { type: 'enumeration', fieldType: 'checkbox', column: 'VARCHAR[]' },
] as const;

/** Separator of multi-select values on the wire. */
export const MULTI_SELECT_SEPARATOR = ';';

/** Unknown property types (HubSpot adds some now and then) keep their raw text. */
export const FALLBACK_COLUMN_TYPE: RecordColumnType = 'VARCHAR';

/**
 * Maps one property definition to its column type.
 * @example mapPropertyType({ type: 'enumeration', fieldType: 'checkbox', ... }) // 'VARCHAR[]'
 */
export function mapPropertyType(property: Pick<PropertyDefinition, 'type' | 'fieldType'>): RecordColumnType {
  const override = FIELD_TYPE_OVERRIDES.find((o) => o.type === property.type && o.fieldType === property.fieldType);
  if (override) return override.column;
  // Own keys only: a type named like an Object member (`constructor`, `__proto__`) is an unknown type.
  return Object.hasOwn(PROPERTY_TYPE_COLUMNS, property.type)
    ? (PROPERTY_TYPE_COLUMNS as Record<string, RecordColumnType>)[property.type]
    : FALLBACK_COLUMN_TYPE;
}
