/**
 * The one vocabulary of column types: every DuckDB/Parquet type a writer of this project produces. Record tables
 * use the property types (lib/schema/type-map.ts), side tables the integers too; the Glue catalog maps each.
 */
export const COLUMN_TYPES = [
  'VARCHAR',
  'DOUBLE',
  'BOOLEAN',
  'DATE',
  'TIMESTAMP',
  'INTEGER',
  'BIGINT',
  'VARCHAR[]',
  'MAP(VARCHAR, VARCHAR)',
] as const;

export type ColumnType = (typeof COLUMN_TYPES)[number];

/** One output column: its name and type. */
export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

/** The types a record table's columns take (its fixed columns and every property type); side tables add integers. */
export type RecordColumnType = Exclude<ColumnType, 'INTEGER' | 'BIGINT'>;
