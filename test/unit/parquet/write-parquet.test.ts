import type { ColumnSpec } from '../../../lib/parquet';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubSpotRecord, PropertyDefinition } from '../../../lib/hubspot/types';
import { openDuckDb, type DuckDb } from '../../../lib/parquet/duckdb';
import { NdjsonSpool } from '../../../lib/parquet/spool';
import { quoteLiteral } from '../../../lib/parquet/sql';
import { writeParquetFromNdjson, writeParquetRows } from '../../../lib/parquet/write-parquet';
import { buildRecordColumns, convertRecord } from '../../../lib/schema/columns';
import { EDGE_PROPERTIES } from '../../fixtures/schema/properties';

const LONG = `${'ab'.repeat(32_767)}\n😀`; // 65,536 characters (code points), ending in a newline and an emoji
const META = { runId: 'run-1', syncedAt: '2026-03-01T12:00:00.250Z' };

const RECORDS: HubSpotRecord[] = [
  {
    id: '1',
    createdAt: '2020-02-29T03:30:17.001Z',
    updatedAt: '1582947017999',
    archived: false,
    properties: {
      text: LONG,
      amount: '-1.25e2',
      flag: 'false',
      birthday: '2000-01-01',
      seen_at: '1582947017123',
      colors: 'a;b;c',
      stage: 'closed "won"',
      'it\'s "quoted"': 'tab\there, quote \' and "',
    },
  },
  {
    id: '2',
    createdAt: '2021-01-01T00:00:00Z',
    updatedAt: '2021-01-01T00:00:00Z',
    archived: true,
    archivedAt: '2021-06-30T23:59:59.999Z',
    properties: { text: null, amount: 'N/A', flag: 'maybe', birthday: '', seen_at: null, colors: '', stage: null },
  },
];

/** What DuckDB reads back for RECORDS, in its JSON rendering (timestamps as text, maps as key/value lists). */
const EXPECTED = [
  {
    id: '1',
    created_at: '2020-02-29 03:30:17.001',
    updated_at: '2020-02-29 03:30:17.999',
    archived: false,
    archived_at: null,
    text: LONG,
    amount: -125,
    flag: false,
    birthday: '2000-01-01',
    seen_at: '2020-02-29 03:30:17.123',
    colors: ['a', 'b', 'c'],
    stage: 'closed "won"',
    'it\'s "quoted"': 'tab\there, quote \' and "',
    _unparsed: null,
    _run_id: 'run-1',
    _synced_at: '2026-03-01 12:00:00.25',
  },
  {
    id: '2',
    created_at: '2021-01-01 00:00:00',
    updated_at: '2021-01-01 00:00:00',
    archived: true,
    archived_at: '2021-06-30 23:59:59.999',
    text: null,
    amount: null,
    flag: null,
    birthday: null,
    seen_at: null,
    colors: [],
    stage: null,
    'it\'s "quoted"': null,
    _unparsed: [
      { key: 'amount', value: 'N/A' },
      { key: 'flag', value: 'maybe' },
      { key: 'birthday', value: '' },
    ],
    _run_id: 'run-1',
    _synced_at: '2026-03-01 12:00:00.25',
  },
];

