/**
 * A local folder as a storage target: atomic writes (temp file + rename), exclusive creates via link, and
 * compare-and-swap writes (ifMatch) serialised per key within the process. Two processes sharing a folder get
 * atomic creates but not atomic swaps: local folders are for one machine's runs.
 */
import { createHash, randomUUID } from 'node:crypto';
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ObjectChangedError, ObjectExistsError } from './errors';
import { assertKey, assertPrefix } from './keys';
import type { PutCondition, PutOptions, StorageTarget, StoredObject, TaggedObject } from './target';

/** Temp files start with this; list() never shows them. */
export const LOCAL_TEMP_PREFIX = '.tmp-';

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException)?.code === code;
}

/** A version tag of local content: its SHA-256 (what S3's ETag is to an object, content-derived). */
const tagOf = (body: Buffer) => createHash('sha256').update(body).digest('hex');

export class LocalTarget implements StorageTarget {
  private readonly root: string;
  /** The last compare-and-swap of each key in flight: swaps of one key run one after another. */
  private readonly swaps = new Map<string, Promise<unknown>>();

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
    await mkdir(dirname(finalPath), { recursive: true });
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
    const previous = this.swaps.get(key) ?? Promise.resolve();
    const current = previous
      .catch(() => undefined)
      .then(async () => {
        const found = await this.getTagged(key);
        if (found?.tag !== tag) throw new ObjectChangedError(key);
        await this.putObject(key, body);
      });
    this.swaps.set(key, current);
    const forget = () => {
      if (this.swaps.get(key) === current) this.swaps.delete(key);
    };
    current.then(forget, forget);
    return current;
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
