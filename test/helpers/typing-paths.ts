/**
 * Writes the same records through both typing paths (convertRecord -> writeParquetFromNdjson, the reference; and
 * toSpoolRow -> writeRecordPart, DuckDB SQL) and compares the two Parquet files with EXCEPT ALL both ways.
 */
import { join } from 'node:path';
import type { HubSpotRecord } from '../../lib/hubspot/types';
import { NdjsonSpool, quoteLiteral, writeParquetFromNdjson, type DuckDb } from '../../lib/parquet';
import { writeRecordPart, type RecordTyping } from '../../lib/schema/write-record-part';
import { quoteIdentifier } from '../../lib/parquet/sql';
import { convertRecord, type Column, type RowMeta } from '../../lib/schema/columns';
import { toSpoolRow } from '../../lib/schema/spool-row';

export interface TypingComparison {
  referenceRows: number;
  sqlRows: number;
  referenceUnparsed: number;
  sqlUnparsed: number;
  /** Rows of the reference file missing from the SQL file, and the other way round (EXCEPT ALL). */
  onlyInReference: number;
  onlyInSql: number;
  /** [name, type] per column of each file. */
  referenceSchema: [string, string][];
  sqlSchema: [string, string][];
  /** DOUBLE zeros written as -0 (EXCEPT ALL counts -0 equal to 0), in each file. */
  negativeZeros: [number, number];
  referencePath: string;
  sqlPath: string;
}

/** Writes `records` both ways into `dir` (file names prefixed `name`) and compares the results. */
export async function compareTypingPaths(
  db: DuckDb,
  dir: string,
  name: string,
  records: HubSpotRecord[],
  columns: Column[],
  meta: RowMeta,
  /** The SQL path's typing form; default: writeRecordPart's choice. */
  typing?: RecordTyping,
): Promise<TypingComparison> {
  const referenceSpool = await NdjsonSpool.create(join(dir, `${name}-reference.ndjson`));
  const rawSpool = await NdjsonSpool.create(join(dir, `${name}-raw.ndjson`));
  let referenceUnparsed = 0;
  for (const record of records) {
    const { row, unparsed } = convertRecord(record, columns, meta);
    referenceUnparsed += unparsed;
    await referenceSpool.append(row);
    await rawSpool.append(toSpoolRow(record, columns));
  }
  await referenceSpool.close();
  await rawSpool.close();
  const referencePath = join(dir, `${name}-reference.parquet`);
  const sqlPath = join(dir, `${name}-sql.parquet`);
  const reference = await writeParquetFromNdjson(db, {
    ndjsonPath: referenceSpool.path,
    parquetPath: referencePath,
    columns,
  });
  const sql = await writeRecordPart(db, { ndjsonPath: rawSpool.path, parquetPath: sqlPath, columns, meta, typing });

  const a = `read_parquet(${quoteLiteral(referencePath)})`;
  const b = `read_parquet(${quoteLiteral(sqlPath)})`;
  const count = async (query: string) =>
    Number((await db.query<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM (${query})`))[0].n);
  const schema = async (source: string) =>
    (await db.query<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${source}`)).map(
      (d): [string, string] => [d.column_name, d.column_type],
    );
  const doubles = columns.filter((c) => c.type === 'DOUBLE').map((c) => quoteIdentifier(c.name));
  const negativeZeros = async (source: string) =>
    doubles.length === 0
      ? 0
      : count(`SELECT 1 FROM ${source} WHERE ${doubles.map((d) => `(${d} = 0 AND signbit(${d}))`).join(' OR ')}`);
  return {
    referenceRows: reference.rows,
    sqlRows: sql.rows,
    referenceUnparsed,
    sqlUnparsed: sql.unparsed,
    onlyInReference: await count(`SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b}`),
    onlyInSql: await count(`SELECT * FROM ${b} EXCEPT ALL SELECT * FROM ${a}`),
    referenceSchema: await schema(a),
    sqlSchema: await schema(b),
    negativeZeros: [await negativeZeros(a), await negativeZeros(b)],
    referencePath,
    sqlPath,
  };
}
