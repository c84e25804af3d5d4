import { readTaggedJson, writeJson } from './json';
import { stateKey } from './layout';
import { SyncError } from '../core/errors';
import { ObjectChangedError, ObjectExistsError, WriteContendedError } from './errors';
import type { StorageTarget } from './target';

/**
 * A lease that keeps one run per object: held from plan to finalize, renewed at every checkpoint. Every write
 * of it is conditional (created if absent, else replacing only the version just read), so a run whose lease
 * lapsed and was taken over cannot renew it back, and two runs breaking one expired lease cannot both win.
 */
export interface Lease {
  object: string;
  runId: string;
  acquiredAt: string;
  expiresAt: string;
  /** When finalize gave it up; a released lease is free whatever its expiry says. */
  releasedAt?: string;
}

/** `_state/locks/<object>.json`: the object's lease. */
export const lockKey = (object: string): string => stateKey(`locks/${object}`);

/** Reads of a lease that changed under us before giving up (each retry re-reads it). */
const LEASE_ATTEMPTS = 3;

/** Another run holds the object; its message says which run and until when. */
export class ObjectLockedError extends SyncError {
  override name = 'ObjectLockedError';
  override readonly retryable = false;
  constructor(
    readonly lease: Lease,
    message = `another run (${lease.runId}) is exporting ${lease.object} since ${lease.acquiredAt}; ` +
      `its lease ends ${lease.expiresAt} unless renewed. Wait for it to finish, or delete _state/locks/${lease.object}.json if it is dead`,
  ) {
    super(message);
  }
}

/**
 * A run's lease is no longer its own (it lapsed and another run took it, perhaps released it since, or the file was
 * deleted): the run must stop without publishing, since the other run may have removed what it uploaded.
 */
export class LeaseLostError extends ObjectLockedError {
  override name = 'LeaseLostError';
  constructor(object: string, runId: string, held: Lease | undefined) {
    const now = held
      ? `run ${held.runId} took it at ${held.acquiredAt}${held.releasedAt ? ` and released it at ${held.releasedAt}` : ''}`
      : 'its lease file is gone';
    super(
      held ?? { object, runId, acquiredAt: '', expiresAt: '' },
      `run ${runId} lost its lease on ${object} (${now}); it stops without publishing ${object}`,
    );
  }
}

/** A lease just taken; `abandoned` is the lease it replaced when that run had stopped renewing it unreleased. */
export interface AcquiredLease extends Lease {
  /** A run that died (or lost track of time) holding the object: its unpublished files will never be published. */
  abandoned?: Lease;
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
 * Writes the lease `next` makes of the one read (undefined: none), conditionally on that version, reading it again
 * when another run wrote it in between. `next` throws to refuse.
 */
async function swapLease(
  target: StorageTarget,
  object: string,
  verb: string,
  next: (held: Lease | undefined) => Lease,
): Promise<{ lease: Lease; held?: Lease }> {
  const key = lockKey(object);
  for (let attempt = 0; attempt < LEASE_ATTEMPTS; attempt += 1) {
    const held = await readTaggedJson<Lease>(target, key);
    const lease = next(held?.value);
    try {
      await writeJson(target, key, lease, held ? { ifMatch: held.tag } : { ifAbsent: true });
      return { lease, held: held?.value };
    } catch (error) {
      // Another run wrote the lease since we read it: read it again.
      if (!(error instanceof ObjectExistsError || error instanceof ObjectChangedError)) throw error;
    }
  }
  throw new WriteContendedError(
    `could not ${verb} the lease on ${object}: it changed ${LEASE_ATTEMPTS} times while trying`,
  );
}

/**
 * Takes (or renews) the lease on `object` for `runId`. A lease of another run that has expired or was released
 * is taken over; a live one throws ObjectLockedError.
 */
export async function acquireLease(
  target: StorageTarget,
  object: string,
  runId: string,
  options: LeaseOptions,
): Promise<AcquiredLease> {
  const mine = (held: Lease | undefined) => held?.runId === runId && !held.releasedAt;
  const { lease, held } = await swapLease(target, object, 'take', (held) => {
    if (held && !mine(held) && !held.releasedAt && Date.parse(held.expiresAt) > options.now.getTime()) {
      throw new ObjectLockedError(held);
    }
    return leaseFor(object, runId, options, mine(held) ? held?.acquiredAt : undefined);
  });
  // Taken from a run that neither released it nor renewed it in time.
  return held && !mine(held) && !held.releasedAt ? { ...lease, abandoned: held } : lease;
}

/**
 * Extends the lease `runId` holds on `object`. Unlike acquireLease it never takes a lease: one that another run
 * took (even if that run released it since) throws LeaseLostError, as does a missing lease file. A lease with more
 * than `keepIfLeftMs` to run is only checked, not rewritten: items of one object renewing side by side then do not
 * fight over the file.
 */
export async function renewLease(
  target: StorageTarget,
  object: string,
  runId: string,
  options: LeaseOptions & { keepIfLeftMs?: number },
): Promise<Lease> {
  const keepIfLeftMs = options.keepIfLeftMs ?? Infinity;
  const held = await readTaggedJson<Lease>(target, lockKey(object));
  const lease = held?.value;
  if (lease?.runId !== runId || lease.releasedAt) throw new LeaseLostError(object, runId, lease);
  if (Date.parse(lease.expiresAt) - options.now.getTime() > keepIfLeftMs) return lease;
  const { lease: renewed } = await swapLease(target, object, 'renew', (current) => {
    if (current?.runId !== runId || current.releasedAt) throw new LeaseLostError(object, runId, current);
    return leaseFor(object, runId, options, current.acquiredAt);
  });
  return renewed;
}

/** Whether `runId` holds the lease on `object` (taken, not released; expiry aside). */
export async function holdsLease(target: StorageTarget, object: string, runId: string): Promise<boolean> {
  const held = await readTaggedJson<Lease>(target, lockKey(object));
  return held?.value.runId === runId && !held.value.releasedAt;
}

/** Releases the lease if `runId` still holds it, marking it released (a conditional write, never a delete). */
export async function releaseLease(
  target: StorageTarget,
  object: string,
  runId: string,
  now: Date = new Date(),
): Promise<void> {
  const held = await readTaggedJson<Lease>(target, lockKey(object));
  if (held?.value.runId !== runId || held.value.releasedAt) return;
  const released = { ...held.value, releasedAt: now.toISOString() };
  try {
    await writeJson(target, lockKey(object), released, { ifMatch: held.tag });
  } catch (error) {
    // Taken over since we read it (ours had lapsed): it is no longer ours to release.
    if (!(error instanceof ObjectChangedError)) throw error;
  }
}
