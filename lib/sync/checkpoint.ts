import { renewLease as renewHeldLease } from '../store/lock';
import { readJson, writeJson } from '../store/json';
import type { SyncDeps } from './deps';
import { firstPhase } from './record-pages';
import { readObjectState, sliceStateKey, writeObjectState, type Checkpoint, type ObjectState } from './state';
import type { WorkItem } from './types';

/**
 * A checkpoint bound to the file it lives in: an item exporting a whole object keeps it in the object's state file
 * (`_state/<object>.json`, beside the watermark); each slice of an object split across items has a file of its own,
 * so items running side by side never write the same file.
 */
export interface ResumedCheckpoint {
  /** The object state it is written back into (whole-object items only). */
  state?: ObjectState;
  checkpoint: Checkpoint;
}

/** A slice's checkpoint file: the checkpoint alone (the watermark stays in the object's state file). */
interface SliceState {
  checkpoint: Checkpoint;
}

/** The checkpoint `item`'s run wrote for it, if any (a checkpoint of another run is abandoned work). */
export async function readCheckpoint(deps: SyncDeps, item: WorkItem): Promise<Checkpoint | undefined> {
  return (await readStored(deps, item)).checkpoint;
}

async function readStored(deps: SyncDeps, item: WorkItem): Promise<{ state?: ObjectState; checkpoint?: Checkpoint }> {
  if (item.slice) {
    const stored = await readJson<SliceState>(deps.target, sliceStateKey(item.runId, item.object, item.slice.index));
    return { checkpoint: stored?.checkpoint.runId === item.runId ? stored.checkpoint : undefined };
  }
  const state = await readObjectState(deps.target, item.object);
  return { state, checkpoint: state.checkpoint?.runId === item.runId ? state.checkpoint : undefined };
}

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
 * Loads the checkpoint of `item`'s run, or starts one. Renews the run's lease first, so a step never writes for an
 * object another run has taken over.
 */
export async function resumeCheckpoint(deps: SyncDeps, item: WorkItem): Promise<ResumedCheckpoint> {
  await renewLease(deps, item);
  const { state, checkpoint } = await readStored(deps, item);
  return { state, checkpoint: checkpoint ?? freshCheckpoint(item, deps.now()) };
}

/** Renews the lease, then writes the checkpoint: the only place a step commits progress. */
export async function saveCheckpoint(deps: SyncDeps, item: WorkItem, resumed: ResumedCheckpoint): Promise<void> {
  // A step whose lease another run has taken must not overwrite that run's checkpoint: renewing throws first.
  await renewLease(deps, item);
  resumed.checkpoint.updatedAt = deps.now().toISOString();
  if (item.slice) {
    const state: SliceState = { checkpoint: resumed.checkpoint };
    await writeJson(deps.target, sliceStateKey(item.runId, item.object, item.slice.index), state);
    return;
  }
  const state = resumed.state ?? { object: item.object, watermark: null };
  await writeObjectState(deps.target, { ...state, checkpoint: resumed.checkpoint });
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
