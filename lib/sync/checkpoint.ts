import { randomUUID } from 'node:crypto';
import { InternalError, SyncError } from '../core/errors';
import { ObjectChangedError, ObjectExistsError, WriteContendedError } from '../store/errors';
import { renewLease as renewHeldLease } from '../store/lock';
import { readJson, readTaggedJson, writeJson } from '../store/json';
import type { SyncDeps } from './deps';
import { firstPhase } from './record-pages';
import {
  objectStateKey,
  readObjectState,
  sliceStateKey,
  type Checkpoint,
  type CheckpointClaim,
  type ObjectState,
} from './state';
import type { WorkItem } from './types';

/**
 * A checkpoint bound to the file it lives in: an item exporting a whole object keeps it in the object's state file
 * (`_state/<object>.json`, beside the watermark); each slice of an object split across items has a file of its own,
 * so items running side by side never write the same file.
 *
 * Two invocations of one item may still run at once (Step Functions retries an invocation whose first attempt goes
 * on), so each claims the checkpoint when it starts, under a token of its own, and every later write is a
 * compare-and-swap of the version holding that token: once a newer invocation has claimed it, the older one's next
 * write throws StepSupersededError and it stops.
 */
export interface ResumedCheckpoint {
  /** The object state it is written back into (whole-object items only). */
  state?: ObjectState;
  checkpoint: Checkpoint;
  /** This invocation's claim token; absent for a finished checkpoint, which no step writes again. */
  token?: string;
}

/** A slice's checkpoint file: the checkpoint alone (the watermark stays in the object's state file). */
interface SliceState {
  checkpoint: Checkpoint;
}

/** Writes of the checkpoint file that lost to another writer before giving up (each retry reads it again). */
const SWAP_ATTEMPTS = 3;

/**
 * Another invocation of the same work item claimed its checkpoint after this one did (a retried invocation whose
 * first attempt still runs): this one stops, writing nothing more, and the newer one carries on from the checkpoint.
 * Retryable: a driver only sees it when it was waiting on the older invocation, and running the step again claims
 * the item back from its checkpoint.
 */
export class StepSupersededError extends SyncError {
  override name = 'StepSupersededError';
  constructor(
    item: WorkItem,
    readonly by: CheckpointClaim | undefined,
  ) {
    const what = item.slice ? `slice ${item.slice.index} of ${item.object}` : item.object;
    const now = by
      ? `another invocation claimed its checkpoint at ${by.claimedAt}`
      : 'its checkpoint is gone (the run was finalized)';
    super(
      `this step of ${what} in run ${item.runId} was superseded: ${now}. It stops here and writes nothing more; ` +
        'the newer invocation carries on, and a retry would take the item back from its checkpoint',
    );
  }
}

/** The checkpoint `item`'s run wrote for it, if any (a checkpoint of another run is abandoned work). */
export async function readCheckpoint(deps: SyncDeps, item: WorkItem): Promise<Checkpoint | undefined> {
  if (item.slice) {
    const stored = await readJson<SliceState>(deps.target, sliceStateKey(item.runId, item.object, item.slice.index));
    return ofRun(item, stored?.checkpoint);
  }
  return ofRun(item, (await readObjectState(deps.target, item.object)).checkpoint);
}

const ofRun = (item: WorkItem, checkpoint: Checkpoint | undefined) =>
  checkpoint?.runId === item.runId ? checkpoint : undefined;

const fileOf = (item: WorkItem): string =>
  item.slice ? sliceStateKey(item.runId, item.object, item.slice.index) : objectStateKey(item.object);

/** The checkpoint file as stored: the object state around it (whole objects), the run's checkpoint, the version. */
interface StoredCheckpoint {
  state?: ObjectState;
  checkpoint?: Checkpoint;
  /** Absent when there is no file yet. */
  tag?: string;
}

async function readStored(deps: SyncDeps, item: WorkItem): Promise<StoredCheckpoint> {
  if (item.slice) {
    const stored = await readTaggedJson<SliceState>(deps.target, fileOf(item));
    return { checkpoint: ofRun(item, stored?.value.checkpoint), tag: stored?.tag };
  }
  const stored = await readTaggedJson<ObjectState>(deps.target, fileOf(item));
  const state = stored?.value ?? { object: item.object, watermark: null };
  return { state, checkpoint: ofRun(item, state.checkpoint), tag: stored?.tag };
}

/** Writes `checkpoint` into the file, replacing only the version `stored` read (or creating it). */
async function writeStored(deps: SyncDeps, item: WorkItem, stored: StoredCheckpoint, checkpoint: Checkpoint) {
  const body: SliceState | ObjectState = item.slice
    ? { checkpoint }
    : { ...(stored.state ?? { object: item.object, watermark: null }), checkpoint };
  await writeJson(deps.target, fileOf(item), body, stored.tag ? { ifMatch: stored.tag } : { ifAbsent: true });
}

/** Whether a conditional write lost to another writer of the file (read it again). */
const lostSwap = (error: unknown) => error instanceof ObjectChangedError || error instanceof ObjectExistsError;

