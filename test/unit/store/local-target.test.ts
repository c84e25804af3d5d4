import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InvalidKeyError, ObjectChangedError, ObjectExistsError } from '../../../lib/store/errors';
import { FILE_LOCK } from '../../../lib/store/file-lock';
import { LOCAL_TEMP_PREFIX, LocalTarget } from '../../../lib/store/local-target';
import { openTarget } from '../../../lib/store/open-target';

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

  describe('swaps across processes (a lock file per key)', () => {
    const lockOf = (key: string) => join(dir, `${LOCAL_TEMP_PREFIX}lock-${key}`);
    /** A live process that is not this one, to hold a lock; killed by the returned function. */
    function otherProcess(): { pid: number; stop: () => Promise<void> } {
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      return {
        pid: child.pid!,
        stop: async () => {
          child.kill();
          await exited;
        },
      };
    }
    const settledWithin = async (promise: Promise<unknown>, ms: number) =>
      Promise.race([
        promise.then(
          () => true,
          () => true,
        ),
        new Promise((r) => setTimeout(() => r(false), ms)),
      ]);

    it('waits while another live process holds the lock, then compares with what that process wrote', async () => {
      const target = openTarget(dir);
      await target.putObject('lease.json', 'v1');
      const read = (await target.getTagged('lease.json'))!;
      const holder = otherProcess();
      try {
        await writeFile(lockOf('lease.json'), `${holder.pid}\n`);
        const swap = target.putObject('lease.json', 'mine', { ifMatch: read.tag });
        expect(await settledWithin(swap, 200)).toBe(false);
        // The holder swaps in its version and releases: ours must now see it changed.
        await writeFile(join(dir, 'lease.json'), 'theirs');
        await rm(lockOf('lease.json'));
        await expect(swap).rejects.toThrow(ObjectChangedError);
      } finally {
        await holder.stop();
      }
      expect((await target.getObject('lease.json'))!.toString()).toBe('theirs');
      expect(await readdir(dir)).toEqual(['lease.json']);
    });

    it('takes over a lock whose process is gone, and one naming no process once it is stale', async () => {
      const target = openTarget(dir);
      await target.putObject('lease.json', 'v1');
      const gone = otherProcess();
      await gone.stop();
      await writeFile(lockOf('lease.json'), `${gone.pid}\n`);
      await target.putObject('lease.json', 'v2', { ifMatch: (await target.getTagged('lease.json'))!.tag });

      await writeFile(lockOf('lease.json'), '');
      const old = (Date.now() - FILE_LOCK.staleMs - 1000) / 1000;
      await utimes(lockOf('lease.json'), old, old);
      await target.putObject('lease.json', 'v3', { ifMatch: (await target.getTagged('lease.json'))!.tag });

      expect((await target.getObject('lease.json'))!.toString()).toBe('v3');
      expect(await readdir(dir)).toEqual(['lease.json']);
    });

    it('gives up on a held lock after FILE_LOCK.waitMs with an error naming the lock file', async () => {
      const target = openTarget(dir);
      await target.putObject('lease.json', 'v1');
      const read = (await target.getTagged('lease.json'))!;
      await writeFile(lockOf('lease.json'), ''); // fresh, naming no process: not stale yet
      const waitMs = FILE_LOCK.waitMs;
      FILE_LOCK.waitMs = 100;
      try {
        await expect(target.putObject('lease.json', 'mine', { ifMatch: read.tag })).rejects.toThrow(
          `Waited 100 ms for ${lockOf('lease.json')} (another run is updating lease.json)`,
        );
      } finally {
        FILE_LOCK.waitMs = waitMs;
      }
      expect((await target.getObject('lease.json'))!.toString()).toBe('v1');
    });

    it.each([
      ['with the lock free', undefined],
      ['when all find the lock of a dead process to break', 'dead'],
    ])(
      'lets exactly one of six processes swap the version they all read, %s',
      async (_case, lock) => {
        const target = openTarget(dir);
        await target.putObject('lease.json', 'v1');
        const read = (await target.getTagged('lease.json'))!;
        if (lock) {
          const gone = otherProcess();
          await gone.stop();
          await writeFile(lockOf('lease.json'), `${gone.pid} left-by-a-crash\n`);
        }
        const child = join(__dirname, '..', '..', 'helpers', 'swap-child.ts');
        const tsx = join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'tsx');
        const startAt = String(Date.now() + 4000); // after every child has loaded
        const outcomes = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            promisify(execFile)(tsx, [child, dir, 'lease.json', read.tag, `process ${i}`, startAt]).then((r) =>
              r.stdout.trim(),
            ),
          ),
        );
        expect(outcomes.sort()).toEqual(['changed', 'changed', 'changed', 'changed', 'changed', 'swapped']);
        expect((await target.getObject('lease.json'))!.toString()).toMatch(/^process \d$/);
        expect(await readdir(dir)).toEqual(['lease.json']);
      },
      30_000,
    );

    it('takes over a lock naming this process but none of its swaps, and an old one whoever it names', async () => {
      const target = openTarget(dir);
      await target.putObject('lease.json', 'v1');
      // Left by an earlier process that had this one's id (containers reuse low ids).
      await writeFile(lockOf('lease.json'), `${process.pid} earlier-process\n`);
      await target.putObject('lease.json', 'v2', { ifMatch: (await target.getTagged('lease.json'))!.tag });

      const holder = otherProcess();
      try {
        await writeFile(lockOf('lease.json'), `${holder.pid} hung\n`);
        const old = (Date.now() - FILE_LOCK.staleMs - 1000) / 1000;
        await utimes(lockOf('lease.json'), old, old);
        await target.putObject('lease.json', 'v3', { ifMatch: (await target.getTagged('lease.json'))!.tag });
      } finally {
        await holder.stop();
      }
      expect((await target.getObject('lease.json'))!.toString()).toBe('v3');
      expect(await readdir(dir)).toEqual(['lease.json']);
    });
  });

  (existsSync('/proc/self') ? it : it.skip)('fails, not hangs, where no folder can be made (under /proc)', async () => {
    const target = new LocalTarget('/proc/hubspot-s3-sync-test');
    await expect(target.putObject('_state/runs/x.json', '{}')).rejects.toThrow(
      "ENOENT: no such file or directory, mkdir '/proc/hubspot-s3-sync-test'",
    );
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
