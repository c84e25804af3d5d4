/** SQL quoting for DuckDB: every identifier, path and literal we build goes through these. */
import { InternalError } from '../core/errors';
import { COLUMN_TYPES, type ColumnSpec } from './column-types';

/** Quotes an identifier: `a"b` -> `"a""b"`. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal (also used for file paths): `it's` -> `'it''s'`. */
export function quoteLiteral(text: string): string {
  if (text.includes('\0')) throw new InternalError('SQL literals cannot hold NUL characters');
  return `'${text.replace(/'/g, "''")}'`;
}

const KNOWN_TYPES: ReadonlySet<string> = new Set(COLUMN_TYPES);

/** Checks a column type is one of COLUMN_TYPES (types are spliced into SQL, so nothing else passes). */
export function assertColumnType(type: string): string {
  if (!KNOWN_TYPES.has(type)) throw new InternalError(`Unsupported column type ${JSON.stringify(type)}`);
  return type;
}

/** `{'a': 'VARCHAR', ...}`: the struct literal read_json takes as `columns`. */
export function columnsStruct(columns: readonly ColumnSpec[]): string {
  return `{${columns.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(assertColumnType(c.type))}`).join(', ')}}`;
}
