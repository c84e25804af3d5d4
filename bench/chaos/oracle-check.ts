/**
 * What an export holds against what the simulator's oracle says it must: record rows through the documented
 * mapping (test/helpers/expected-record-table.ts, written apart from lib/schema) and association pairs, counted as
 * expected, exported, lost (an expected row missing or with other values), duplicated (a second copy of a record
 * in one dataset) and unexpected (a row the oracle does not have, or a stale one).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HubSpotRecord } from '../../lib/hubspot/types';
import { readLatest, readManifest, type Manifest } from '../../lib/store/manifest';
import type { TableRef } from '../../lib/store/layout';
import {
  expectedColumns,
  expectedRow,
  expectedRowsQuery,
  sqlName,
  sqlText,
  type ExpectedColumn,
} from '../../test/helpers/expected-record-table';
import type { World } from './world';

export interface Tally {
  expected: number;
  exported: number;
  lost: number;
  duplicated: number;
  unexpected: number;
}

export const emptyTally = (): Tally => ({ expected: 0, exported: 0, lost: 0, duplicated: 0, unexpected: 0 });

export function addTally(into: Tally, more: Tally): Tally {
  for (const key of Object.keys(into) as (keyof Tally)[]) into[key] += more[key];
  return into;
}

export interface Published {
  manifest: Manifest;
  /** Local copies of the manifest's parts, in its order. */
  files: string[];
}

/** The dataset `table` published by `runId` (default the one `_latest` names), copied locally; undefined if none. */
export async function readPublished(w: World, table: TableRef, runId?: string): Promise<Published | undefined> {
  const target = w.h.target;
  const id = runId ?? (await readLatest(target, table))?.runId;
  const manifest = id ? await readManifest(target, table, id) : undefined;
  if (!manifest) return undefined;
  const dir = await mkdtemp(join(w.scratch, 'published-'));
  const root = target.url('_').slice(0, -1);
  const files: string[] = [];
  for (const [i, entry] of manifest.entries.entries()) {
    const body = await target.getObject(entry.url.slice(root.length));
    if (!body) throw new Error(`${entry.url} is in manifest ${manifest.runId} but not in the bucket`);
    const file = join(dir, `part-${i}.parquet`);
    await writeFile(file, body);
    files.push(file);
  }
  return { manifest, files };
}

const parquet = (files: string[]) => `read_parquet([${files.map(sqlText).join(', ')}], union_by_name = true)`;

