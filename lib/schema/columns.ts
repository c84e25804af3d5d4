/**
 * HubSpot property definitions -> output columns, and one record -> one NDJSON row of those columns.
 * See lib/schema/README.md for the parse rules and the choices they make.
 */
import { InternalError } from '../core/errors';
import type { HubSpotRecord, PropertyDefinition } from '../hubspot/types';
import { parseTimestamp, parseValue } from './parse-value';
import { isHashable, pseudonymizeText, type ValueHasher } from './pseudonymize';
import { PARTITION_COLUMNS } from '../store/layout';
import type { ColumnSpec } from '../parquet/column-types';
import { mapPropertyType, type RecordColumnType } from './type-map';

/** A column of a record table; TIMESTAMP holds UTC wall-clock time written as plain TIMESTAMP. */
export interface Column extends ColumnSpec {
  type: RecordColumnType;
  /** Set for HubSpot property columns. */
  property?: PropertyDefinition;
  /** The column holds keyed hashes of the property's values (pseudonymize.ts), never the values. */
  hashed?: true;
}

export interface RecordColumnsOptions {
  /** Names of the properties whose columns hold keyed hashes (text properties only). */
  hashed?: ReadonlySet<string>;
}

export interface RowMeta {
  runId: string;
  /** ISO 8601. */
  syncedAt: string;
}

/** Record fields that become the leading columns, with the wire field that feeds each. */
export const LEADING_COLUMNS = [
  { name: 'id', type: 'VARCHAR', field: 'id' },
  { name: 'created_at', type: 'TIMESTAMP', field: 'createdAt' },
  { name: 'updated_at', type: 'TIMESTAMP', field: 'updatedAt' },
  { name: 'archived', type: 'BOOLEAN', field: 'archived' },
  { name: 'archived_at', type: 'TIMESTAMP', field: 'archivedAt' },
] as const satisfies readonly { name: string; type: RecordColumnType; field: keyof HubSpotRecord }[];

export const UNPARSED_COLUMN = '_unparsed';
export const RUN_ID_COLUMN = '_run_id';
export const SYNCED_AT_COLUMN = '_synced_at';

/** Columns every table ends with, record tables and side tables alike: which run wrote the row, and when. */
export const META_COLUMNS = [
  { name: RUN_ID_COLUMN, type: 'VARCHAR' },
  { name: SYNCED_AT_COLUMN, type: 'TIMESTAMP' },
] as const satisfies readonly Column[];

export const TRAILING_COLUMNS = [
  { name: UNPARSED_COLUMN, type: 'MAP(VARCHAR, VARCHAR)' },
  ...META_COLUMNS,
] as const satisfies readonly Column[];

/** Prefix that renames a property whose name collides with a fixed column (or an earlier renamed one). */
export const COLLISION_PREFIX = 'property_';

/**
 * Builds the columns of a record table: id, created_at, updated_at, archived, archived_at, one column per
 * property in definition order, then _unparsed, _run_id, _synced_at. A property whose name collides with a
 * column already taken (case-insensitively, as DuckDB compares names), or with a partition folder's name (which
 * hive-partitioned reads would show instead of it), is renamed by prefixing `property_` until it is free:
 * `id` -> `property_id`, `run_id` -> `property_run_id`. The properties `options.hashed` names get `hashed` columns.
 * @example buildRecordColumns([{ name: 'email', type: 'string', fieldType: 'text', ... }])
 */
export function buildRecordColumns(properties: PropertyDefinition[], options: RecordColumnsOptions = {}): Column[] {
  const fixed: Column[] = [...LEADING_COLUMNS, ...TRAILING_COLUMNS].map(({ name, type }) => ({ name, type }));
  const taken = new Set([...fixed.map((c) => c.name), ...PARTITION_COLUMNS].map((name) => name.toLowerCase()));
  const propertyColumns = properties.map((property): Column => {
    let name = property.name;
    while (taken.has(name.toLowerCase())) name = `${COLLISION_PREFIX}${name}`;
    taken.add(name.toLowerCase());
    const column: Column = { name, type: mapPropertyType(property), property };
    if (!options.hashed?.has(property.name)) return column;
    // The plan refuses these; a column that cannot hold hashes must never be written in clear instead.
    if (!isHashable(property)) throw new InternalError(`property ${property.name} (${property.type}) cannot be hashed`);
    return { ...column, hashed: true };
  });
  return [...fixed.slice(0, LEADING_COLUMNS.length), ...propertyColumns, ...fixed.slice(LEADING_COLUMNS.length)];
}

