/** SQL quoting for DuckDB: every identifier, path and literal we build goes through these. */

/** Quotes an identifier: `a"b` -> `"a""b"`. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal (also used for file paths): `it's` -> `'it''s'`. */
export function quoteLiteral(text: string): string {
  if (text.includes('\0')) throw new RangeError('SQL literals cannot hold NUL characters');
  return `'${text.replace(/'/g, "''")}'`;
}

const COLUMN_TYPE_PATTERN = /^[A-Z][A-Z0-9_]*(\s*\(\s*[A-Z0-9_]+(\s*,\s*[A-Z0-9_]+)*\s*\))?(\[\])*$/i;

/** Checks a column type is a plain DuckDB type name (types are spliced into SQL, so nothing else passes). */
export function assertColumnType(type: string): string {
  if (!COLUMN_TYPE_PATTERN.test(type.trim())) throw new RangeError(`Unsupported column type ${JSON.stringify(type)}`);
  return type.trim();
}

/** `{'a': 'VARCHAR', ...}`: the struct literal read_json takes as `columns`. */
export function columnsStruct(columns: readonly { name: string; type: string }[]): string {
  return `{${columns.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(assertColumnType(c.type))}`).join(', ')}}`;
}
