/**
 * The same export written through a local folder and through s3rver (real S3 wire protocol on loopback):
 * identical keys, identical values read back with DuckDB, ifAbsent never overwrites, multipart uploads.
 */
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubSpotRecord } from '../../../lib/hubspot/types';
import { NdjsonSpool, openDuckDb, quoteLiteral, writeParquetFromNdjson, type DuckDb } from '../../../lib/parquet';
import { buildRecordColumns, convertRecord, type Column } from '../../../lib/schema/columns';
import { ObjectExistsError } from '../../../lib/store/errors';
import { partKey, type TableRef } from '../../../lib/store/layout';
import { publishManifest, readLatest, readManifest, type Manifest } from '../../../lib/store/manifest';
import { S3RequestError } from '../../../lib/store/errors';
import { openTarget } from '../../../lib/store/open-target';
import type { StorageTarget } from '../../../lib/store/target';
import { EDGE_PROPERTIES, makeProperty } from '../../fixtures/schema/properties';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver';

const TABLE: TableRef = { kind: 'snapshot', object: 'contacts' };
const DATE = '2026-03-01';

function makeRecords(count: number, withExtra: boolean): HubSpotRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(i + 1),
    createdAt: `2026-01-01T00:00:00.${String(i).padStart(3, '0')}Z`,
    updatedAt: String(1767225600000 + i),
    archived: false,
    properties: {
      text: `row ${i}\n😀 "it's"`,
      amount: i % 3 === 0 ? 'N/A' : String(i * 1.5),
      flag: i % 2 === 0 ? 'true' : 'false',
      colors: 'a;b',
      ...(withExtra ? { extra: `x${i}` } : {}),
    },
  }));
}

interface Written {
  rows: number;
  unparsed: number;
  manifest: Manifest;
}

/** Exports records as one part + manifest the way the sync engine does, through `target`. */
async function exportRun(
  db: DuckDb,
  target: StorageTarget,
  work: string,
  runId: string,
  columns: Column[],
  records: HubSpotRecord[],
): Promise<Written> {
  const spool = await NdjsonSpool.create(join(work, `${runId}.ndjson`));
  let unparsed = 0;
  for (const record of records) {
    const converted = convertRecord(record, columns, { runId, syncedAt: '2026-03-01T12:00:00.000Z' });
    unparsed += converted.unparsed;
    await spool.append(converted.row);
  }
  await spool.close();
  const parquetPath = join(work, `${runId}.parquet`);
  const written = await writeParquetFromNdjson(db, { ndjsonPath: spool.path, parquetPath, columns });
  const key = partKey(TABLE, DATE, runId, 0);
  const { bytes } = await target.putFile(key, parquetPath, { contentType: 'application/vnd.apache.parquet' });
  const manifest: Manifest = {
    runId,
    object: 'contacts',
    dataset: 'contacts',
    mode: 'full',
    snapshotDate: DATE,
    startedAt: '2026-03-01T12:00:00.000Z',
    finishedAt: '2026-03-01T12:01:00.000Z',
    rows: written.rows,
    files: 1,
    bytes,
    columns: columns.map(({ name, type }) => ({ name, type })),
    watermark: null,
    unparsed,
    entries: [{ url: target.url(key), mandatory: true, meta: { content_length: bytes, record_count: written.rows } }],
  };
  await publishManifest(target, TABLE, manifest);
  return { rows: written.rows, unparsed, manifest };
}

