import { renewLease as renewHeldLease } from '../store/lock';
import { readObjectState, writeObjectState, type Checkpoint, type ObjectState } from '../store/state';
import type { SyncDeps } from './deps';
import { firstPhase } from './record-pages';
import type { WorkItem } from './types';

/** A checkpoint bound to the object state it lives in. */
export interface ResumedCheckpoint {
  state: ObjectState;
  checkpoint: Checkpoint;
}

/**
 * Loads the checkpoint of `item`'s run, or starts one (a checkpoint of another run is abandoned
 * work whose parts were never published). Renews the run's lease first, so a step never writes
 * for an object another run has taken over.
 */
export async function resumeCheckpoint(deps: SyncDeps, item: WorkItem): Promise<ResumedCheckpoint> {
  await renewLease(deps, item);
  const state = await readObjectState(deps.target, item.object);
  if (state.checkpoint?.runId === item.runId) return { state, checkpoint: state.checkpoint };
  const now = deps.now().toISOString();
  const checkpoint: Checkpoint = {
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
    startedAt: now,
    updatedAt: now,
  };
  return { state: { ...state, checkpoint }, checkpoint };
}

/** Renews the lease, then writes the checkpoint: the only place a step commits progress. */
export async function saveCheckpoint(deps: SyncDeps, item: WorkItem, resumed: ResumedCheckpoint): Promise<void> {
  // A step whose lease another run has taken must not overwrite that run's checkpoint: renewing throws first.
  await renewLease(deps, item);
  resumed.checkpoint.updatedAt = deps.now().toISOString();
  await writeObjectState(deps.target, { ...resumed.state, checkpoint: resumed.checkpoint });
}

/** Renews `item`'s lease for another lease period; LeaseLostError when it is no longer the run's. */
export const renewLease = (deps: SyncDeps, item: Pick<WorkItem, 'object' | 'runId'>) =>
  renewHeldLease(deps.target, item.object, item.runId, { now: deps.now(), ttlMs: deps.settings.leaseTtlMs });

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
