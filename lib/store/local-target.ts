/**
 * A local folder as a storage target: atomic writes (temp file + rename), exclusive creates via link, and
 * compare-and-swap writes (ifMatch) under a lock file per key, so processes of one machine sharing a folder
 * swap atomically too (local folders are for one machine's runs: the lock names its holder by process id).
 */
import { createHash, randomUUID } from 'node:crypto';
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ObjectChangedError, ObjectExistsError } from './errors';
import { assertKey, assertPrefix } from './keys';
import type { PutCondition, PutOptions, StorageTarget, StoredObject, TaggedObject } from './target';

/** Temp files start with this; list() never shows them. */
export const LOCAL_TEMP_PREFIX = '.tmp-';

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException)?.code === code;
}

/**
 * mkdir -p that fails where a folder cannot be made. Node's `mkdir(..., { recursive: true })` never settles on
 * some pseudo file systems (under /proc, creating a folder answers ENOENT while its parent exists, and Node retries
 * the parent forever), so `--out /proc/x` hung instead of failing.
 */
async function makeFolder(path: string): Promise<void> {
  try {
    await mkdir(path);
    return;
  } catch (error) {
    if (isCode(error, 'EEXIST')) return;
    if (!isCode(error, 'ENOENT') || dirname(path) === path) throw error;
  }
  await makeFolder(dirname(path));
  try {
    await mkdir(path);
  } catch (error) {
    if (!isCode(error, 'EEXIST')) throw error;
  }
}

/** A version tag of local content: its SHA-256 (what S3's ETag is to an object, content-derived). */
const tagOf = (body: Buffer) => createHash('sha256').update(body).digest('hex');

/**
 * A swap's lock: how long a swap waits for another to finish (a swap takes milliseconds), how often it looks, and
 * the age past which a lock whose holder cannot be identified (a crash between creating and filling it) is
 * abandoned. A lock whose holder process is gone is abandoned at once.
 */
export const SWAP_LOCK = { waitMs: 10_000, retryMs: 5, staleMs: 30_000 };

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isCode(error, 'EPERM');
  }
}

/** True when the lock's holder process is gone, or it names none and is older than SWAP_LOCK.staleMs. */
async function isAbandoned(lockPath: string): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    const pid = Number.parseInt(text, 10);
    if (Number.isInteger(pid) && pid > 0) return !isRunning(pid);
    return Date.now() - info.mtimeMs > SWAP_LOCK.staleMs;
  } catch (error) {
    if (isCode(error, 'ENOENT')) return false; // released meanwhile: the next attempt takes it
    throw error;
  }
}

export class LocalTarget implements StorageTarget {
  private readonly root: string;

  /** `location` is a folder path (resolved to absolute); nothing is created until the first write. */
  constructor(readonly location: string) {
    this.root = resolve(location);
  }

  url(key: string): string {
    return this.pathOf(key);
  }

  private pathOf(key: string): string {
    return join(this.root, ...assertKey(key).split('/'));
  }

  private async withTemp(
    key: string,
    fill: (tempPath: string) => Promise<void>,
    commit: (tempPath: string, finalPath: string) => Promise<void>,
  ) {
    const finalPath = this.pathOf(key);
    await makeFolder(dirname(finalPath));
    const tempPath = join(dirname(finalPath), `${LOCAL_TEMP_PREFIX}${randomUUID()}`);
    try {
      await fill(tempPath);
      await commit(tempPath, finalPath);
    } finally {
      await rm(tempPath, { force: true });
    }
  }

  async putFile(key: string, localPath: string, _options?: PutOptions): Promise<{ bytes: number }> {
    await this.withTemp(
      key,
      (temp) => copyFile(localPath, temp),
      (temp, final) => rename(temp, final),
    );
    return { bytes: (await stat(this.pathOf(key))).size };
  }

  async putObject(key: string, body: string | Buffer, options: PutOptions & PutCondition = {}): Promise<void> {
    if (options.ifMatch !== undefined) return this.swap(key, body, options.ifMatch);
    await this.withTemp(
      key,
      (temp) => writeFile(temp, body),
      async (temp, final) => {
        if (!options.ifAbsent) return rename(temp, final);
        // link() fails with EEXIST instead of replacing: an atomic create-if-absent.
        try {
          await link(temp, final);
        } catch (error) {
          if (isCode(error, 'EEXIST')) throw new ObjectExistsError(key, { cause: error });
          throw error;
        }
      },
    );
  }

  /** Replaces the object only if its content still has `tag`, with no other swap of the key in between. */
  private swap(key: string, body: string | Buffer, tag: string): Promise<void> {
    return this.withLock(key, async () => {
      const found = await this.getTagged(key);
      if (found?.tag !== tag) throw new ObjectChangedError(key);
      await this.putObject(key, body);
    });
  }

  /**
   * Runs `critical` holding the key's lock file (created exclusively, holding this process's id; hidden from list()
   * by the temp prefix), waiting up to SWAP_LOCK.waitMs for another holder, in this process or another.
   */
  private async withLock<T>(key: string, critical: () => Promise<T>): Promise<T> {
    const finalPath = this.pathOf(key);
    await makeFolder(dirname(finalPath));
    const lockPath = join(dirname(finalPath), `${LOCAL_TEMP_PREFIX}lock-${basename(finalPath)}`);
    const giveUpAt = Date.now() + SWAP_LOCK.waitMs;
    for (;;) {
      try {
        await writeFile(lockPath, `${process.pid}\n`, { flag: 'wx' });
        break;
      } catch (error) {
        if (!isCode(error, 'EEXIST')) throw error;
      }
      if (await isAbandoned(lockPath)) await rm(lockPath, { force: true });
      else if (Date.now() >= giveUpAt)
        throw new Error(
          `Waited ${SWAP_LOCK.waitMs} ms for ${lockPath} (another run is updating ${key}); ` +
            `if no run is writing to this folder, delete that file`,
        );
      else await sleep(SWAP_LOCK.retryMs);
    }
    try {
      return await critical();
    } finally {
      await rm(lockPath, { force: true });
    }
  }

  async getTagged(key: string): Promise<TaggedObject | undefined> {
    const body = await this.getObject(key);
    return body && { body, tag: tagOf(body) };
  }

  async getObject(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'EISDIR') || isCode(error, 'ENOTDIR')) return undefined;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return false;
      throw error;
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    assertPrefix(prefix);
    // Walk only the deepest folder the prefix names, then filter by the full prefix.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const found: StoredObject[] = [];
    await this.walk(folder, found);
    return found.filter((o) => o.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private async walk(folderKey: string, found: StoredObject[]): Promise<void> {
    const folderPath = folderKey === '' ? this.root : join(this.root, ...folderKey.split('/'));
    let entries;
    try {
      entries = await readdir(folderPath, { withFileTypes: true });
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(LOCAL_TEMP_PREFIX)) continue;
      const key = folderKey === '' ? entry.name : `${folderKey}/${entry.name}`;
      if (entry.isDirectory()) await this.walk(key, found);
      else if (entry.isFile()) found.push({ key, size: (await stat(join(folderPath, entry.name))).size });
    }
  }

  async deleteObject(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw error;
    }
  }
}
