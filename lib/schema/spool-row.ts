/**
 * One record -> one raw NDJSON spool row for the SQL typing path (lib/schema/write-record-part.ts): the wire
 * text as it came, so that DuckDB does the parsing. No value is parsed here.
 *
 * The spool is scratch space read only by writeRecordPart, so its keys are short: the column's position in
 * base 36 (`0`, `1`, ... `z`, `10`, ...), not the column name. Property names average about 20 characters,
 * which on the simulator's contacts made two thirds of every spool line; short keys halve the bytes JavaScript
 * writes and DuckDB parses.
 */
import { InternalError } from '../core/errors';
import type { HubSpotRecord } from '../hubspot/types';
import type { ByteSink } from '../core/byte-writer';
import { forEachPropertyText, LEADING_COLUMNS, requireHasher, type Column } from './columns';
import { pseudonymizeText, type ValueHasher } from './pseudonymize';

/** Spool keys of the leading columns and the record field each reads (`archived` is spooled as a JSON boolean). */
const SPOOLED_FIELDS = LEADING_COLUMNS.filter((c) => c.field !== 'id' && c.field !== 'archived');

/** How read_json reads a spool column: `archived` as BOOLEAN, everything else as raw VARCHAR text. */
export function spoolColumnType(column: Pick<Column, 'name' | 'property'>): 'BOOLEAN' | 'VARCHAR' {
  return column.name === 'archived' && !column.property ? 'BOOLEAN' : 'VARCHAR';
}

/** The spool key of the column at `position` in the record columns. */
export function spoolKey(position: number): string {
  return position.toString(36);
}

/** The spool key of every record column (spoolKey of its position): the spool writers and the SQL reader agree on it. */
export function spoolKeys(columns: readonly Column[]): Map<Column, string> {
  return new Map(columns.map((column, position) => [column, spoolKey(position)]));
}

/** Spool key of each leading column that the record columns hold, by column name. */
function leadingKeys(keys: ReadonlyMap<Column, string>): Map<string, string> {
  const leading = new Map<string, string>();
  for (const [column, key] of keys) if (!column.property) leading.set(column.name, key);
  for (const { name } of LEADING_COLUMNS) {
    if (!leading.has(name)) throw new InternalError(`Record columns lack the ${name} column`);
  }
  return leading;
}

/**
 * The spool row of one record: `id`, `created_at`, `updated_at`, `archived`, `archived_at` and every property
 * column, each holding the raw wire text under its spool key; null and absent values are left out (read_json
 * fills NULL). Properties whose names collide case-insensitively keep apart: each has its own column. A `hashed`
 * column holds the hashes of `hash` instead of the text: its values never reach the spool.
 * @example toSpoolRow({ id: '1', properties: { amount: '12' }, ... }, columns) // { '0': '1', ..., '5': '12' }
 */
export function toSpoolRow(
  record: HubSpotRecord,
  columns: readonly Column[],
  hash?: ValueHasher,
): Record<string, unknown> {
  const keys = spoolKeys(columns);
  const leading = leadingKeys(keys);
  const row: Record<string, unknown> = { [leading.get('id') as string]: String(record.id) };
  for (const { name, field } of SPOOLED_FIELDS) {
    const raw = record[field];
    if (raw !== null && raw !== undefined) row[leading.get(name) as string] = String(raw);
  }
  row[leading.get('archived') as string] = record.archived === true;
  forEachPropertyText(record, columns, (column, text) => (row[keys.get(column) as string] = text), hash);
  return row;
}

/**
 * A fast twin of toSpoolRow for the hot path: writes the same row as JSON text (keys in record order) straight
 * into the spool's byte buffer, each column's key encoded once, instead of building an object and stringifying it.
 * `hashed` columns are written as the hashes of `hash`, as toSpoolRow writes them.
 * @example const write = createSpoolWriter(columns); await spool.appendAll(page.records, write);
 */
export function createSpoolWriter(
  columns: readonly Column[],
  hash?: ValueHasher,
): (record: HubSpotRecord, out: ByteSink) => void {
  const columnKeys = spoolKeys(columns);
  const leading = leadingKeys(columnKeys);
  const keyBytes = (key: string, opening = ',') => Buffer.from(`${opening}${JSON.stringify(key)}:`);
  const keys = new Map<string, Buffer>();
  /** How each hashed property's text is written, by property name (checked here: before any record is). */
  const hashed = new Map<string, (text: string) => string>();
  for (const [column, key] of columnKeys) {
    if (!column.property) continue;
    keys.set(column.property.name, keyBytes(key));
    if (column.hashed) {
      const hasher = requireHasher(column, hash);
      hashed.set(column.property.name, (text) => pseudonymizeText(text, column.type, hasher));
    }
  }
  const fields = SPOOLED_FIELDS.map(({ name, field }) => ({ field, key: keyBytes(leading.get(name) as string) }));
  const idKey = keyBytes(leading.get('id') as string, '{');
  const archivedKey = keyBytes(leading.get('archived') as string);
  const [archivedTrue, archivedFalse, closing] = [Buffer.from('true'), Buffer.from('false'), Buffer.from('}')];
  /** Property names in the order the last records listed them, and their spool keys (undefined: no column). */
  const seenNames: string[] = [];
  const seenKeys: (Buffer | undefined)[] = [];
  const seenHashes: (((text: string) => string) | undefined)[] = [];
  return (record, out) => {
    out.bytes(idKey);
    out.jsonString(String(record.id));
    for (const { field, key } of fields) {
      const raw = record[field];
      if (raw === null || raw === undefined) continue;
      out.bytes(key);
      out.jsonString(String(raw));
    }
    out.bytes(archivedKey);
    out.bytes(record.archived === true ? archivedTrue : archivedFalse);
    const properties = record.properties ?? {};
    // HubSpot lists every record's properties in the same order, so the key of the n-th property is looked up
    // once and then confirmed by comparing names (JSON.parse interns them): about 15% faster than a Map lookup
    // per value. for-in walks V8's enum cache instead of allocating Object.keys().
    let position = 0;
    for (const name in properties) {
      let key: Buffer | undefined;
      let hashText: ((text: string) => string) | undefined;
      if (seenNames[position] === name) {
        key = seenKeys[position];
        hashText = seenHashes[position];
      } else {
        seenNames[position] = name;
        key = seenKeys[position] = keys.get(name);
        hashText = seenHashes[position] = hashed.get(name);
      }
      position += 1;
      const raw = properties[name];
      if (raw === null || raw === undefined || key === undefined) continue;
      const text = typeof raw === 'string' ? raw : String(raw);
      out.bytes(key);
      out.jsonString(hashText ? hashText(text) : text);
    }
    out.bytes(closing);
  };
}
