/**
 * A local folder as a storage target: atomic writes (temp file + rename), exclusive creates via link, and
 * compare-and-swap writes (ifMatch) under a lock file per key (file-lock.ts), so processes of one machine sharing
 * a folder swap atomically too (local folders are for one machine's runs: a lock names its owner's process id).
 */
import { createHash, randomUUID } from 'node:crypto';
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isErrnoCode, ObjectChangedError, ObjectExistsError } from './errors';
import { withFileLock } from './file-lock';
import { assertKey, assertPrefix } from './keys';
import type { PutCondition, PutOptions, StorageTarget, StoredObject, TaggedObject } from './target';

/** Temp files start with this; list() never shows them. */
export const LOCAL_TEMP_PREFIX = '.tmp-';

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
    if (isErrnoCode(error, 'EEXIST')) return;
    if (!isErrnoCode(error, 'ENOENT') || dirname(path) === path) throw error;
  }
  await makeFolder(dirname(path));
  try {
    await mkdir(path);
  } catch (error) {
    if (!isErrnoCode(error, 'EEXIST')) throw error;
  }
}

/** A version tag of local content: its SHA-256 (what S3's ETag is to an object, content-derived). */
const tagOf = (body: Buffer) => createHash('sha256').update(body).digest('hex');

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
          if (isErrnoCode(error, 'EEXIST')) throw new ObjectExistsError(key, { cause: error });
          throw error;
        }
      },
    );
  }

  /** Replaces the object only if its content still has `tag`, with no other swap of the key in between. */
  private async swap(key: string, body: string | Buffer, tag: string): Promise<void> {
    const finalPath = this.pathOf(key);
    await makeFolder(dirname(finalPath));
    // Hidden from list() by the temp prefix.
    const lockPath = join(dirname(finalPath), `${LOCAL_TEMP_PREFIX}lock-${basename(finalPath)}`);
    return withFileLock(lockPath, key, async () => {
      const found = await this.getTagged(key);
      if (found?.tag !== tag) throw new ObjectChangedError(key);
      await this.putObject(key, body);
    });
  }

  async getTagged(key: string): Promise<TaggedObject | undefined> {
    const body = await this.getObject(key);
    return body && { body, tag: tagOf(body) };
  }

  async getObject(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if (isErrnoCode(error, 'ENOENT') || isErrnoCode(error, 'EISDIR') || isErrnoCode(error, 'ENOTDIR'))
        return undefined;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (error) {
      if (isErrnoCode(error, 'ENOENT') || isErrnoCode(error, 'ENOTDIR')) return false;
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
      if (isErrnoCode(error, 'ENOENT') || isErrnoCode(error, 'ENOTDIR')) return;
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
      if (!isErrnoCode(error, 'ENOENT')) throw error;
    }
  }
}
