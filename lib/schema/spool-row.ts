/**
 * One record -> one raw NDJSON spool row for the SQL typing path (lib/parquet/write-record-part.ts): the wire
 * text as it came, keyed by output column name, so that DuckDB does the parsing. No value is parsed here.
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
 * The spool row of one record: `id`, `created_at`, `updated_at`, `archived`, `archived_at` and every property
 * column, each holding the raw wire text; null and absent values are left out (read_json fills NULL).
 * Keyed by column name (unique case-insensitively), so properties that collide keep apart.
 * @example toSpoolRow({ id: '1', properties: { amount: '12' }, ... }, columns) // { id: '1', ..., amount: '12' }
 */
export function toSpoolRow(record: HubSpotRecord, columns: readonly Column[]): Record<string, unknown> {
  const row: Record<string, unknown> = { id: String(record.id) };
  for (const { name, field } of SPOOLED_FIELDS) {
    const raw = record[field];
    if (raw !== null && raw !== undefined) row[name] = String(raw);
  }
  row.archived = record.archived === true;
  forEachPropertyText(record, columns, (column, text) => (row[column.name] = text));
  return row;
}

/**
 * A fast twin of toSpoolRow for the hot path: returns the same row as JSON text (keys in record order), built by
 * concatenation with each column's key serialised once, instead of building an object and stringifying it.
 * @example const encode = createSpoolEncoder(columns); await spool.appendJson(encode(record));
 */
export function createSpoolEncoder(columns: readonly Column[]): (record: HubSpotRecord) => string {
  const keys = new Map<string, string>();
  for (const column of columns) if (column.property) keys.set(column.property.name, `,${JSON.stringify(column.name)}:`);
  const fields = SPOOLED_FIELDS.map(({ name, field }) => ({ field, key: `,${JSON.stringify(name)}:` }));
  return (record) => {
    let line = `{"id":${JSON.stringify(String(record.id))}`;
    for (const { field, key } of fields) {
      const raw = record[field];
      if (raw !== null && raw !== undefined) line += key + JSON.stringify(String(raw));
    }
    line += record.archived === true ? ',"archived":true' : ',"archived":false';
    const properties = record.properties ?? {};
    for (const name of Object.keys(properties)) {
      const raw = properties[name];
      if (raw === null || raw === undefined) continue;
      const key = keys.get(name);
      if (key !== undefined) line += key + JSON.stringify(typeof raw === 'string' ? raw : String(raw));
    }
    return `${line}}`;
  };
}