function toTimestamp(text: string | undefined): string | null | undefined {
  if (text === undefined || text === null) return null;
  const result = parseTimestamp(text);
  return result.ok ? (result.value as string) : undefined;
}

/** `_synced_at` of every row of a part, as TIMESTAMP text; a `syncedAt` that is not a datetime is refused. */
export function syncedAtText(meta: RowMeta): string {
  const syncedAt = toTimestamp(meta.syncedAt);
  if (!syncedAt) throw new InternalError(`syncedAt must be an ISO 8601 datetime, got ${JSON.stringify(meta.syncedAt)}`);
  return syncedAt;
}

/** The hasher of columns that hold hashes: there must be one, or their values would be written in clear. */
export function requireHasher(column: Pick<Column, 'name'>, hash: ValueHasher | undefined): ValueHasher {
  if (!hash) throw new InternalError(`column ${column.name} holds hashes, but no hash key was given to write it`);
  return hash;
}

/**
 * Calls `visit` with each property column and its non-null wire text, in column order; a `hashed` column's text is
 * its hash (pseudonymizeText with `hash`).
 */
export function forEachPropertyText(
  record: HubSpotRecord,
  columns: readonly Column[],
  visit: (column: Column & { property: PropertyDefinition }, text: string) => void,
  hash?: ValueHasher,
): void {
  const properties = record.properties ?? {};
  for (const column of columns) {
    if (!column.property) continue;
    // Own values only: a record without a property named `constructor` has no value for it.
    const name = column.property.name;
    const raw = Object.hasOwn(properties, name) ? properties[name] : undefined;
    if (raw === null || raw === undefined) continue;
    const text = column.hashed ? pseudonymizeText(String(raw), column.type, requireHasher(column, hash)) : String(raw);
    visit(column as Column & { property: PropertyDefinition }, text);
  }
}

/**
 * Converts one record into a JSON-serialisable NDJSON row keyed by column name. Null values are left out of
 * the row (DuckDB's read_json fills missing keys with NULL, which keeps spools of 600-property objects small).
 * Text that does not parse as its column type goes into `_unparsed` (property name, or wire field name for
 * createdAt/updatedAt/archivedAt, -> raw text) and the column stays null; `unparsed` counts those values.
 * `_unparsed` is left out (NULL) when nothing failed. `hashed` columns get the hashes of `hash`.
 */
export function convertRecord(
  record: HubSpotRecord,
  columns: Column[],
  meta: RowMeta,
  hash?: ValueHasher,
): { row: Record<string, unknown>; unparsed: number } {
  const row: Record<string, unknown> = {};
  const unparsed: Record<string, string> = {};
  let count = 0;
  const keep = (key: string, raw: string) => {
    unparsed[key] = raw;
    count += 1;
  };

  row.id = String(record.id);
  for (const { name, field } of LEADING_COLUMNS) {
    if (field === 'id' || field === 'archived') continue;
    const raw = record[field];
    const value = toTimestamp(raw);
    if (value === undefined) keep(field, raw as string);
    else if (value !== null) row[name] = value;
  }
  row.archived = record.archived === true;

  forEachPropertyText(
    record,
    columns,
    (column, text) => {
      const result = parseValue(text, column.type);
      if (result.ok) row[column.name] = result.value;
      else keep(column.property.name, text);
    },
    hash,
  );

  if (count > 0) row[UNPARSED_COLUMN] = unparsed;
  row[RUN_ID_COLUMN] = meta.runId;
  row[SYNCED_AT_COLUMN] = syncedAtText(meta);
  return { row, unparsed: count };
}
