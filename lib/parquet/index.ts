/** The Parquet writer's public API. */
export { openDuckDb, DUCKDB_DEFAULTS, type DuckDb, type DuckDbOptions } from './duckdb';
export { NdjsonSpool, SPOOL_CHUNK_CHARS } from './spool';
export {
  writeParquetFromNdjson,
  writeParquetRows,
  buildReadJsonSql,
  WRITE_PARQUET_DEFAULTS,
  type Compression,
  type WriteParquetOptions,
} from './write-parquet';
export { quoteIdentifier, quoteLiteral } from './sql';
