/** The Parquet writer's public API. */
export { COLUMN_TYPES, type ColumnSpec, type ColumnType } from './column-types';
export { openDuckDb, DUCKDB_DEFAULTS, type DuckDb, type DuckDbOptions } from './duckdb';
export { NdjsonSpool, SPOOL_BUFFER_BYTES } from './spool';
export {
  writeParquetFromNdjson,
  writeParquetRows,
  copyToParquet,
  buildReadJsonSql,
  WRITE_PARQUET_DEFAULTS,
  type Compression,
  type ParquetVersion,
  type WriteParquetOptions,
} from './write-parquet';
export { columnsStruct, quoteIdentifier, quoteLiteral } from './sql';
