/** The Parquet writer's public API. */
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
export {
  writeRecordPart,
  buildRecordPartSql,
  chooseRecordTyping,
  RECORD_PART_DEFAULTS,
  type RecordTyping,
  type RecordPartResult,
  type WriteRecordPartOptions,
} from './write-record-part';
export { quoteIdentifier, quoteLiteral } from './sql';