async function count(w: World, sql: string): Promise<number> {
  return Number((await w.h.db.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql})`))[0].n);
}

/** The expected rows of `records` as a query typed like the export (TIMESTAMP and DATE cells restated). */
async function expectedQuery(w: World, name: string, columns: ExpectedColumn[], records: HubSpotRecord[]) {
  const path = join(w.scratch, `expected-${name}-${Date.now()}.ndjson`);
  const lines = records.map((record) => {
    const { cells } = expectedRow(record, columns, '');
    return JSON.stringify(Object.fromEntries(columns.map((c, i) => [`c${i}`, cells[c.name]])));
  });
  await writeFile(path, lines.map((line) => `${line}\n`).join(''));
  return expectedRowsQuery(path, columns);
}

export interface RecordCheckOptions {
  /** The oracle records the export must hold; default every record, live and archived. */
  keep?: (record: HubSpotRecord) => boolean;
  /** Records whose rows are not judged either way (changed during the run: either side of the change will do). */
  ignore?: (record: HubSpotRecord) => boolean;
  /** Ids gone from HubSpot for good (merged away, deleted) that older datasets still hold: not compared. */
  gone?: ReadonlySet<string>;
}

/**
 * Compares the record rows of `datasets` (a snapshot, then change sets in run order: a later one's row of a
 * record replaces an earlier one's) with the oracle's records now. The last dataset's columns must be exactly
 * the documented mapping of the current property definitions; `problems` says how they differ.
 */
export async function checkRecords(
  w: World,
  object: string,
  datasets: Published[],
  options: RecordCheckOptions = {},
): Promise<{ tally: Tally; problems: string[] }> {
  const keep = options.keep ?? (() => true);
  const columns = expectedColumns(w.sim.oracle.properties(object));
  const problems: string[] = [];
  const last = datasets[datasets.length - 1];
  const described = await w.h.db.query<{ column_name: string; column_type: string }>(
    `DESCRIBE SELECT * FROM ${parquet(last.files)}`,
  );
  const got = described.map((d) => `${d.column_name} ${d.column_type}`).join(', ');
  const want = columns.map((c) => `${c.name} ${c.type}`).join(', ');
  if (got !== want) problems.push(`${object}: columns ${got} are not the mapping's ${want}`);

  const compared = columns.filter((c) => c.name !== '_synced_at' && c.name !== '_run_id');
  const records = [...w.sim.oracle.records(object), ...w.sim.oracle.records(object, { archived: true })].filter(
    (r) => keep(r) && !options.ignore?.(r),
  );
  const expected = await expectedQuery(w, object, compared, records);
  const union = datasets
    .map((d, seq) => `SELECT *, ${seq} AS _seq FROM ${parquet(d.files)}`)
    .join(' UNION ALL BY NAME ');
  const gone = [...(options.gone ?? [])];
  const latest =
    `SELECT ${compared.map((c) => sqlName(c.name)).join(', ')} FROM (SELECT *, row_number() OVER ` +
    `(PARTITION BY id ORDER BY _seq DESC) AS _pick FROM (${union})) WHERE _pick = 1` +
    (gone.length ? ` AND id NOT IN (${gone.map(sqlText).join(', ')})` : '');
  let duplicated = 0;
  for (const d of datasets) {
    const [row] = await w.h.db.query<{ n: string }>(
      `SELECT (count(*) - count(DISTINCT id))::BIGINT AS n FROM ${parquet(d.files)}`,
    );
    duplicated += Number(row.n);
  }
  const all = [...w.sim.oracle.records(object), ...w.sim.oracle.records(object, { archived: true })];
  const leftOut = all.filter((r) => options.ignore?.(r)).map((r) => sqlText(String(r.id)));
  const judged = leftOut.length ? `SELECT * FROM (${latest}) WHERE id NOT IN (${leftOut.join(', ')})` : latest;
  const tally: Tally = {
    expected: records.length,
    exported: await count(w, judged),
    lost: await count(w, `${expected} EXCEPT ALL ${judged}`),
    duplicated,
    unexpected: await count(w, `${judged} EXCEPT ALL ${expected}`),
  };
  if (tally.lost > 0) {
    const [example] = await w.h.db.query<{ id: string }>(`SELECT id FROM (${expected} EXCEPT ALL ${judged}) LIMIT 1`);
    const runs = datasets.map((d) => `${d.manifest.mode} ${d.manifest.runId}`).join(' + ');
    problems.push(`${object}: ${tally.lost} rows lost or changed in ${runs}, e.g. id ${example.id}`);
  }
  return { tally, problems };
}

/** Compares an association table with the oracle's pairs (one row per pair and association type). */
export async function checkAssociations(w: World, from: string, to: string, published: Published): Promise<Tally> {
  const pairs = w.sim.oracle
    .associations(from, to)
    .flatMap((a) => a.types.map((t) => ({ from_id: a.fromId, to_id: a.toId, type_id: t.typeId })));
  const path = join(w.scratch, `expected-${from}__${to}-${Date.now()}.ndjson`);
  await writeFile(path, pairs.map((p) => `${JSON.stringify(p)}\n`).join(''));
  const expected =
    `SELECT from_id, to_id, type_id::INTEGER AS type_id FROM read_json(${sqlText(path)}, format = ` +
    `'newline_delimited', columns = {from_id: 'VARCHAR', to_id: 'VARCHAR', type_id: 'INTEGER'})`;
  const exported = `SELECT from_id, to_id, type_id::INTEGER AS type_id FROM ${parquet(published.files)}`;
  const distinct = await count(w, `SELECT DISTINCT * FROM (${exported})`);
  const rows = await count(w, exported);
  if (pairs.length === 0)
    return { expected: 0, exported: distinct, lost: 0, duplicated: rows - distinct, unexpected: distinct };
  return {
    expected: pairs.length,
    exported: distinct,
    lost: await count(w, `${expected} EXCEPT ALL ${exported}`),
    duplicated: rows - distinct,
    unexpected: await count(w, `SELECT DISTINCT * FROM (${exported}) EXCEPT ALL ${expected}`),
  };
}
