import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidKeyError, ObjectChangedError, ObjectExistsError } from '../../../lib/store/errors';
import { LocalTarget } from '../../../lib/store/local-target';
import { openTarget } from '../../../lib/store/target';

describe('Class: LocalTarget', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-target-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates nothing when opened', async () => {
    const root = join(dir, 'not-yet');
    const target = openTarget(root);
    expect(target).toBeInstanceOf(LocalTarget);
    expect(target.location).toBe(root);
    expect(await target.list('')).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('records absolute file paths as urls', () => {
    expect(openTarget(dir).url('a/b.json')).toBe(join(dir, 'a', 'b.json'));
  });

  it('writes atomically, lists sorted recursive keys and leaves no temp files', async () => {
    const target = openTarget(dir);
    const source = join(dir, 'source.bin');
    await writeFile(source, Buffer.alloc(10, 1));
    await target.putObject('b/z.json', '{}');
    await target.putObject('b/a.json', Buffer.from('[1]'));
    expect(await target.putFile('a/deep/part.parquet', source)).toEqual({ bytes: 10 });

    expect(await target.list('')).toEqual([
      { key: 'a/deep/part.parquet', size: 10 },
      { key: 'b/a.json', size: 3 },
      { key: 'b/z.json', size: 2 },
      { key: 'source.bin', size: 10 },
    ]);
    expect(await target.list('b/')).toEqual([
      { key: 'b/a.json', size: 3 },
      { key: 'b/z.json', size: 2 },
    ]);
    expect(await target.list('b/a')).toEqual([{ key: 'b/a.json', size: 3 }]);
    expect(await target.list('missing/')).toEqual([]);
    expect(await readdir(join(dir, 'b'))).toEqual(['a.json', 'z.json']);
  });

  it('never overwrites with ifAbsent, even when writers race', async () => {
    const target = openTarget(dir);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => target.putObject('lock.json', `writer ${i}`, { ifAbsent: true })),
    );
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual(
      Array.from({ length: 7 }, () => expect.any(ObjectExistsError)),
    );
    const body = (await target.getObject('lock.json'))!.toString();
    expect(body).toMatch(/^writer \d$/);
    expect(await readdir(dir)).toEqual(['lock.json']);
  });

  it('replaces with ifMatch only the version read, once, even when swaps race', async () => {
    const target = openTarget(dir);
    await target.putObject('lease.json', 'v1');
    const read = (await target.getTagged('lease.json'))!;
    expect(read.body.toString()).toBe('v1');

    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => target.putObject('lease.json', `swap ${i}`, { ifMatch: read.tag })),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual(
      Array.from({ length: 5 }, () => expect.any(ObjectChangedError)),
    );
    const now = (await target.getTagged('lease.json'))!;
    expect(now.body.toString()).toMatch(/^swap \d$/);
    expect(now.tag).not.toBe(read.tag);
    await expect(target.putObject('gone.json', 'x', { ifMatch: read.tag })).rejects.toThrow(ObjectChangedError);
    expect(await target.getTagged('gone.json')).toBeUndefined();
    expect(await readdir(dir)).toEqual(['lease.json']);
  });

  it('overwrites without ifAbsent, reads, checks and deletes idempotently', async () => {
    const target = openTarget(dir);
    await target.putObject('x.json', 'one');
    await target.putObject('x.json', 'two');
    expect((await target.getObject('x.json'))?.toString()).toBe('two');
    expect(await target.exists('x.json')).toBe(true);
    await target.deleteObject('x.json');
    await target.deleteObject('x.json');
    expect(await target.exists('x.json')).toBe(false);
    expect(await target.getObject('x.json')).toBeUndefined();
  });

  it.each(['', '/abs', 'a/../b', 'a//b', 'a/', 'a\\b', './a'])('rejects the key %j', async (key) => {
    await expect(openTarget(dir).putObject(key, 'x')).rejects.toThrow(InvalidKeyError);
  });
});
