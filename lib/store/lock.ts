import { readJson, writeJson } from './json';
import { lockKey } from './state';
import { ObjectExistsError, type StorageTarget } from './target';

/** A lease that keeps one run per object: held from plan to finalize, renewed at every checkpoint. */
export interface Lease {
  object: string;
  runId: string;
  acquiredAt: string;
  expiresAt: string;
}

/** Another run holds the object; its message says which run and until when. */
export class ObjectLockedError extends Error {
  override name = 'ObjectLockedError';
  constructor(readonly lease: Lease) {
    super(
      `another run (${lease.runId}) is exporting ${lease.object} since ${lease.acquiredAt}; ` +
        `its lease ends ${lease.expiresAt} unless renewed. Wait for it to finish, or delete _state/locks/${lease.object}.json if it is dead`,
    );
  }
}

export interface LeaseOptions {
  now: Date;
  ttlMs: number;
}

const leaseFor = (
  object: string,
  runId: string,
  { now, ttlMs }: LeaseOptions,
  acquiredAt = now.toISOString(),
): Lease => ({
  object,
  runId,
  acquiredAt,
  expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
});

/**
 * Takes (or renews) the lease on `object` for `runId`. A lease of another run that has expired is broken;
 * a live one throws ObjectLockedError. Creation is a conditional write, so two planners cannot both win.
 */
export async function acquireLease(
  target: StorageTarget,
  object: string,
  runId: string,
  options: LeaseOptions,
): Promise<Lease> {
  const key = lockKey(object);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const lease = leaseFor(object, runId, options);
    try {
      await writeJson(target, key, lease, true);
      return lease;
    } catch (error) {
      if (!(error instanceof ObjectExistsError)) throw error;
    }
    const held = await readJson<Lease>(target, key);
    if (!held) continue;
    if (held.runId === runId) {
      const renewed = leaseFor(object, runId, options, held.acquiredAt);
      await writeJson(target, key, renewed);
      return renewed;
    }
    if (Date.parse(held.expiresAt) > options.now.getTime()) throw new ObjectLockedError(held);
    await target.deleteObject(key);
  }
  throw new Error(`could not take the lease on ${object}: it changed hands twice while trying`);
}

/** Releases the lease if `runId` still holds it. */
export async function releaseLease(target: StorageTarget, object: string, runId: string): Promise<void> {
  const held = await readJson<Lease>(target, lockKey(object));
  if (held?.runId === runId) await target.deleteObject(lockKey(object));
}