/** A checkpoint before the item's first page. */
export function freshCheckpoint(item: WorkItem, now: Date): Checkpoint {
  const at = now.toISOString();
  return {
    runId: item.runId,
    mode: item.mode,
    phase: firstPhase(item),
    parts: [],
    associationParts: {},
    notes: {},
    rows: 0,
    unparsed: 0,
    pages: 0,
    requests: 0,
    retries: 0,
    startedAt: at,
    updatedAt: at,
  };
}

/**
 * Loads the checkpoint of `item`'s run, or starts one, and claims it for this invocation: an older invocation of the
 * item still running stops at its next write (StepSupersededError). Renews the run's lease first, so a step never
 * writes for an object another run has taken over. A finished checkpoint is returned as it is, unclaimed.
 */
export async function resumeCheckpoint(deps: SyncDeps, item: WorkItem): Promise<ResumedCheckpoint> {
  await renewLease(deps, item);
  for (let attempt = 0; attempt < SWAP_ATTEMPTS; attempt += 1) {
    const stored = await readStored(deps, item);
    const checkpoint = stored.checkpoint ?? freshCheckpoint(item, deps.now());
    if (checkpoint.phase === 'done') return { state: stored.state, checkpoint };
    const token = randomUUID();
    checkpoint.claim = { token, claimedAt: deps.now().toISOString() };
    try {
      await writeStored(deps, item, stored, checkpoint);
      return { state: stored.state, checkpoint, token };
    } catch (error) {
      // Another invocation wrote the file since we read it: read it again, and claim what it wrote.
      if (!lostSwap(error)) throw error;
    }
  }
  throw new WriteContendedError(`could not claim the checkpoint of ${item.object}: it changed ${SWAP_ATTEMPTS} times`);
}

/**
 * Renews the lease, then replaces the stored checkpoint with what `next` makes of it, if this invocation's claim is
 * still the one stored (else StepSupersededError): the version read then is the last one this invocation wrote.
 */
async function swapClaimed(
  deps: SyncDeps,
  item: WorkItem,
  resumed: ResumedCheckpoint,
  next: (stored: Checkpoint) => Checkpoint,
): Promise<void> {
  // A step whose lease another run has taken must not overwrite that run's checkpoint: renewing throws first.
  await renewLease(deps, item);
  if (resumed.token === undefined) {
    throw new InternalError(`${item.object}: a checkpoint this step did not claim (a finished one) is never written`);
  }
  for (let attempt = 0; attempt < SWAP_ATTEMPTS; attempt += 1) {
    const stored = await readStored(deps, item);
    if (stored.checkpoint?.claim?.token !== resumed.token)
      throw new StepSupersededError(item, stored.checkpoint?.claim);
    try {
      await writeStored(deps, item, stored, next(stored.checkpoint));
      return;
    } catch (error) {
      // Changed between our read and our write: the next read says whether by a newer invocation.
      if (!lostSwap(error)) throw error;
    }
  }
  throw new WriteContendedError(`could not write the checkpoint of ${item.object}: it changed ${SWAP_ATTEMPTS} times`);
}

/** Renews the lease, then writes the checkpoint: the only place a step commits progress. */
export async function saveCheckpoint(deps: SyncDeps, item: WorkItem, resumed: ResumedCheckpoint): Promise<void> {
  resumed.checkpoint.updatedAt = deps.now().toISOString();
  await swapClaimed(deps, item, resumed, () => resumed.checkpoint);
}

/**
 * Reserves the part numbers below `end` for this invocation (unless reserved already): it stores `nextPart = end` in
 * the checkpoint as last saved, progress made since left out. Call it before uploading under any of them: an
 * invocation that claims the item afterwards numbers on from `end`, and one that claimed it before makes this throw.
 */
export async function reservePartNumbers(
  deps: SyncDeps,
  item: WorkItem,
  resumed: ResumedCheckpoint,
  end: number,
): Promise<void> {
  if ((resumed.checkpoint.nextPart ?? 0) >= end) return;
  await swapClaimed(deps, item, resumed, (stored) => ({ ...stored, nextPart: end }));
  resumed.checkpoint.nextPart = end;
}

/**
 * Renews `item`'s lease for another lease period once a third of it has passed (before that it is only checked);
 * LeaseLostError when it is no longer the run's.
 */
export const renewLease = (deps: SyncDeps, item: Pick<WorkItem, 'object' | 'runId'>) =>
  renewHeldLease(deps.target, item.object, item.runId, {
    now: deps.now(),
    ttlMs: deps.settings.leaseTtlMs,
    keepIfLeftMs: (deps.settings.leaseTtlMs * 2) / 3,
  });

/** Adds the client's requests and retries since `since` to the checkpoint's counters. */
export function countRequests(
  deps: SyncDeps,
  checkpoint: Checkpoint,
  since: { requests: number; retries: number },
): void {
  checkpoint.requests += deps.client.stats.requests - since.requests;
  checkpoint.retries += deps.client.stats.retries - since.retries;
  since.requests = deps.client.stats.requests;
  since.retries = deps.client.stats.retries;
}
