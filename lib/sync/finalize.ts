import { buildRecordColumns } from '../schema/columns';
import { datasetName, manifestKey, runPrefix, type TableRef } from '../store/layout';
import { releaseLease } from '../store/lock';
import { publishManifest, readManifest, type Manifest } from '../store/manifest';
import { readObjectState, writeObjectState, type Checkpoint, type PartRecord } from '../store/state';
import type { SyncDeps } from './deps';
import { completionEvent, type EventPublisher } from './events';
import { publishPropertyMetadata } from './property-metadata';
import { loadPlan } from './plan-cache';
import { recordTable } from './record-step';
import { ASSOCIATION_COLUMNS, OWNER_COLUMNS, PIPELINE_COLUMNS } from './side-tables';
import type { ObjectFailure, ObjectOutcome, RunPlan, WorkItem } from './types';
import type { ParquetColumnSpec } from './parts';

export interface FinalizeOptions {
  /** Items whose steps failed for good (the Map state's catch), with the reason. */
  failedItems?: ObjectFailure[];
  publishEvents?: EventPublisher;
}

export interface RunResult {
  runId: string;
  mode: RunPlan['mode'];
  snapshotDate: string;
  startedAt: string;
  finishedAt: string;
  outcomes: ObjectOutcome[];
}

const itemTable = (item: WorkItem): TableRef =>
  item.kind === 'records' ? recordTable(item) : { kind: 'snapshot', object: item.object };

const itemColumns = (plan: RunPlan, item: WorkItem): ParquetColumnSpec[] => {
  if (item.kind === 'owners') return OWNER_COLUMNS;
  if (item.kind === 'pipelines') return PIPELINE_COLUMNS;
  return buildRecordColumns(plan.properties[item.object] ?? []).map(({ name, type }) => ({ name, type }));
};

const totals = (parts: PartRecord[]) => ({
  rows: parts.reduce((sum, p) => sum + p.rows, 0),
  bytes: parts.reduce((sum, p) => sum + p.bytes, 0),
  unparsed: parts.reduce((sum, p) => sum + p.unparsed, 0),
});

function failed(
  item: Pick<WorkItem, 'object' | 'mode'>,
  dataset: string,
  reason: string,
  checkpoint?: Checkpoint,
): ObjectOutcome {
  return {
    object: item.object,
    dataset,
    status: 'failed',
    mode: item.mode,
    rows: 0,
    files: 0,
    bytes: 0,
    unparsed: 0,
    requests: checkpoint?.requests ?? 0,
    retries: checkpoint?.retries ?? 0,
    seconds: 0,
    reason,
  };
}

/** Deletes parts in the run folder that no checkpoint recorded: uploads a crash left behind, never published. */
async function removeOrphans(deps: SyncDeps, table: TableRef, item: WorkItem, parts: PartRecord[]): Promise<void> {
  const kept = new Set(parts.map((p) => p.key));
  for (const stored of await deps.target.list(runPrefix(table, item.snapshotDate, item.runId))) {
    if (kept.has(stored.key)) continue;
    deps.log.warn(`removing unpublished part ${stored.key} left by an interrupted step`);
    await deps.target.deleteObject(stored.key);
  }
}

/** The outcome a published manifest stands for; request counts belong to the item's main dataset only. */
function completedOutcome(
  manifest: Manifest,
  manifestUrl: string,
  counts: Pick<ObjectOutcome, 'requests' | 'retries' | 'seconds'>,
): ObjectOutcome {
  const { object, dataset, mode, rows, files, bytes, unparsed } = manifest;
  return { object, dataset, status: 'completed', mode, rows, files, bytes, unparsed, ...counts, manifestUrl };
}

export interface PublishSpec {
  table: TableRef;
  object: string;
  parts: PartRecord[];
  columns: ParquetColumnSpec[];
  watermark: string | null;
  /** Whether the checkpoint's request counts are this dataset's (the item's main table). */
  ownsRequests: boolean;
}

/**
 * Publishes one dataset of a finished item: orphans out, manifest, then `_latest`. A dataset this
 * run already published (a finalize retried after a crash) is read back, not written again.
 */
export async function publishDataset(
  deps: SyncDeps,
  plan: RunPlan,
  item: WorkItem,
  checkpoint: Checkpoint,
  spec: PublishSpec,
): Promise<ObjectOutcome> {
  const counts = spec.ownsRequests
    ? {
        requests: checkpoint.requests,
        retries: checkpoint.retries,
        seconds: (deps.now().getTime() - Date.parse(checkpoint.startedAt)) / 1000,
      }
    : { requests: 0, retries: 0, seconds: 0 };
  const existing = await readManifest(deps.target, spec.table, plan.runId);
  if (existing) return completedOutcome(existing, deps.target.url(manifestKey(spec.table, plan.runId)), counts);
  await removeOrphans(deps, spec.table, item, spec.parts);
  const sum = totals(spec.parts);
  const finishedAt = deps.now();
  const manifest: Manifest = {
    runId: plan.runId,
    object: spec.object,
    dataset: datasetName(spec.table),
    mode: item.mode,
    snapshotDate: item.snapshotDate,
    startedAt: checkpoint.startedAt,
    finishedAt: finishedAt.toISOString(),
    rows: sum.rows,
    files: spec.parts.length,
    bytes: sum.bytes,
    columns: spec.columns.map(({ name, type }) => ({ name, type })),
    watermark: spec.watermark,
    unparsed: sum.unparsed,
    entries: spec.parts.map((p) => ({
      url: deps.target.url(p.key),
      mandatory: true,
      meta: { content_length: p.bytes, record_count: p.rows },
    })),
    ...(item.since || item.until ? { window: { since: item.since, until: item.until } } : {}),
  };
  const latest = await publishManifest(deps.target, spec.table, manifest);
  return completedOutcome(manifest, latest.manifest, counts);
}

