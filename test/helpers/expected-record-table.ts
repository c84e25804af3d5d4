/**
 * What an exported record table must hold, written out here from the documented contract (DESIGN.md "Columns",
 * lib/schema/README.md) and not imported from lib/schema: the oracle comparison must not check the library's
 * mapping with the library's mapping. A disagreement between this file and an export is a finding about one of
 * them, to be settled against the documents, never by copying lib's code here.
 */
import type { HubSpotRecord } from '../../lib/hubspot/types';

/** Column types as DuckDB names them when it describes a Parquet file. */
export type ExpectedColumnType =
  'VARCHAR' | 'DOUBLE' | 'BOOLEAN' | 'DATE' | 'TIMESTAMP' | 'VARCHAR[]' | 'MAP(VARCHAR, VARCHAR)';

/**
 * HubSpot property `type` (and, where it decides, `fieldType`) -> column type; first match wins; a type not
 * listed (HubSpot adds some) is VARCHAR. `calculation_equation` is a fieldType and changes nothing.
 */
export const EXPECTED_PROPERTY_COLUMNS: readonly { type: string; fieldType?: string; column: ExpectedColumnType }[] = [
  { type: 'enumeration', fieldType: 'checkbox', column: 'VARCHAR[]' },
  { type: 'enumeration', column: 'VARCHAR' },
  { type: 'string', column: 'VARCHAR' },
  { type: 'phone_number', column: 'VARCHAR' },
  { type: 'json', column: 'VARCHAR' },
  { type: 'object_coordinates', column: 'VARCHAR' },
  { type: 'number', column: 'DOUBLE' },
  { type: 'bool', column: 'BOOLEAN' },
  { type: 'date', column: 'DATE' },
  { type: 'datetime', column: 'TIMESTAMP' },
];

/** Columns before the properties, with the record field each comes from. */
export const EXPECTED_LEADING_COLUMNS = [
  { name: 'id', type: 'VARCHAR', field: 'id' },
  { name: 'created_at', type: 'TIMESTAMP', field: 'createdAt' },
  { name: 'updated_at', type: 'TIMESTAMP', field: 'updatedAt' },
  { name: 'archived', type: 'BOOLEAN', field: 'archived' },
  { name: 'archived_at', type: 'TIMESTAMP', field: 'archivedAt' },
] as const;

/** Columns after the properties. */
export const EXPECTED_TRAILING_COLUMNS = [
  { name: '_unparsed', type: 'MAP(VARCHAR, VARCHAR)' },
  { name: '_run_id', type: 'VARCHAR' },
  { name: '_synced_at', type: 'TIMESTAMP' },
] as const;

/** Hive partition folders a reader shows as columns: a property of one of these names is renamed too. */
export const EXPECTED_PARTITION_NAMES = ['snapshot_date', 'change_date', 'run_id'] as const;

/** What a property whose name is taken (case-insensitively) is prefixed with, as often as it takes. */
export const EXPECTED_COLLISION_PREFIX = 'property_';

export interface ExpectedColumn {
  name: string;
  type: ExpectedColumnType;
  /** The HubSpot property the column holds (its name on the wire). */
  property?: string;
}

/** A property definition as far as the mapping reads it. */
export interface PropertyShape {
  name: string;
  type: string;
  fieldType: string;
}

/** The column type of one property definition. */
export function expectedColumnType(property: Pick<PropertyShape, 'type' | 'fieldType'>): ExpectedColumnType {
  const row = EXPECTED_PROPERTY_COLUMNS.find(
    (r) => r.type === property.type && (r.fieldType === undefined || r.fieldType === property.fieldType),
  );
  return row?.column ?? 'VARCHAR';
}

/** Every column of a record table, in order: leading, one per property in definition order, trailing. */
export function expectedColumns(properties: readonly PropertyShape[]): ExpectedColumn[] {
  const fixed = [...EXPECTED_LEADING_COLUMNS, ...EXPECTED_TRAILING_COLUMNS].map((c) => c.name);
  const taken = new Set([...fixed, ...EXPECTED_PARTITION_NAMES].map((name) => name.toLowerCase()));
  const propertyColumns = properties.map((property) => {
    let name = property.name;
    while (taken.has(name.toLowerCase())) name = `${EXPECTED_COLLISION_PREFIX}${name}`;
    taken.add(name.toLowerCase());
    return { name, type: expectedColumnType(property), property: property.name };
  });
  return [
    ...EXPECTED_LEADING_COLUMNS.map(({ name, type }) => ({ name, type })),
    ...propertyColumns,
    ...EXPECTED_TRAILING_COLUMNS.map(({ name, type }) => ({ name, type })),
  ];
}

/**
 * One raw wire text as its column holds it, or `undefined` when it does not parse (the column is then NULL and the
 * text goes into `_unparsed`). TIMESTAMP as epoch milliseconds (UTC), DATE as `YYYY-MM-DD`, lists as arrays.
 */
export type ExpectedCell = string | number | boolean | string[];

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const EPOCH_MS = /^-?\d+$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?$/;
/** The instants a TIMESTAMP column holds: years 0000 to 9999 (JavaScript's own limit is wider). */
const YEAR_0_MS = new Date('0000-01-01T00:00:00.000Z').getTime();
const YEAR_10000_MS = new Date('+010000-01-01T00:00:00.000Z').getTime();

