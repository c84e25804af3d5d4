/**
 * Every contacts record of the simulator's oracle (600+ properties, active and archived) goes through
 * buildRecordColumns -> convertRecord -> NdjsonSpool -> writeParquetFromNdjson into s3rver and a local folder;
 * DuckDB reads both back and every value must equal the oracle after the documented mapping
 * (lib/schema/README.md), with raw text of unparseable values in _unparsed and the same unparsed count.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubSpotRecord } from '../../../lib/hubspot/types';
import {
  NdjsonSpool,
  openDuckDb,
  quoteIdentifier,
  quoteLiteral,
  writeParquetFromNdjson,
  type DuckDb,
} from '../../../lib/parquet';
import { buildRecordColumns, convertRecord, type Column } from '../../../lib/schema/columns';
import { partKey } from '../../../lib/store/layout';
import { openTarget } from '../../../lib/store/open-target';
import type { StorageTarget } from '../../../lib/store/target';
import { startSimulator, type Simulator } from '../../../sim';
import { expectedColumns } from '../../helpers/expected-record-table';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver';

const RUN_ID = 'oracle-run';
const SYNCED_AT = '2026-03-01T12:00:00.000Z';
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

type Expected = { ok: true; value: unknown } | { ok: false };

/** The documented mapping, restated independently of lib/schema/parse-value.ts. */
function expectedValue(type: string, raw: string): Expected {
  const text = raw.trim();
  switch (type) {
    case 'DOUBLE':
      return NUMBER.test(text) && Number.isFinite(Number(text)) ? { ok: true, value: Number(text) } : { ok: false };
    case 'BOOLEAN':
      return /^(true|false)$/i.test(text) ? { ok: true, value: text.toLowerCase() === 'true' } : { ok: false };
    case 'TIMESTAMP': {
      const ms = /^-?\d+$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
      return Number.isNaN(ms) ? { ok: false } : { ok: true, value: ms };
    }
    case 'DATE': {
      if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return { ok: true, value: text };
      const ms = /^-?\d+$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
      return Number.isNaN(ms) || ms % 86_400_000 !== 0
        ? { ok: false }
        : { ok: true, value: new Date(ms).toISOString().slice(0, 10) };
    }
    case 'VARCHAR[]':
      return { ok: true, value: raw.split(';').filter((item) => item !== '') };
    default:
      return { ok: true, value: raw };
  }
}

/** SELECT list rendering each column in a form JSON compares exactly (timestamps as epoch ms). */
function selectList(columns: Column[]): string {
  return columns
    .map((c) => {
      const id = quoteIdentifier(c.name);
      if (c.type === 'TIMESTAMP') return `epoch_ms(${id})::DOUBLE AS ${id}`;
      if (c.type === 'DATE') return `${id}::VARCHAR AS ${id}`;
      return id;
    })
    .join(', ');
}

function expectedRow(record: HubSpotRecord, columns: Column[]): { row: Record<string, unknown>; unparsed: number } {
  const unparsed: Record<string, string> = {};
  const row: Record<string, unknown> = {
    id: record.id,
    created_at: Date.parse(record.createdAt),
    updated_at: Date.parse(record.updatedAt),
    archived: record.archived,
    archived_at: record.archivedAt ? Date.parse(record.archivedAt) : null,
  };
  for (const column of columns) {
    if (!column.property) continue;
    const raw = record.properties[column.property.name];
    if (raw === null || raw === undefined) {
      row[column.name] = null;
      continue;
    }
    const expected = expectedValue(column.type, raw);
    row[column.name] = expected.ok ? expected.value : null;
    if (!expected.ok) unparsed[column.property.name] = raw;
  }
  const count = Object.keys(unparsed).length;
  row._unparsed = count ? unparsed : null;
  row._run_id = RUN_ID;
  row._synced_at = Date.parse(SYNCED_AT);
  return { row, unparsed: count };
}

describe('Integration: oracle contacts round trip', () => {
  let sim: Simulator;
  let s3: S3rverHandle;
  let db: DuckDb;
  let work: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 7, scale: 'tiny' });
    s3 = await startS3rver({ bucket: 'oracle' });
    db = await openDuckDb();
    work = await mkdtemp(join(tmpdir(), 'oracle-rt-'));
  });
  afterAll(async () => {
    await db.close();
    await s3.close();
    await sim.close();
    await rm(work, { recursive: true, force: true });
  });

  it('keeps every contacts value through local and S3 targets', async () => {
    const properties = sim.oracle.properties('contacts');
    const records = [...sim.oracle.records('contacts'), ...sim.oracle.records('contacts', { archived: true })];
    const columns = buildRecordColumns(properties);
    const spool = await NdjsonSpool.create(join(work, 'contacts.ndjson'));
    let unparsed = 0;
    for (const record of records) {
      const converted = convertRecord(record, columns, { runId: RUN_ID, syncedAt: SYNCED_AT });
      unparsed += converted.unparsed;
      await spool.append(converted.row);
    }
    await spool.close();
    const parquetPath = join(work, 'contacts.parquet');
    const written = await writeParquetFromNdjson(db, { ndjsonPath: spool.path, parquetPath, columns });
    const key = partKey({ kind: 'snapshot', object: 'contacts' }, '2026-03-01', RUN_ID, 0);
    const targets: StorageTarget[] = [
      openTarget(join(work, 'out')),
      openTarget(`s3://${s3.bucket}/x`, { s3Client: s3.client }),
    ];
    const expected = records.map((r) => expectedRow(r, columns)).sort((a, b) => Number(a.row.id) - Number(b.row.id));

    expect(properties.length).toBeGreaterThanOrEqual(600);
    // The column types the expectation below reads are lib's: check them against the oracle's own table first.
    expect(columns.map((c) => [c.name, c.type])).toEqual(expectedColumns(properties).map((c) => [c.name, c.type]));
    expect(records.length).toBeGreaterThan(0);
    expect(written.rows).toBe(records.length);
    expect(unparsed).toBeGreaterThan(0); // the simulator plants N/A, 12abc, yes, empty strings
    expect(unparsed).toBe(expected.reduce((sum, e) => sum + e.unparsed, 0));
    for (const [i, target] of targets.entries()) {
      await target.putFile(key, parquetPath);
      const local = join(work, `read-${i}.parquet`);
      await writeFile(local, (await target.getObject(key))!);
      const rows = await db.query<Record<string, unknown>>(
        `SELECT ${selectList(columns)} FROM read_parquet(${quoteLiteral(local)}) ORDER BY id::BIGINT`,
      );
      const actual = rows.map((row) => ({
        ...row,
        _unparsed: row._unparsed
          ? Object.fromEntries((row._unparsed as { key: string; value: string }[]).map((e) => [e.key, e.value]))
          : null,
      }));
      expect(actual).toEqual(expected.map((e) => e.row));
    }
  });
});
