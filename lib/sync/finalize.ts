import { holdsLease, ObjectLockedError, releaseLease } from '../store/lock';
import { datasetName } from '../store/layout';
import { nextArchivedState } from './archived-sweep';
import { readCheckpoint, renewLease } from './checkpoint';
import { findPublished, publishRelease, republished } from './dataset';
import type { SyncDeps } from './deps';
import { completionEvent, type EventPublisher } from './events';
import {
  countsOf,
  datasetRun,
  discardUnpublished,
  itemsByObject,
  objectDatasets,
  releaseOf,
  type ObjectDataset,
} from './object-datasets';
import { completedOutcome, failedOutcome, NO_COUNTS } from './outcomes';
import { loadPlan } from './plan-cache';
import { publishPropertyMetadata } from './property-metadata';
import { findRunPlan, readObjectState, writeObjectState, type Checkpoint } from './state';
import type { ObjectFailure, ObjectOutcome, RunPlan, RunResult, WorkItem } from './types';

export type { RunResult } from './types';

export interface FinalizeOptions {
  /** Items whose steps failed for good (the Map state's catch), with the reason. */
  failedItems?: ObjectFailure[];
  publishEvents?: EventPublisher;
}

/** Watermark after publishing: full runs saw everything up to their start, incremental up to `until`. */
export function nextWatermark(plan: RunPlan, item: WorkItem, current: string | null): string | null {
  if (item.kind !== 'records') return null;
  if (item.mode === 'full') return plan.startedAt;
  if (item.mode === 'incremental' || item.mode === 'compact') return item.until ?? current;
  return current;
}

/**
 * Outcomes of an object finalized before (this call is a retry, perhaps after later runs), read back from its
 * manifests.
 */
function publishedOutcomes(deps: SyncDeps, item: WorkItem, datasets: ObjectDataset[]): Promise<ObjectOutcome[]> {
  return Promise.all(
    datasets.map(async (ds) => {
      const run = datasetRun(item, ds);
      const manifest = await findPublished(deps, run);
      if (!manifest) {
        const of = { object: ds.object, dataset: datasetName(ds.table), mode: item.mode };
        return failedOutcome(of, 'not published by this run');
      }
      return completedOutcome(await republished(deps, run, manifest));
    }),
  );
}

/** Why the object's items cannot be published, or undefined when every one finished and may be. */
function refusalOf(main: ObjectDataset, checkpoints: (Checkpoint | undefined)[]): string | undefined {
  const unfinished = checkpoints.findIndex((c) => c?.phase !== 'done');
  if (checkpoints.length && unfinished < 0) return main.note(checkpoints as Checkpoint[]);
  return `did not finish (stopped in phase ${checkpoints[unfinished]?.phase ?? 'plan'})`;
}

/** Publishes one object's datasets from its items' checkpoints (or says why not), then releases its lease. */
async function finalizeObject(
  deps: SyncDeps,
  plan: RunPlan,
  items: WorkItem[],
  failure?: string,
): Promise<ObjectOutcome[]> {
  const [item] = items;
  const datasets = objectDatasets(plan, item);
  const [main] = datasets;
  const mainPublished = await findPublished(deps, datasetRun(item, main));
  const checkpoints = await Promise.all(items.map((one) => readCheckpoint(deps, one)));
  // Published before (a retried finalize), perhaps with later runs published since: its manifest says so, whatever
  // the object's state now names. A finalize that stopped right after may not have released the lease yet.
  if (mainPublished && checkpoints.some((c) => c === undefined)) {
    await releaseLease(deps.target, item.object, plan.runId, deps.now());
    return publishedOutcomes(deps, item, datasets);
  }
  const done = checkpoints.filter((c): c is Checkpoint => c !== undefined);
  const counts = countsOf(done);
  const reason = failure ?? refusalOf(main, checkpoints);
  if (reason) {
    // Nothing of this run is published for the object: its uploaded parts go, so no partial run folder lingers.
    await discardUnpublished(deps, plan, item);
    await releaseLease(deps.target, item.object, plan.runId, deps.now());
    return [failedOutcome({ object: item.object, dataset: datasetName(main.table), mode: item.mode }, reason, counts)];
  }
  try {
    await renewLease(deps, item);
  } catch (error) {
    if (!(error instanceof ObjectLockedError)) throw error;
    // Another finalize of this run (a stopped-run finalize, an overlapping retry) published it and let go first.
    if (mainPublished) return publishedOutcomes(deps, item, datasets);
    const of = { object: item.object, dataset: datasetName(main.table), mode: item.mode };
    return [failedOutcome(of, `not published: ${error.message}`, counts)];
  }
  const state = await readObjectState(deps.target, item.object);
  const watermark = nextWatermark(plan, item, state.watermark);
  const outcomes: ObjectOutcome[] = [];
  for (const ds of datasets) {
    const note = ds.note(done);
    if (note) {
      outcomes.push(failedOutcome({ object: ds.object, dataset: datasetName(ds.table), mode: item.mode }, note));
      continue;
    }
    const release = releaseOf(item, ds, done, ds.watermarked ? watermark : null);
    const published = ds === main ? mainPublished : await findPublished(deps, release);
    outcomes.push(
      completedOutcome(await publishRelease(deps, release, published), ds.ownsRequests ? counts : NO_COUNTS),
    );
  }
  // A backfill reads a window of its own: what the next incremental run compares with stays as it was.
  const archived = item.mode === 'backfill' ? state.archived : nextArchivedState(item, state.archived);
  await writeObjectState(deps.target, {
    object: item.object,
    watermark: watermark ?? state.watermark,
    lastRunId: plan.runId,
    lastPublishedAt: deps.now().toISOString(),
    ...(archived ? { archived } : {}),
  });
  await releaseLease(deps.target, item.object, plan.runId, deps.now());
  return outcomes;
}

