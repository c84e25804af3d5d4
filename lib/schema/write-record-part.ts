/**
 * Raw record spool (lib/schema/spool-row.ts) -> one typed Parquet part, with the typing done by DuckDB: read_json
 * reads every value as VARCHAR, a SELECT types each column by the SQL twin of the parse rules
 * (lib/schema/parse-sql.ts), builds `_unparsed` from the values that did not parse, and COPY writes Parquet.
 * The result equals convertRecord -> writeParquetFromNdjson, value for value.
 */
import { InternalError } from '../core/errors';
import { stat } from 'node:fs/promises';
import { buildParseSql, INFALLIBLE_TYPES } from './parse-sql';
import type { RecordColumnType } from './type-map';
import {
  LEADING_COLUMNS,
  RUN_ID_COLUMN,
  SYNCED_AT_COLUMN,
  syncedAtText,
  UNPARSED_COLUMN,
  type Column,
  type RowMeta,
} from './columns';
import { spoolColumnType, spoolKeys } from './spool-row';
import {
  columnsStruct,
  copyToParquet,
  quoteIdentifier,
  quoteLiteral,
  WRITE_PARQUET_DEFAULTS,
  type Compression,
  type DuckDb,
  type ParquetVersion,
} from '../parquet';

export interface WriteRecordPartOptions {
  /** Spool of toSpoolRow rows. */
  ndjsonPath: string;
  parquetPath: string;
  /** buildRecordColumns(properties). */
  columns: Column[];
  /** `_run_id` and `_synced_at` of every row. */
  meta: RowMeta;
  /** Default 'zstd'. */
  compression?: Compression;
  /** ZSTD level; default WRITE_PARQUET_DEFAULTS.compressionLevel. */
  compressionLevel?: number;
  /** Default 'v1' (see WriteParquetOptions.parquetVersion). */
  parquetVersion?: ParquetVersion;
  /** Rows per Parquet row group; default RECORD_PART_DEFAULTS.rowGroupSize. */
  rowGroupSize?: number;
  /** Largest NDJSON line read_json accepts; default 16 MiB. */
  maxObjectBytes?: number;
  /**
   * How the SQL types values: one expression per column ('columnwise', fastest to run, slow to plan at hundreds
   * of columns) or one list lambda per type ('listwise', small SQL). Default: chosen by RECORD_PART_DEFAULTS.
   */
  typing?: RecordTyping;
}

export type RecordTyping = 'columnwise' | 'listwise';

/**
 * Measured on 2 cores (DuckDB 1.5): per-column typing runs a little faster on large parts (200k contacts x 38
 * typed columns: 1.20 s instead of 1.31 s), but planning costs 4-13 ms per typed column (40 typed: +0.15 s,
 * 320: +2.4 s, 640: +7 s). So small parts and very wide objects use lists.
 */
export const RECORD_PART_DEFAULTS = {
  /**
   * Rows per row group: a quarter of DuckDB's 122,880. The writer buffers a row group per thread; on 200k
   * simulator contacts x 45 properties (2 threads) 32,768 rows peaked at about 260 MiB of DuckDB memory against
   * 370 MiB at 65,536, ran 10-20% faster and wrote a 3% smaller file (dictionaries fit more row groups);
   * 16,384 and below grow the file again.
   */
  rowGroupSize: 32_768,
  /** Most typed (non-VARCHAR) columns for the per-column form. */
  columnwiseMaxColumns: 200,
  /**
   * Least spool bytes per typed column for the per-column form. Remeasured once the list form learnt to skip rows
   * without failures (simulator contacts, 38 typed columns, 520 spool bytes a row, best of 3): lists are as fast
   * or faster up to 80k rows (0.62 s against 0.71 s), columns win at 200k (1.20 s against 1.31 s). 2 MiB per
   * typed column is about 150k of those rows.
   */
  columnwiseMinSpoolBytesPerColumn: 2 * 1024 * 1024,
} as const;

export interface RecordPartResult {
  rows: number;
  bytes: number;
  /** Values that did not parse as their column type (entries of `_unparsed`). */
  unparsed: number;
}

const TRAILING = new Set<string>([UNPARSED_COLUMN, RUN_ID_COLUMN, SYNCED_AT_COLUMN]);
const LEADING_FIELDS = new Map<string, string>(LEADING_COLUMNS.map((c) => [c.name, c.field]));

/** Columns typed together: one list of their raw texts, one parse expression for the whole list. */
interface TypeGroup {
  type: RecordColumnType;
  /** SQL names of the raw list, the typed list and the failed entries in the inner queries. */
  raw: string;
  typed: string;
  failed: string;
  members: { column: Column; position: number; key: string }[];
}

/** The plan of a record part: columns read as they are, and columns typed per type group. */
interface PartPlan {
  spooled: Column[];
  passThrough: Map<Column, string>;
  groups: TypeGroup[];
}

