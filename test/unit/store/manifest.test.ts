import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectExistsError } from '../../../lib/store/errors';
import { publishManifest, readLatest, readManifest } from '../../../lib/store/manifest';
import { openTarget } from '../../../lib/store/open-target';
import type { StorageTarget } from '../../../lib/store/target';
import { makeManifest } from '../../fixtures/store/manifest';

const TABLE = { kind: 'snapshot', object: 'contacts' } as const;

/** Records the order of writes, passing them on to a real target. */
function recordWrites(target: StorageTarget, writes: string[]): StorageTarget {
  return {
    location: target.location,
    url: (key) => target.url(key),
    putFile: (key, path, options) => target.putFile(key, path, options),
    putObject: async (key, body, options) => {
      writes.push(`${key}${options?.ifAbsent ? ' (ifAbsent)' : ''}`);
      await target.putObject(key, body, options);
    },
    getObject: (key) => target.getObject(key),
    getTagged: (key) => target.getTagged(key),
    exists: (key) => target.exists(key),
    list: (prefix) => target.list(prefix),
    deleteObject: (key) => target.deleteObject(key),
  };
}

describe('Function: publishManifest', () => {
  let dir: string;
  let target: StorageTarget;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'manifest-'));
    target = openTarget(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the manifest (never overwriting) and then the latest pointer', async () => {
    const writes: string[] = [];
    const manifest = makeManifest(target, 'run-1');

    const pointer = await publishManifest(recordWrites(target, writes), TABLE, manifest);

    expect(writes).toEqual(['_manifests/contacts/run-1.json (ifAbsent)', '_latest/contacts.json']);
    expect(pointer).toEqual({
      runId: 'run-1',
      manifest: join(dir, '_manifests', 'contacts', 'run-1.json'),
      snapshotDate: '2026-03-01',
    });
    expect(JSON.parse((await target.getObject('_latest/contacts.json'))!.toString())).toEqual(pointer);
    expect(await readLatest(target, TABLE)).toEqual(pointer);
    expect(await readManifest(target, TABLE, 'run-1')).toEqual(manifest);
  });

  it('keeps the manifest JSON shape of the output contract', async () => {
    await publishManifest(target, TABLE, makeManifest(target, 'run-1'));
    const json = JSON.parse((await target.getObject('_manifests/contacts/run-1.json'))!.toString());
    expect(Object.keys(json)).toEqual([
      'runId',
      'object',
      'dataset',
      'mode',
      'snapshotDate',
      'startedAt',
      'finishedAt',
      'rows',
      'files',
      'bytes',
      'columns',
      'watermark',
      'unparsed',
      'entries',
    ]);
    expect(json.entries).toEqual([
      {
        url: join(dir, 'snapshots/contacts/snapshot_date=2026-03-01/run_id=run-1/part-00000.parquet'),
        mandatory: true,
        meta: { content_length: 1234, record_count: 3 },
      },
    ]);
  });

  it('refuses to republish a run and leaves latest untouched when the manifest exists', async () => {
    await publishManifest(target, TABLE, makeManifest(target, 'run-1'));
    await publishManifest(target, TABLE, makeManifest(target, 'run-2'));

    await expect(publishManifest(target, TABLE, { ...makeManifest(target, 'run-1'), rows: 99 })).rejects.toThrow(
      ObjectExistsError,
    );
    expect((await readLatest(target, TABLE))?.runId).toBe('run-2');
    expect((await readManifest(target, TABLE, 'run-1'))?.rows).toBe(3);
  });

  it('returns undefined before the first publish', async () => {
    expect(await readLatest(target, TABLE)).toBeUndefined();
    expect(await readManifest(target, TABLE, 'run-1')).toBeUndefined();
  });
});