/** Watermark after publishing: full runs saw everything up to their start, incremental up to `until`. */
function nextWatermark(plan: RunPlan, item: WorkItem, current: string | null): string | null {
  if (item.kind !== 'records') return null;
  if (item.mode === 'full') return plan.startedAt;
  if (item.mode === 'incremental') return item.until ?? current;
  return current;
}

async function finalizeItem(deps: SyncDeps, plan: RunPlan, item: WorkItem, failure?: string): Promise<ObjectOutcome[]> {
  const table = itemTable(item);
  const dataset = datasetName(table);
  const state = await readObjectState(deps.target, item.object);
  const checkpoint = state.checkpoint?.runId === plan.runId ? state.checkpoint : undefined;
  if (!checkpoint && state.lastRunId === plan.runId) {
    // Finalized before (this is a retry): report what was published.
    const published = await readManifest(deps.target, table, plan.runId);
    if (published)
      return [
        completedOutcome(published, deps.target.url(manifestKey(table, plan.runId)), {
          requests: 0,
          retries: 0,
          seconds: 0,
        }),
      ];
  }
  if (failure || checkpoint?.phase !== 'done') {
    await releaseLease(deps.target, item.object, plan.runId);
    return [
      failed(item, dataset, failure ?? `did not finish (stopped in phase ${checkpoint?.phase ?? 'plan'})`, checkpoint),
    ];
  }
  const watermark = nextWatermark(plan, item, state.watermark);
  const outcomes = [
    await publishDataset(deps, plan, item, checkpoint, {
      table,
      object: item.object,
      parts: checkpoint.parts,
      columns: itemColumns(plan, item),
      watermark,
      ownsRequests: true,
    }),
  ];
  for (const to of item.associationTargets ?? []) {
    const assoc: TableRef = { kind: 'associations', from: item.object, to };
    const reason = checkpoint.notes[to];
    if (reason) outcomes.push(failed({ object: `${item.object}__${to}`, mode: item.mode }, datasetName(assoc), reason));
    else
      outcomes.push(
        await publishDataset(deps, plan, item, checkpoint, {
          table: assoc,
          object: `${item.object}__${to}`,
          parts: checkpoint.associationParts[to] ?? [],
          columns: ASSOCIATION_COLUMNS,
          watermark: null,
          ownsRequests: false,
        }),
      );
  }
  for (const [name, reason] of Object.entries(item.kind === 'pipelines' ? checkpoint.notes : {})) {
    deps.log.warn(`pipelines of ${name} not exported: ${reason}`);
  }
  await writeObjectState(deps.target, {
    object: item.object,
    watermark: watermark ?? state.watermark,
    lastRunId: plan.runId,
    lastPublishedAt: deps.now().toISOString(),
  });
  await releaseLease(deps.target, item.object, plan.runId);
  return outcomes;
}

/**
 * finalize: publishes every finished item (parts were uploaded first; manifest next; `_latest` last),
 * advances watermarks, releases leases, writes the property metadata table and emits one
 * completion event per dataset. Safe to call twice: published manifests are read back, not rewritten.
 */
export async function finalizeRun(deps: SyncDeps, runId: string, options: FinalizeOptions = {}): Promise<RunResult> {
  const plan = await loadPlan(deps, runId);
  const failures = new Map((options.failedItems ?? []).map((f) => [f.object, f.reason]));
  const outcomes: ObjectOutcome[] = [];
  for (const item of plan.items) outcomes.push(...(await finalizeItem(deps, plan, item, failures.get(item.object))));
  const exported = plan.items.filter(
    (item) => item.kind === 'records' && outcomes.some((o) => o.object === item.object && o.status === 'completed'),
  );
  if (exported.length)
    outcomes.push(
      await publishPropertyMetadata(
        deps,
        plan,
        exported.map((item) => item.object),
      ),
    );
  for (const failure of plan.failures)
    outcomes.push(failed({ object: failure.object, mode: plan.mode }, failure.object, failure.reason));
  await options.publishEvents?.(outcomes.map((outcome) => completionEvent(outcome, runId, plan.snapshotDate)));
  return {
    runId,
    mode: plan.mode,
    snapshotDate: plan.snapshotDate,
    startedAt: plan.startedAt,
    finishedAt: deps.now().toISOString(),
    outcomes,
  };
}