/**
 * Whether the run has a stored plan with an item whose lease it still holds: one that does not (stopped before its
 * plan was stored, or finalized already) has nothing left to finalize.
 */
export async function holdsAnyLease(deps: SyncDeps, runId: string): Promise<boolean> {
  const plan = await findRunPlan(deps.target, runId);
  for (const item of plan?.items ?? []) if (await holdsLease(deps.target, item.object, runId)) return true;
  return false;
}

/** Outcomes of what the plan did not export: failures at plan time, and objects another run holds. */
function unplannedOutcomes(plan: RunPlan): ObjectOutcome[] {
  return [
    ...plan.failures.map((f) =>
      failedOutcome({ object: f.object, dataset: f.dataset ?? f.object, mode: plan.mode }, f.reason),
    ),
    ...(plan.skipped ?? []).map((s) =>
      failedOutcome({ object: s.object, dataset: s.object, mode: plan.mode }, s.reason, NO_COUNTS, 'skipped'),
    ),
  ];
}

/**
 * finalize: publishes every finished object (parts were uploaded first; manifest next; `_latest` last),
 * advances watermarks, releases leases, writes the property metadata table and emits one
 * completion event per dataset. Safe to call twice: published manifests are read back, not rewritten.
 */
export async function finalizeRun(deps: SyncDeps, runId: string, options: FinalizeOptions = {}): Promise<RunResult> {
  const plan = await loadPlan(deps, runId);
  const failures = new Map<string, string>();
  // The first reason an object's items failed with (one slice failing fails the object).
  for (const f of options.failedItems ?? []) if (!failures.has(f.object)) failures.set(f.object, f.reason);
  const outcomes: ObjectOutcome[] = [];
  // Each object's events go out once it is published: a finalize that fails on a later object has announced what it
  // published (a retry announces it again; events are at least once, keyed by manifestUrl). A skipped object is
  // another run's to announce.
  const announce = async (found: ObjectOutcome[]) => {
    outcomes.push(...found);
    const announced = found.filter((outcome) => outcome.status !== 'skipped');
    if (announced.length) {
      await options.publishEvents?.(announced.map((outcome) => completionEvent(outcome, runId, plan.snapshotDate)));
    }
  };
  for (const items of itemsByObject(plan)) {
    await announce(await finalizeObject(deps, plan, items, failures.get(items[0].object)));
  }
  const exported = plan.items.filter(
    (item) => item.kind === 'records' && outcomes.some((o) => o.object === item.object && o.status === 'completed'),
  );
  const objects = [...new Set(exported.map((item) => item.object))];
  const metadata = objects.length ? await publishPropertyMetadata(deps, plan, objects) : undefined;
  await announce([...(metadata ? [metadata] : []), ...unplannedOutcomes(plan)]);
  return {
    runId,
    mode: plan.mode,
    snapshotDate: plan.snapshotDate,
    startedAt: plan.startedAt,
    finishedAt: deps.now().toISOString(),
    outcomes,
  };
}