/** Reads every part of a manifest back with DuckDB (S3 parts are fetched through the target first). */
async function readBack(db: DuckDb, target: StorageTarget, work: string, manifest: Manifest) {
  const paths: string[] = [];
  for (const [i, entry] of manifest.entries.entries()) {
    if (!entry.url.startsWith('s3://')) {
      paths.push(entry.url);
      continue;
    }
    const key = entry.url.slice(target.url('x').length - 1);
    const local = join(work, `fetched-${manifest.runId}-${i}.parquet`);
    await writeFile(local, (await target.getObject(key))!);
    paths.push(local);
  }
  const list = `[${paths.map(quoteLiteral).join(', ')}]`;
  return {
    rows: await db.query(`SELECT * FROM read_parquet(${list}, hive_partitioning = false) ORDER BY id::INTEGER`),
    types: await db.query(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${list}, hive_partitioning = false))`,
    ),
  };
}

describe('Integration: storage targets', () => {
  let s3: S3rverHandle;
  let db: DuckDb;
  let work: string;
  let localRoot: string;
  const targets: Record<string, StorageTarget> = {};

  beforeAll(async () => {
    s3 = await startS3rver({ bucket: 'exports' });
    db = await openDuckDb();
    work = await mkdtemp(join(tmpdir(), 'store-it-'));
    localRoot = join(work, 'out');
    targets.local = openTarget(localRoot);
    targets.s3 = openTarget(`s3://${s3.bucket}/hubspot/prod`, { s3Client: s3.client });
  });
  afterAll(async () => {
    await db.close();
    await s3.close();
    await rm(work, { recursive: true, force: true });
  });

  it('writes identical layouts and values to a local folder and to S3, and old snapshots still read', async () => {
    const v1 = buildRecordColumns(EDGE_PROPERTIES);
    const v2 = buildRecordColumns([...EDGE_PROPERTIES, makeProperty('extra', 'string', 'text')]);
    const results: Record<string, unknown> = {};
    for (const [name, target] of Object.entries(targets)) {
      const run1 = await exportRun(db, target, work, 'run-1', v1, makeRecords(30, false));
      const run2 = await exportRun(db, target, work, 'run-2', v2, makeRecords(40, true));
      const latest = await readLatest(target, TABLE);
      const old = await readManifest(target, TABLE, 'run-1');
      results[name] = {
        counts: [run1.rows, run1.unparsed, run2.rows, run2.unparsed],
        keys: (await target.list('')).map((o) => o.key),
        latestRun: latest?.runId,
        latestManifest: latest?.manifest,
        old: await readBack(db, target, work, old!),
        new: await readBack(db, target, work, run2.manifest),
      };
    }
    const local = results.local as Record<string, unknown>;
    const remote = results.s3 as Record<string, unknown>;

    expect(local.counts).toEqual([30, 10, 40, 14]);
    expect(local.keys).toEqual([
      '_latest/contacts.json',
      '_manifests/contacts/run-1.json',
      '_manifests/contacts/run-2.json',
      `snapshots/contacts/snapshot_date=${DATE}/run_id=run-1/part-00000.parquet`,
      `snapshots/contacts/snapshot_date=${DATE}/run_id=run-2/part-00000.parquet`,
    ]);
    expect(local.latestRun).toBe('run-2');
    expect(local.latestManifest).toBe(join(localRoot, '_manifests', 'contacts', 'run-2.json'));
    expect(remote.latestManifest).toBe('s3://exports/hubspot/prod/_manifests/contacts/run-2.json');
    const { latestManifest: _a, ...localRest } = local;
    const { latestManifest: _b, ...remoteRest } = remote;
    expect(remoteRest).toEqual(localRest);

    const oldRead = local.old as { rows: Record<string, unknown>[]; types: unknown[] };
    const newRead = local.new as { rows: Record<string, unknown>[]; types: unknown[] };
    expect(oldRead.types).toHaveLength(v1.length);
    expect(newRead.types).toHaveLength(v2.length);
    expect(oldRead.rows[3]).toEqual({
      id: '4',
      created_at: '2026-01-01 00:00:00.003',
      updated_at: '2026-01-01 00:00:00.003',
      archived: false,
      archived_at: null,
      text: 'row 3\n😀 "it\'s"',
      amount: null,
      flag: false,
      birthday: null,
      seen_at: null,
      colors: ['a', 'b'],
      stage: null,
      'it\'s "quoted"': null,
      _unparsed: [{ key: 'amount', value: 'N/A' }],
      _run_id: 'run-1',
      _synced_at: '2026-03-01 12:00:00',
    });
    expect(newRead.rows[4]).toMatchObject({ id: '5', amount: 6, flag: true, extra: 'x4', _run_id: 'run-2' });
  });

  it.each(['local', 's3'])('never overwrites with ifAbsent on %s', async (name) => {
    const target = targets[name];
    await target.putObject('_state/lock-test.json', 'first', { ifAbsent: true });

    await expect(target.putObject('_state/lock-test.json', 'second', { ifAbsent: true })).rejects.toThrow(
      ObjectExistsError,
    );
    expect((await target.getObject('_state/lock-test.json'))?.toString()).toBe('first');
    await target.putObject('_state/lock-test.json', 'third');
    expect((await target.getObject('_state/lock-test.json'))?.toString()).toBe('third');
    await target.deleteObject('_state/lock-test.json');
    expect(await target.exists('_state/lock-test.json')).toBe(false);
    expect(await target.getObject('_state/lock-test.json')).toBeUndefined();
  });

  it('uploads a part larger than 5 MiB to S3 in several parts and reads the same bytes back', async () => {
    const big = join(work, 'big.bin');
    const content = Buffer.alloc(12 * 1024 * 1024 + 17);
    for (let i = 0; i < content.length; i += 4096) content.writeUInt32LE(i, i);
    await writeFile(big, content);

    const commands: string[] = [];
    const client = new S3Client({ ...s3.clientConfig });
    client.middlewareStack.add(
      (next, context) => (args) => {
        commands.push(context.commandName as string);
        return next(args);
      },
      { step: 'initialize' },
    );
    const target = openTarget(`s3://${s3.bucket}/hubspot/prod`, { s3Client: client });

    const { bytes } = await target.putFile('tmp/big.bin', big);

    client.destroy();
    expect(bytes).toBe(content.length);
    // 8 MiB + 4 MiB parts.
    expect(commands.sort()).toEqual([
      'CompleteMultipartUploadCommand',
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
    ]);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'hubspot/prod/tmp/big.bin' }));
    expect(head.ContentLength).toBe(content.length);
    expect((await targets.s3.getObject('tmp/big.bin'))!.equals(await readFile(big))).toBe(true);
    expect(await targets.s3.list('tmp/')).toEqual([{ key: 'tmp/big.bin', size: content.length }]);
    await targets.s3.deleteObject('tmp/big.bin');
  });

  it('writes a key while a sibling in the same folder is deleted, as S3 allows (the build does this per object)', async () => {
    // Two objects' builds share `_state/runs/<run>/build/`: one deletes its winners table as another writes its own.
    const target = targets.s3;
    for (let round = 0; round < 40; round++) {
      await target.putObject(`race/${round}/a.json`, 'a');
      await Promise.all([target.deleteObject(`race/${round}/a.json`), target.putObject(`race/${round}/b.json`, 'b')]);
    }
    const left = await target.list('race/');
    expect(left).toHaveLength(40);
    expect(left.every((entry) => entry.key.endsWith('/b.json'))).toBe(true);
    for (const entry of left) await target.deleteObject(entry.key);
  });

  it('names the S3 request and object when S3 refuses it or cannot be reached', async () => {
    const missing = openTarget('s3://no-such-bucket/hubspot', { s3Client: s3.client });
    const refused = await missing.putObject('_state/x.json', '{}').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(S3RequestError);
    expect((refused as Error).message).toBe(
      'S3 PutObject s3://no-such-bucket/hubspot/_state/x.json failed (NoSuchBucket: The specified bucket does not exist)',
    );
    await expect(missing.list('_latest/')).rejects.toThrow(
      'S3 ListObjectsV2 s3://no-such-bucket/hubspot/_latest/ failed (NoSuchBucket: ',
    );

    const client = new S3Client({ ...s3.clientConfig, endpoint: 'http://127.0.0.1:1', maxAttempts: 1 });
    const unreachable = openTarget(`s3://${s3.bucket}/hubspot`, { s3Client: client });
    const error = await unreachable.getObject('_latest/contacts.json').catch((e: unknown) => e);
    client.destroy();
    expect(error).toBeInstanceOf(S3RequestError);
    expect((error as Error).message).toMatch(
      /^S3 GetObject s3:\/\/exports\/hubspot\/_latest\/contacts\.json failed \(.*ECONNREFUSED 127\.0\.0\.1:1\)$/,
    );
  });
});