/** Milliseconds of a calendar date and time in UTC, or undefined when the date or time does not exist. */
function utcMillis(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const exists =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60;
  return exists ? date.getTime() : NaN;
}

/** An ISO 8601 date or date-time, or epoch milliseconds, as epoch milliseconds; undefined when it is neither. */
function instant(raw: string): number | undefined {
  const text = raw.trim();
  let ms: number;
  if (EPOCH_MS.test(text)) ms = Number(text);
  else {
    const m = ISO.exec(text);
    if (!m) return undefined;
    const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = m;
    ms = utcMillis(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s));
    // Millisecond precision: finer fractions are truncated.
    ms += Number(fraction.slice(0, 3).padEnd(3, '0'));
    if (zone !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
    }
  }
  return Number.isFinite(ms) && ms >= YEAR_0_MS && ms < YEAR_10000_MS ? ms : undefined;
}

/** How each column type reads wire text (DESIGN.md "Columns", lib/schema/README.md "Parse rules"). */
export const EXPECTED_CONVERSIONS: Record<ExpectedColumnType, (raw: string) => ExpectedCell | undefined> = {
  VARCHAR: (raw) => raw,
  DOUBLE: (raw) => {
    const text = raw.trim();
    const value = Number(text);
    return DECIMAL.test(text) && Number.isFinite(value) ? value : undefined;
  },
  BOOLEAN: (raw) => ({ true: true, false: false })[raw.trim().toLowerCase()],
  TIMESTAMP: instant,
  DATE: (raw) => {
    const text = raw.trim();
    const ms = instant(text);
    if (ms === undefined) return undefined;
    // A bare date, or a date-time at exactly midnight UTC.
    const isDate = /^\d{4}-\d{2}-\d{2}$/.test(text);
    return isDate || ms % 86_400_000 === 0 ? new Date(ms).toISOString().slice(0, 10) : undefined;
  },
  'VARCHAR[]': (raw) => raw.split(';').filter((item) => item !== ''),
  'MAP(VARCHAR, VARCHAR)': () => undefined,
};

export interface ExpectedRow {
  /** Cells by column name; NULL is null. */
  cells: Record<string, ExpectedCell | Record<string, string> | null>;
  /** Values that did not parse (the entries of `_unparsed`). */
  unparsed: number;
}

/**
 * One record as its row must read: created/updated/archived-at and properties converted, values that do not parse
 * NULL with their raw text in `_unparsed` (keyed by the wire field or property name, in column order; NULL when
 * none), `_run_id` the run's. `_synced_at` is left out (when the part was written).
 */
export function expectedRow(record: HubSpotRecord, columns: readonly ExpectedColumn[], runId: string): ExpectedRow {
  const cells: ExpectedRow['cells'] = {};
  const unparsed: Record<string, string> = {};
  const put = (column: ExpectedColumn, key: string, raw: unknown) => {
    if (raw === null || raw === undefined) {
      cells[column.name] = null;
      return;
    }
    const value = EXPECTED_CONVERSIONS[column.type](String(raw));
    cells[column.name] = value ?? null;
    if (value === undefined) unparsed[key] = String(raw);
  };
  const properties: Record<string, unknown> = record.properties ?? {};
  for (const column of columns) {
    const leading = EXPECTED_LEADING_COLUMNS.find((c) => c.name === column.name);
    if (column.property !== undefined) {
      put(column, column.property, Object.hasOwn(properties, column.property) ? properties[column.property] : null);
    } else if (leading?.field === 'id') cells.id = String(record.id);
    else if (leading?.field === 'archived') cells.archived = record.archived === true;
    else if (leading) put(column, leading.field, record[leading.field]);
  }
  const count = Object.keys(unparsed).length;
  cells._unparsed = count > 0 ? unparsed : null;
  cells._run_id = runId;
  return { cells, unparsed: count };
}

export const sqlName = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const sqlText = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * A query reading the expected rows from NDJSON, typed as `columns` say (all but `_synced_at`): each row's cells
 * keyed c0, c1, ... by column position, TIMESTAMP cells as epoch milliseconds, DATE cells as text.
 */
export function expectedRowsQuery(path: string, columns: readonly ExpectedColumn[]): string {
  const read = columns.map((c, i) => {
    const type = c.type === 'TIMESTAMP' ? 'BIGINT' : c.type === 'DATE' ? 'VARCHAR' : c.type;
    return `c${i}: ${sqlText(type)}`;
  });
  const select = columns.map((c, i) => {
    const cell = c.type === 'TIMESTAMP' ? `make_timestamp(c${i} * 1000)` : c.type === 'DATE' ? `c${i}::DATE` : `c${i}`;
    return `${cell} AS ${sqlName(c.name)}`;
  });
  return (
    `SELECT ${select.join(', ')} FROM read_json(${sqlText(path)}, format = 'newline_delimited', ` +
    `columns = {${read.join(', ')}}, maximum_object_size = 16777216)`
  );
}