function planPart(columns: Column[]): PartPlan {
  const spooled = columns.filter((column) => column.property || !TRAILING.has(column.name));
  const passThrough = new Map<Column, string>();
  const groups = new Map<RecordColumnType, TypeGroup>();
  spooled.forEach((column, position) => {
    const field = column.property ? undefined : LEADING_FIELDS.get(column.name);
    if (!column.property && field === undefined) throw new InternalError(`Unknown record column ${column.name}`);
    if (field === 'id' || field === 'archived' || column.type === 'VARCHAR') {
      passThrough.set(column, quoteIdentifier(`c${position}`));
      return;
    }
    let group = groups.get(column.type);
    if (!group) {
      const n = groups.size;
      group = { type: column.type, raw: `"g${n}r"`, typed: `"g${n}t"`, failed: `"g${n}f"`, members: [] };
      groups.set(column.type, group);
    }
    group.members.push({ column, position, key: column.property?.name ?? (field as string) });
  });
  return { spooled, passThrough, groups: [...groups.values()] };
}

/**
 * Entries {pos, key, value} of a group's values that are not NULL but did not parse; NULL (nothing to add) when
 * the raw and typed lists hold as many non-NULL values, which list_count tells without a lambda: on 100,000
 * simulator contacts x 630 columns that check saved 2 of the 10 CPU seconds of a part.
 */
function failedEntriesSql(group: TypeGroup): string {
  const positions = `[${group.members.map((m) => m.position).join(', ')}]`;
  const keys = `[${group.members.map((m) => quoteLiteral(m.key)).join(', ')}]`;
  const entry = `{'pos': ${positions}[i], 'key': ${keys}[i], 'value': x}`;
  return (
    `CASE WHEN list_count(${group.raw}) <> list_count(${group.typed}) THEN ` +
    `list_filter(list_transform(${group.raw}, lambda x, i: ` +
    `CASE WHEN x IS NOT NULL AND ${group.typed}[i] IS NULL THEN ${entry} END), lambda e: e IS NOT NULL) END`
  );
}

/**
 * The read_json source of a spool, every column as VARCHAR except `archived`, read by its short spool key and
 * renamed to the column name.
 */
function spoolSourceSql(
  options: Pick<WriteRecordPartOptions, 'ndjsonPath' | 'maxObjectBytes' | 'columns'>,
  spooled: Column[],
): string {
  const maxObjectBytes = options.maxObjectBytes ?? WRITE_PARQUET_DEFAULTS.maxObjectBytes;
  const keyOf = spoolKeys(options.columns);
  const keys = spooled.map((column) => keyOf.get(column) as string);
  const readColumns = spooled.map((column, i) => ({ name: keys[i], type: spoolColumnType(column) }));
  const renamed = spooled.map((column, i) => `${quoteIdentifier(keys[i])} AS ${quoteIdentifier(column.name)}`);
  return (
    `(SELECT ${renamed.join(', ')} FROM read_json(${quoteLiteral(options.ndjsonPath)}, ` +
    `format = 'newline_delimited', columns = ${columnsStruct(readColumns)}, ` +
    `maximum_object_size = ${Math.trunc(maxObjectBytes)}, ignore_errors = false))`
  );
}

/** `_run_id` and `_synced_at`, and `_unparsed` as given. */
function trailingSql(meta: RowMeta, unparsed: string): Record<string, string> {
  return {
    [UNPARSED_COLUMN]: unparsed,
    [RUN_ID_COLUMN]: `CAST(${quoteLiteral(meta.runId)} AS VARCHAR)`,
    [SYNCED_AT_COLUMN]: `CAST(${quoteLiteral(syncedAtText(meta))} AS TIMESTAMP)`,
  };
}

/**
 * Per-column form: one parse expression per column, `_unparsed` built only for rows where some value failed.
 * The fastest form to run; its SQL grows with the column count (about 5 KB per date or datetime column).
 */
function buildColumnwiseSql(
  options: Pick<WriteRecordPartOptions, 'ndjsonPath' | 'columns' | 'meta' | 'maxObjectBytes'>,
  plan: PartPlan,
): string {
  const { spooled, passThrough, groups } = plan;
  const typed = [...passThrough].map(([column, alias]) => `${quoteIdentifier(column.name)} AS ${alias}`);
  const outputOf = new Map<Column, string>(passThrough);
  const failures: string[] = [];
  const entries: string[] = [];
  for (const group of groups) {
    const fallible = !INFALLIBLE_TYPES.includes(group.type);
    for (const { column, position, key } of group.members) {
      const [raw, value] = [quoteIdentifier(`r${position}`), quoteIdentifier(`t${position}`)];
      typed.push(`${buildParseSql(quoteIdentifier(column.name), group.type)} AS ${value}`);
      outputOf.set(column, value);
      if (!fallible) continue;
      typed.push(`${quoteIdentifier(column.name)} AS ${raw}`);
      const failed = `(${raw} IS NOT NULL AND ${value} IS NULL)`;
      failures[position] = failed;
      entries[position] = `CASE WHEN ${failed} THEN {'key': ${quoteLiteral(key)}, 'value': ${raw}} END`;
    }
  }
  // Sparse arrays indexed by column position: join() and filter() visit them in column order.
  const unparsed =
    entries.length === 0
      ? `CAST(NULL AS MAP(VARCHAR, VARCHAR))`
      : `CASE WHEN ${failures.filter(Boolean).join(' OR ')} THEN ` +
        `map_from_entries(list_filter([${entries.filter(Boolean).join(', ')}], lambda e: e IS NOT NULL)) END`;
  const trailing = trailingSql(options.meta, unparsed);
  const named = options.columns.map(
    (column) => `${outputOf.get(column) ?? trailing[column.name]} AS ${quoteIdentifier(column.name)}`,
  );
  const source = spoolSourceSql(options, spooled);
  return `SELECT ${named.join(', ')} FROM (SELECT ${typed.join(', ')} FROM ${source})`;
}

