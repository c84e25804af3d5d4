/**
 * A lock file for processes of one machine: created exclusively, holding its owner's process id and a random
 * token. A lock whose owner is gone (no such process, or this process without that token: a process before it
 * with the same id), or older than FILE_LOCK.staleMs whoever it names, is abandoned and broken, under a second
 * lock file so that two processes judging the same lock abandoned cannot both break it (the second would break
 * the first one's fresh lock). Only the owner's token releases a lock.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { isErrnoCode, WriteContendedError } from './errors';

/**
 * How long a locker waits for another (critical sections take milliseconds), how often it looks, and the age past
 * which any lock is abandoned (one that names no owner yet is being written, or was left by a crash just then).
 */
export const FILE_LOCK = { waitMs: 10_000, retryMs: 5, staleMs: 30_000 };

/** Tokens of the locks this process holds now. */
const heldTokens = new Set<string>();

interface LockFile {
  pid?: number;
  token?: string;
  ageMs: number;
}

async function readLock(path: string): Promise<LockFile | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const [pid, token] = text.trim().split(' ');
    const parsed = Number.parseInt(pid, 10);
    return { pid: parsed > 0 ? parsed : undefined, token, ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrnoCode(error, 'EPERM');
  }
}

function isAbandoned(lock: LockFile): boolean {
  if (lock.ageMs > FILE_LOCK.staleMs) return true;
  if (lock.pid === undefined) return false;
  if (lock.pid === process.pid) return lock.token === undefined || !heldTokens.has(lock.token);
  return !isRunning(lock.pid);
}

/** Creates `path` exclusively with `content`; false when it exists. */
async function create(path: string, content: string): Promise<boolean> {
  try {
    await writeFile(path, content, { flag: 'wx' });
    return true;
  } catch (error) {
    if (isErrnoCode(error, 'EEXIST')) return false;
    throw error;
  }
}

/** Removes the lock at `path` if it is abandoned; true when the caller should try to take it again at once. */
async function breakIfAbandoned(path: string): Promise<boolean> {
  const seen = await readLock(path);
  if (!seen) return true;
  if (!isAbandoned(seen)) return false;
  const breaker = `${path}.break`;
  if (!(await create(breaker, `${process.pid}\n`))) {
    // Another process is breaking it; a breaker left by a crash goes once stale.
    const stuck = await readLock(breaker);
    if (stuck && stuck.ageMs > FILE_LOCK.staleMs) await rm(breaker, { force: true });
    return false;
  }
  try {
    const again = await readLock(path);
    if (again && again.token === seen.token && isAbandoned(again)) await rm(path, { force: true });
  } finally {
    await rm(breaker, { force: true });
  }
  return true;
}

/** Runs `critical` holding the lock file `path`; `what` names what the lock guards, for the timeout's message. */
export async function withFileLock<T>(path: string, what: string, critical: () => Promise<T>): Promise<T> {
  const token = randomUUID();
  const giveUpAt = Date.now() + FILE_LOCK.waitMs;
  while (!(await create(path, `${process.pid} ${token}\n`))) {
    if (await breakIfAbandoned(path)) continue;
    if (Date.now() >= giveUpAt) {
      throw new WriteContendedError(
        `Waited ${FILE_LOCK.waitMs} ms for ${path} (another run is updating ${what}); ` +
          'if no run is writing to this folder, delete that file',
      );
    }
    await sleep(FILE_LOCK.retryMs);
  }
  heldTokens.add(token);
  try {
    return await critical();
  } finally {
    heldTokens.delete(token);
    if ((await readLock(path))?.token === token) await rm(path, { force: true });
  }
}
