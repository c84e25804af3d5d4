/**
 * Raw record spool (lib/schema/spool-row.ts) -> one typed Parquet part, with the typing done by DuckDB: read_json
 * reads every value as VARCHAR, a SELECT types each column by the SQL twin of the parse rules
 * (lib/schema/parse-sql.ts), builds `_unparsed` from the values that did not parse, and COPY writes Parquet.
 * The result equals convertRecord -> writeParquetFromNdjson, value for value.
 */
import { buildParseSql, INFALLIBLE_TYPES } from '../schema/parse-sql';
import type { ColumnType } from '../schema/type-map';
import { parseTimestamp } from '../schema/parse-value';
import {
  LEADING_COLUMNS,
  RUN_ID_COLUMN,
  SYNCED_AT_COLUMN,
  UNPARSED_COLUMN,
  type Column,
  type RowMeta,
} from '../schema/columns';
import { spoolColumnType } from '../schema/spool-row';
import type { DuckDb } from './duckdb';
import { columnsStruct, quoteIdentifier, quoteLiteral } from './sql';
import { copyToParquet, WRITE_PARQUET_DEFAULTS, type Compression } from './write-parquet';

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
  /** Rows per Parquet row group; default DuckDB's. */
  rowGroupSize?: number;
  /** Largest NDJSON line read_json accepts; default 16 MiB. */
  maxObjectBytes?: number;
}

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
  type: ColumnType;
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
  const groups = new Map<ColumnType, TypeGroup>();
  spooled.forEach((column, position) => {
    const field = column.property ? undefined : LEADING_FIELDS.get(column.name);
    if (!column.property && field === undefined) throw new RangeError(`Unknown record column ${column.name}`);
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

/** Entries {pos, key, value} of a group's values that are not NULL but did not parse. */
function failedEntriesSql(group: TypeGroup): string {
  const positions = `[${group.members.map((m) => m.position).join(', ')}]`;
  const keys = `[${group.members.map((m) => quoteLiteral(m.key)).join(', ')}]`;
  const entry = `{'pos': ${positions}[i], 'key': ${keys}[i], 'value': x}`;
  return (
    `list_filter(list_transform(${group.raw}, lambda x, i: ` +
    `CASE WHEN x IS NOT NULL AND ${group.typed}[i] IS NULL THEN ${entry} END), lambda e: e IS NOT NULL)`
  );
}

/** `_synced_at` as the TIMESTAMP text convertRecord writes. */
function syncedAtText(meta: RowMeta): string {
  const parsed = parseTimestamp(meta.syncedAt);
  if (!parsed.ok) throw new RangeError(`syncedAt must be an ISO 8601 datetime, got ${JSON.stringify(meta.syncedAt)}`);
  return parsed.value as string;
}

/**
 * The SELECT that types a raw record spool, in stages: read the spool as VARCHAR; gather each type's columns into
 * one list; type each list with one lambda (so the SQL stays small however many properties there are); collect
 * the values that did not parse; name the columns and add `_unparsed` (in column order), `_run_id`, `_synced_at`.
 */
export function buildRecordPartSql(
  options: Pick<WriteRecordPartOptions, 'ndjsonPath' | 'columns' | 'meta' | 'maxObjectBytes'>,
): string {
  const { spooled, passThrough, groups } = planPart(options.columns);
  const maxObjectBytes = options.maxObjectBytes ?? WRITE_PARQUET_DEFAULTS.maxObjectBytes;
  const readColumns = spooled.map((column) => ({ name: column.name, type: spoolColumnType(column) }));
  const source =
    `read_json(${quoteLiteral(options.ndjsonPath)}, format = 'newline_delimited', ` +
    `columns = ${columnsStruct(readColumns)}, maximum_object_size = ${Math.trunc(maxObjectBytes)}, ` +
    `ignore_errors = false)`;
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
  const trailing: Record<string, string> = {
    [UNPARSED_COLUMN]:
      `CASE WHEN len("u") > 0 THEN ` +
      `map_from_entries(list_transform(list_sort("u"), lambda e: {'key': e.key, 'value': e.value})) END`,
    [RUN_ID_COLUMN]: `CAST(${quoteLiteral(options.meta.runId)} AS VARCHAR)`,
    [SYNCED_AT_COLUMN]: `CAST(${quoteLiteral(syncedAtText(options.meta))} AS TIMESTAMP)`,
  };
  const named = options.columns.map(
    (column) => `${outputOf.get(column) ?? trailing[column.name]} AS ${quoteIdentifier(column.name)}`,
  );
  const stages = [gathered, typed, failed, named];
  return stages.reduce((from, list) => `SELECT ${list.join(', ')} FROM (${from})`, `SELECT * FROM ${source}`);
}

/**
 * Types a raw record spool in DuckDB and writes it as one Parquet part; returns rows, bytes and the number of
 * values kept in `_unparsed` (read back from the written file).
 * @example await writeRecordPart(db, { ndjsonPath, parquetPath, columns: buildRecordColumns(props), meta })
 */
export async function writeRecordPart(db: DuckDb, options: WriteRecordPartOptions): Promise<RecordPartResult> {
  const { rows, bytes } = await copyToParquet(db, buildRecordPartSql(options), options);
  const [counted] = await db.query<{ unparsed: string | number }>(
    `SELECT coalesce(sum(cardinality(${quoteIdentifier(UNPARSED_COLUMN)})), 0)::BIGINT AS unparsed ` +
      `FROM read_parquet(${quoteLiteral(options.parquetPath)})`,
  );
  return { rows, bytes, unparsed: Number(counted?.unparsed ?? 0) };
}
