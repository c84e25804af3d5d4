/**
 * One record -> one raw NDJSON spool row for the SQL typing path (lib/parquet/write-record-part.ts): the wire
 * text as it came, so that DuckDB does the parsing. No value is parsed here.
 *
 * The spool is scratch space read only by writeRecordPart, so its keys are short: the column's position in
 * base 36 (`0`, `1`, ... `z`, `10`, ...), not the column name. Property names average about 20 characters,
 * which on the simulator's contacts made two thirds of every spool line; short keys halve the bytes JavaScript
 * encodes and DuckDB parses.
 */
import type { HubSpotRecord } from '../hubspot/types';
import { forEachPropertyText, LEADING_COLUMNS, type Column } from './columns';

/** Spool keys of the leading columns and the record field each reads (`archived` is spooled as a JSON boolean). */
const SPOOLED_FIELDS = LEADING_COLUMNS.filter((c) => c.field !== 'id' && c.field !== 'archived');

/** How read_json reads a spool column: `archived` as BOOLEAN, everything else as raw VARCHAR text. */
export function spoolColumnType(column: Pick<Column, 'name' | 'property'>): 'BOOLEAN' | 'VARCHAR' {
  return column.name === 'archived' && !column.property ? 'BOOLEAN' : 'VARCHAR';
}

/**
 * JSON.stringify of a string, with a fast path for text that needs no escaping (no control character, quote,
 * backslash or UTF-16 surrogate): a scan and a concatenation instead of a call into the JSON serialiser. On the
 * bench's 200k contacts this made the spool encoder about 25% faster. Identical output for every string.
 * @example jsonString('a"b') // '"a\\"b"'
 */
export function jsonString(text: string): string {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) {
      return JSON.stringify(text);
    }
  }
  return `"${text}"`;
}

/** The spool key of the column at `position` in the record columns. */
export function spoolKey(position: number): string {
  return position.toString(36);
}

/** The spool key of every record column (spoolKey of its position): the encoders and the SQL reader agree on it. */
export function spoolKeys(columns: readonly Column[]): Map<Column, string> {
  return new Map(columns.map((column, position) => [column, spoolKey(position)]));
}

/** Spool key of each leading column that the record columns hold, by column name. */
function leadingKeys(keys: ReadonlyMap<Column, string>): Map<string, string> {
  const leading = new Map<string, string>();
  for (const [column, key] of keys) if (!column.property) leading.set(column.name, key);
  for (const { name } of LEADING_COLUMNS) {
    if (!leading.has(name)) throw new RangeError(`Record columns lack the ${name} column`);
  }
  return leading;
}

/**
 * The spool row of one record: `id`, `created_at`, `updated_at`, `archived`, `archived_at` and every property
 * column, each holding the raw wire text under its spool key; null and absent values are left out (read_json
 * fills NULL). Properties whose names collide case-insensitively keep apart: each has its own column.
 * @example toSpoolRow({ id: '1', properties: { amount: '12' }, ... }, columns) // { '0': '1', ..., '5': '12' }
 */
export function toSpoolRow(record: HubSpotRecord, columns: readonly Column[]): Record<string, unknown> {
  const keys = spoolKeys(columns);
  const leading = leadingKeys(keys);
  const row: Record<string, unknown> = { [leading.get('id') as string]: String(record.id) };
  for (const { name, field } of SPOOLED_FIELDS) {
    const raw = record[field];
    if (raw !== null && raw !== undefined) row[leading.get(name) as string] = String(raw);
  }
  row[leading.get('archived') as string] = record.archived === true;
  forEachPropertyText(record, columns, (column, text) => (row[keys.get(column) as string] = text));
  return row;
}

/**
 * A fast twin of toSpoolRow for the hot path: returns the same row as JSON text (keys in record order), built by
 * concatenation with each column's key serialised once, instead of building an object and stringifying it.
 * @example const encode = createSpoolEncoder(columns); await spool.appendJson(encode(record));
 */
export function createSpoolEncoder(columns: readonly Column[]): (record: HubSpotRecord) => string {
  const columnKeys = spoolKeys(columns);
  const leading = leadingKeys(columnKeys);
  const keyText = (key: string) => `,${JSON.stringify(key)}:`;
  const keys = new Map<string, string>();
  for (const [column, key] of columnKeys) if (column.property) keys.set(column.property.name, keyText(key));
  const fields = SPOOLED_FIELDS.map(({ name, field }) => ({ field, key: keyText(leading.get(name) as string) }));
  const idKey = `{${JSON.stringify(leading.get('id'))}:`;
  const archivedKey = keyText(leading.get('archived') as string);
  /** Property names in the order the last records listed them, and their spool keys (undefined: no column). */
  const seenNames: string[] = [];
  const seenKeys: (string | undefined)[] = [];
  return (record) => {
    let line = idKey + jsonString(String(record.id));
    for (const { field, key } of fields) {
      const raw = record[field];
      if (raw !== null && raw !== undefined) line += key + jsonString(String(raw));
    }
    line += archivedKey + (record.archived === true ? 'true' : 'false');
    const properties = record.properties ?? {};
    // HubSpot lists every record's properties in the same order, so the key of the n-th property is looked up
    // once and then confirmed by comparing names (JSON.parse interns them): about 15% faster than a Map lookup
    // per value. for-in walks V8's enum cache instead of allocating Object.keys().
    let position = 0;
    for (const name in properties) {
      let key: string | undefined;
      if (seenNames[position] === name) key = seenKeys[position];
      else {
        seenNames[position] = name;
        key = seenKeys[position] = keys.get(name);
      }
      position += 1;
      const raw = properties[name];
      if (raw === null || raw === undefined || key === undefined) continue;
      line += key + jsonString(typeof raw === 'string' ? raw : String(raw));
    }
    return `${line}}`;
  };
}