describe('Function: writeParquetFromNdjson', () => {
  let dir: string;
  let db: DuckDb;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "parquet it's-"));
    db = await openDuckDb();
  });
  afterAll(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips edge values with exact values and column types', async () => {
    const columns = buildRecordColumns(EDGE_PROPERTIES);
    const spool = await NdjsonSpool.create(join(dir, 'in.ndjson'));
    const counts: number[] = [];
    for (const record of RECORDS) {
      const { row, unparsed } = convertRecord(record, columns, META);
      counts.push(unparsed);
      await spool.append(row);
    }
    await spool.close();
    const parquetPath = join(dir, 'out "x"', 'part-00000.parquet');

    const result = await writeParquetFromNdjson(db, { ndjsonPath: spool.path, parquetPath, columns });

    expect(counts).toEqual([0, 3]);
    expect(result.rows).toBe(2);
    expect(result.bytes).toBe((await stat(parquetPath)).size);
    const source = `read_parquet(${quoteLiteral(parquetPath)})`;
    expect(await db.query(`SELECT * FROM ${source} ORDER BY id`)).toEqual(EXPECTED);
    const described = await db.query<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${source}`);
    expect(described.map((d) => [d.column_name, d.column_type])).toEqual(columns.map((c) => [c.name, c.type]));
    const [epoch] = await db.query<{ ms: string; len: string }>(
      `SELECT epoch_ms(seen_at)::VARCHAR AS ms, length(text)::VARCHAR AS len FROM ${source} WHERE id = '1'`,
    );
    expect(epoch).toEqual({ ms: '1582947017123', len: String([...LONG].length) });
    expect([...LONG].length).toBe(65_536);
  });

  it.each(['zstd', 'snappy'] as const)(
    'writes %s compression with the requested row group size',
    async (compression) => {
      const ndjson = join(dir, `${compression}.ndjson`);
      const spool = await NdjsonSpool.create(ndjson);
      for (let i = 0; i < 10_000; i += 1) await spool.append({ n: i, s: `v${i % 7}` });
      await spool.close();
      const parquetPath = join(dir, `${compression}.parquet`);
      const columns: ColumnSpec[] = [
        { name: 'n', type: 'DOUBLE' },
        { name: 's', type: 'VARCHAR' },
      ];

      const result = await writeParquetFromNdjson(db, {
        ndjsonPath: ndjson,
        parquetPath,
        columns,
        compression,
        rowGroupSize: 4_096,
      });

      expect(result.rows).toBe(10_000);
      const meta = await db.query<{ groups: string; codecs: string }>(
        `SELECT count(DISTINCT row_group_id)::VARCHAR AS groups, string_agg(DISTINCT compression, ',') AS codecs
       FROM parquet_metadata(${quoteLiteral(parquetPath)})`,
      );
      expect(meta).toEqual([{ groups: '3', codecs: compression.toUpperCase() }]);
    },
  );

  it.each([
    ['v1', 'PLAIN', 'PLAIN'],
    ['v2', 'DELTA_BINARY_PACKED', 'BYTE_STREAM_SPLIT'],
  ] as const)(
    'writes Parquet %s pages (timestamps %s, doubles %s)',
    async (version, timestampEncoding, doubleEncoding) => {
      const ndjson = join(dir, `version-${version}.ndjson`);
      const spool = await NdjsonSpool.create(ndjson);
      for (let i = 0; i < 1_000; i += 1) {
        await spool.append({
          t: new Date(1_600_000_000_000 + i * 1_234_567).toISOString().replace('T', ' ').slice(0, 23),
          d: i / 7,
        });
      }
      await spool.close();
      const parquetPath = join(dir, `version-${version}.parquet`);
      const columns: ColumnSpec[] = [
        { name: 't', type: 'TIMESTAMP' },
        { name: 'd', type: 'DOUBLE' },
      ];

      await writeParquetFromNdjson(db, {
        ndjsonPath: ndjson,
        parquetPath,
        columns,
        parquetVersion: version,
        compressionLevel: 9,
      });

      const encodings = await db.query<{ column: string; encodings: string }>(
        `SELECT path_in_schema AS column, encodings FROM parquet_metadata(${quoteLiteral(parquetPath)}) ORDER BY column_id`,
      );
      expect(encodings).toEqual([
        { column: 't', encodings: timestampEncoding },
        { column: 'd', encodings: doubleEncoding },
      ]);
      const [sums] = await db.query<{ n: string; last: string }>(
        `SELECT count(*)::VARCHAR AS n, max(t)::VARCHAR AS last FROM read_parquet(${quoteLiteral(parquetPath)})`,
      );
      expect(sums).toEqual({ n: '1000', last: '2020-09-27 19:02:12.433' });
    },
  );

  it.each([
    { limit: 'the 64 KiB default', stringDictionaryPageBytes: undefined, uniqueAsDictionary: false },
    { limit: 'a 1 MiB limit', stringDictionaryPageBytes: 1024 * 1024, uniqueAsDictionary: true },
  ])(
    'with $limit, an 80 KB string dictionary is written: $uniqueAsDictionary; a 7-value one always',
    async ({ stringDictionaryPageBytes, uniqueAsDictionary }) => {
      const ndjson = join(dir, 'dictionary.ndjson');
      const spool = await NdjsonSpool.create(ndjson);
      // 2,000 distinct 40-character strings, 5 rows each: an ~80 KB dictionary; 7 distinct values: a few bytes.
      for (let i = 0; i < 10_000; i += 1) {
        const unique = `someone.with.long.name.${String(i % 2_000).padStart(5, '0')}@example.com`;
        await spool.append({ unique, few: `v${i % 7}` });
      }
      await spool.close();
      const parquetPath = join(dir, 'dictionary.parquet');

      await writeParquetFromNdjson(db, {
        ndjsonPath: ndjson,
        parquetPath,
        columns: [
          { name: 'unique', type: 'VARCHAR' },
          { name: 'few', type: 'VARCHAR' },
        ],
        stringDictionaryPageBytes,
      });

      const chunks = await db.query<{ column: string; dictionary: boolean }>(
        `SELECT path_in_schema AS column, bool_or(dictionary_page_offset IS NOT NULL) AS dictionary
         FROM parquet_metadata(${quoteLiteral(parquetPath)}) GROUP BY column_id, path_in_schema ORDER BY column_id`,
      );
      expect(chunks).toEqual([
        { column: 'unique', dictionary: uniqueAsDictionary },
        { column: 'few', dictionary: true },
      ]);
      const [counts] = await db.query<{ n: string; distinct: string }>(
        `SELECT count(*)::VARCHAR AS n, count(DISTINCT "unique")::VARCHAR AS distinct FROM read_parquet(${quoteLiteral(parquetPath)})`,
      );
      expect(counts).toEqual({ n: '10000', distinct: '2000' });
    },
  );

  it.each([
    ['a compression level above 22', { compressionLevel: 23 }, 'Bad compressionLevel 23'],
    ['a fractional compression level', { compressionLevel: 2.5 }, 'Bad compressionLevel 2.5'],
    ['an unknown Parquet version', { parquetVersion: 'v3' as never }, 'Bad parquetVersion v3'],
    ['a string dictionary limit of 0 bytes', { stringDictionaryPageBytes: 0 }, 'Bad stringDictionaryPageBytes 0'],
  ])('rejects %s', async (_case, extra, message) => {
    await expect(
      writeParquetFromNdjson(db, {
        ndjsonPath: join(dir, 'none.ndjson'),
        parquetPath: join(dir, 'none.parquet'),
        columns: [{ name: 'n', type: 'DOUBLE' }],
        ...extra,
      }),
    ).rejects.toThrow(message);
  });

  it('writes an empty file with the full schema when the spool is empty', async () => {
    const spool = await NdjsonSpool.create(join(dir, 'empty.ndjson'));
    await spool.close();
    const parquetPath = join(dir, 'empty.parquet');
    const columns = buildRecordColumns(EDGE_PROPERTIES);

    const result = await writeParquetFromNdjson(db, { ndjsonPath: spool.path, parquetPath, columns });

    expect(result.rows).toBe(0);
    const described = await db.query<{ column_name: string }>(
      `DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(parquetPath)})`,
    );
    expect(described.map((d) => d.column_name)).toEqual(columns.map((c) => c.name));
  });

  it('fails instead of writing NULL when a value does not match its type', async () => {
    const spool = await NdjsonSpool.create(join(dir, 'bad.ndjson'));
    await spool.append({ n: 'not a number' });
    await spool.close();

    await expect(
      writeParquetFromNdjson(db, {
        ndjsonPath: spool.path,
        parquetPath: join(dir, 'bad.parquet'),
        columns: [{ name: 'n', type: 'DOUBLE' }],
      }),
    ).rejects.toThrow();
  });
});

describe('Function: writeParquetRows', () => {
  it('writes in-memory rows with the given columns and leaves no temp file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rows-'));
    const db = await openDuckDb({ memoryLimit: '256MB', threads: 1 });
    try {
      const parquetPath = join(dir, 'owners.parquet');
      const rows = [
        { id: '1', email: "o'neil@example.com", teams: ['a', 'b'], updated_at: '2026-01-01 00:00:00.001' },
        { id: '2', email: null, teams: [] },
      ];
      const columns: ColumnSpec[] = [
        { name: 'id', type: 'VARCHAR' },
        { name: 'email', type: 'VARCHAR' },
        { name: 'teams', type: 'VARCHAR[]' },
        { name: 'updated_at', type: 'TIMESTAMP' },
      ];

      const result = await writeParquetRows(db, rows, { parquetPath, columns, workDir: dir });

      expect(result.rows).toBe(2);
      expect(await db.query(`SELECT * FROM read_parquet(${quoteLiteral(parquetPath)}) ORDER BY id`)).toEqual([
        { id: '1', email: "o'neil@example.com", teams: ['a', 'b'], updated_at: '2026-01-01 00:00:00.001' },
        { id: '2', email: null, teams: [], updated_at: null },
      ]);
      const { readdir } = await import('node:fs/promises');
      expect(await readdir(dir)).toEqual(['owners.parquet']);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Partition folders and property columns', () => {
  it('keeps a property named run_id readable beside the run_id folder of a hive-partitioned read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hive-'));
    const db = await openDuckDb({ memoryLimit: '256MB', threads: 1 });
    try {
      const columns = buildRecordColumns([
        { name: 'run_id', label: 'Run', type: 'string', fieldType: 'text' } as PropertyDefinition,
      ]);
      const record: HubSpotRecord = {
        id: '1',
        properties: { run_id: 'ext-27712' },
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:00Z',
        archived: false,
      };
      const { row } = convertRecord(record, columns, { runId: 'R1', syncedAt: '2026-01-02T00:00:00.000Z' });
      const folder = join(dir, 'snapshot_date=2026-01-02', 'run_id=R1');
      await mkdir(folder, { recursive: true });
      await writeParquetRows(db, [row], { parquetPath: join(folder, 'part-00000.parquet'), columns, workDir: dir });

      // DuckDB turns hive partitioning on by itself for such paths: the folder's run_id is a column too.
      const rows = await db.query(
        `SELECT run_id, property_run_id FROM read_parquet(${quoteLiteral(`${dir}/*/*/*.parquet`)})`,
      );
      expect(rows).toEqual([{ run_id: 'R1', property_run_id: 'ext-27712' }]);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