/**
 * List form: gather each type's columns into one list; type each list with one lambda (so the SQL stays small
 * however many properties there are); collect the values that did not parse.
 */
function buildListwiseSql(
  options: Pick<WriteRecordPartOptions, 'ndjsonPath' | 'columns' | 'meta' | 'maxObjectBytes'>,
  plan: PartPlan,
): string {
  const { spooled, passThrough, groups } = plan;
  const source = spoolSourceSql(options, spooled);
  const kept = [...passThrough.values()];
  const fallible = groups.filter((g) => !INFALLIBLE_TYPES.includes(g.type));

  const gathered = [
    ...[...passThrough].map(([column, alias]) => `${quoteIdentifier(column.name)} AS ${alias}`),
    ...groups.map((g) => `[${g.members.map((m) => quoteIdentifier(m.column.name)).join(', ')}] AS ${g.raw}`),
  ];
  const typed = [
    ...kept,
    ...fallible.map((g) => g.raw),
    ...groups.map((g) => `list_transform(${g.raw}, lambda x: ${buildParseSql('x', g.type)}) AS ${g.typed}`),
  ];
  const failed = [
    ...kept,
    ...groups.map((g) => g.typed),
    `list_concat(${['[]', ...fallible.map(failedEntriesSql)].join(', ')}) AS "u"`,
  ];
  const outputOf = new Map<Column, string>(passThrough);
  for (const g of groups) g.members.forEach((m, i) => outputOf.set(m.column, `${g.typed}[${i + 1}]`));
  const trailing = trailingSql(
    options.meta,
    `CASE WHEN len("u") > 0 THEN ` +
      `map_from_entries(list_transform(list_sort("u"), lambda e: {'key': e.key, 'value': e.value})) END`,
  );
  const named = options.columns.map(
    (column) => `${outputOf.get(column) ?? trailing[column.name]} AS ${quoteIdentifier(column.name)}`,
  );
  const stages = [gathered, typed, failed, named];
  return stages.reduce((from, list) => `SELECT ${list.join(', ')} FROM (${from})`, `SELECT * FROM ${source}`);
}

/**
 * The SELECT that types a raw record spool: read the spool as VARCHAR, type each column by the SQL twin of the
 * parse rules, build `_unparsed` (in column order) from the values that did not parse, add `_run_id` and
 * `_synced_at`, in the given `typing` form (default 'listwise'; see chooseRecordTyping).
 */
export function buildRecordPartSql(
  options: Pick<WriteRecordPartOptions, 'ndjsonPath' | 'columns' | 'meta' | 'maxObjectBytes' | 'typing'>,
): string {
  const plan = planPart(options.columns);
  return options.typing === 'columnwise' ? buildColumnwiseSql(options, plan) : buildListwiseSql(options, plan);
}

/** The typing form for a spool of `spoolBytes` and these columns (RECORD_PART_DEFAULTS). */
export function chooseRecordTyping(columns: Column[], spoolBytes: number): RecordTyping {
  const typedCount = planPart(columns).groups.reduce((sum, g) => sum + g.members.length, 0);
  const { columnwiseMaxColumns, columnwiseMinSpoolBytesPerColumn } = RECORD_PART_DEFAULTS;
  return typedCount <= columnwiseMaxColumns && spoolBytes >= typedCount * columnwiseMinSpoolBytesPerColumn
    ? 'columnwise'
    : 'listwise';
}

/**
 * Types a raw record spool in DuckDB and writes it as one Parquet part; returns rows, bytes and the number of
 * values kept in `_unparsed` (read back from the written file).
 * @example await writeRecordPart(db, { ndjsonPath, parquetPath, columns: buildRecordColumns(props), meta })
 */
export async function writeRecordPart(db: DuckDb, options: WriteRecordPartOptions): Promise<RecordPartResult> {
  const typing = options.typing ?? chooseRecordTyping(options.columns, (await stat(options.ndjsonPath)).size);
  const { rows, bytes } = await copyToParquet(db, buildRecordPartSql({ ...options, typing }), {
    ...options,
    rowGroupSize: options.rowGroupSize ?? RECORD_PART_DEFAULTS.rowGroupSize,
  });
  const [counted] = await db.query<{ unparsed: string | number }>(
    `SELECT coalesce(sum(cardinality(${quoteIdentifier(UNPARSED_COLUMN)})), 0)::BIGINT AS unparsed ` +
      `FROM read_parquet(${quoteLiteral(options.parquetPath)})`,
  );
  return { rows, bytes, unparsed: Number(counted?.unparsed ?? 0) };
}
