import { buildRecordColumns } from '../schema/columns';
import { datasetName, manifestKey, runPrefix, type TableRef } from '../store/layout';
import { holdsLease, ObjectLockedError, releaseLease } from '../store/lock';
import { pointLatestAt, publishManifest, readLatest, readManifest, type Manifest } from '../store/manifest';
import { findRunPlan, readObjectState, writeObjectState, type Checkpoint, type PartRecord } from '../store/state';
import type { SyncDeps } from './deps';
import { completionEvent, type EventPublisher } from './events';
import { publishPropertyMetadata } from './property-metadata';
import { loadPlan } from './plan-cache';
import { renewLease } from './checkpoint';
import { tableOf } from './tables';
import { ASSOCIATION_COLUMNS, OWNER_COLUMNS, PIPELINE_COLUMNS, pipelineObjectsOf } from './side-tables';
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
  status: 'failed' | 'skipped' = 'failed',
): ObjectOutcome {
  return {
    object: item.object,
    dataset,
    status,
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

/**
 * Deletes parts in the run folder but not in `parts`: uploads a crash left behind (`why` says so), or every part of
 * a dataset this run does not publish.
 */
async function removeOrphans(
  deps: SyncDeps,
  table: TableRef,
  item: WorkItem,
  parts: PartRecord[],
  why = 'left by an interrupted step',
): Promise<void> {
  const kept = new Set(parts.map((p) => p.key));
  for (const stored of await deps.target.list(runPrefix(table, item.snapshotDate, item.runId))) {
    if (kept.has(stored.key)) continue;
    deps.log.warn(`removing unpublished part ${stored.key} ${why}`);
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

/**
 * Registers a published dataset in the catalog, when one is configured. The data is published whatever the
 * catalog answers, so a refusal is a warning on the outcome, not a failure.
 */
async function catalogOutcome(
  deps: SyncDeps,
  table: TableRef,
  manifest: Manifest,
  manifestUrl: string,
): Promise<Pick<ObjectOutcome, 'catalogTable' | 'catalogError'>> {
  if (!deps.catalog) return {};
  try {
    const { columns, snapshotDate, runId } = manifest;
    return { catalogTable: await deps.catalog.publish({ table, columns, snapshotDate, runId, manifestUrl }) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.log.warn(`${manifest.dataset} published, but not in the catalog: ${message}`);
    return { catalogError: message };
  }
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
        // Until its last checkpoint: objects finish at different times, finalize runs once for all.
        seconds:
          (Date.parse(checkpoint.updatedAt ?? deps.now().toISOString()) - Date.parse(checkpoint.startedAt)) / 1000,
      }
    : { requests: 0, retries: 0, seconds: 0 };
  const existing = await readManifest(deps.target, spec.table, plan.runId);
  if (existing) {
    // A crash may have come between the manifest and `_latest`; this run still holds the lease, so no newer run published since.
    const latest = await pointLatestAt(deps.target, spec.table, existing);
    const catalog = await catalogOutcome(deps, spec.table, existing, latest.manifest);
    return { ...completedOutcome(existing, latest.manifest, counts), ...catalog };
  }
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
    ...(item.kind === 'pipelines' ? { pipelineObjects: [...pipelineObjectsOf(item)] } : {}),
  };
  const latest = await publishManifest(deps.target, spec.table, manifest);
  const catalog = await catalogOutcome(deps, spec.table, manifest, latest.manifest);
  return { ...completedOutcome(manifest, latest.manifest, counts), ...catalog };
}

/** Watermark after publishing: full runs saw everything up to their start, incremental up to `until`. */
function nextWatermark(plan: RunPlan, item: WorkItem, current: string | null): string | null {
  if (item.kind !== 'records') return null;
  if (item.mode === 'full') return plan.startedAt;
  if (item.mode === 'incremental') return item.until ?? current;
  return current;
}

/** One table an item publishes: its own, then one per association pair. */
interface ItemDataset {
  table: TableRef;
  object: string;
  columns: ParquetColumnSpec[];
  parts(checkpoint: Checkpoint): PartRecord[];
  /** Why it could not be read, when it could not. */
  note(checkpoint: Checkpoint): string | undefined;
  ownsRequests: boolean;
}

/**
 * The pipelines table fails whole when the pipelines of any object it covers could not be read: published, it
 * would replace a complete table with one silently missing, say, every ticket stage.
 */
function pipelinesNote(item: WorkItem, checkpoint: Checkpoint): string | undefined {
  const denied = Object.entries(checkpoint.notes);
  if (!denied.length) return undefined;
  const others = pipelineObjectsOf(item).filter((type) => !checkpoint.notes[type]);
  const hint = others.length ? ` (to export the others' alone: --objects ${others.join(',')},pipelines)` : '';
  return `${denied.map(([type, reason]) => `${type} pipelines: ${reason}`).join('; ')}${hint}`;
}

function itemDatasets(plan: RunPlan, item: WorkItem): ItemDataset[] {
  const main: ItemDataset = {
    table: tableOf(item),
    object: item.object,
    columns: itemColumns(plan, item),
    parts: (c) => c.parts,
    note: (c) => (item.kind === 'pipelines' ? pipelinesNote(item, c) : undefined),
    ownsRequests: true,
  };
  const associations = (item.associationTargets ?? []).map((to): ItemDataset => ({
    table: { kind: 'associations', from: item.object, to },
    object: `${item.object}__${to}`,
    columns: ASSOCIATION_COLUMNS,
    parts: (c) => c.associationParts[to] ?? [],
    note: (c) => c.notes[to],
    ownsRequests: false,
  }));
  return [main, ...associations];
}

/**
 * Removes what `runId` uploaded for `object` and never published: called when this run takes over the lease that
 * run stopped renewing (it was killed, or its execution timed out before finalize), so its parts do not linger in
 * run folders that readers globbing the layout would see. Published datasets (a manifest exists) are left alone.
 */
export async function discardAbandonedItem(deps: SyncDeps, object: string, runId: string): Promise<void> {
  const plan = await findRunPlan(deps.target, runId);
  const item = plan?.items.find((candidate) => candidate.object === object);
  if (!plan || !item) return;
  await removeUnpublished(deps, item, itemDatasets(plan, item));
}

/** Removes the run folders of `item`'s datasets that its run did not publish (no manifest). */
async function removeUnpublished(deps: SyncDeps, item: WorkItem, datasets: ItemDataset[]): Promise<void> {
  for (const ds of datasets) {
    if (!(await readManifest(deps.target, ds.table, item.runId))) {
      await removeOrphans(deps, ds.table, item, [], `(${datasetName(ds.table)} is not published by this run)`);
    }
  }
}

/**
 * Outcomes of an item finalized before (this call is a retry, perhaps after later runs), read back from its
 * manifests. The catalog may not have taken a dataset the first time: it is registered again only while `_latest`
 * still points at this run, since registering it after a later run would point the table back at older data.
 */
async function publishedOutcomes(
  deps: SyncDeps,
  plan: RunPlan,
  item: WorkItem,
  datasets: ItemDataset[],
): Promise<ObjectOutcome[]> {
  const none = { requests: 0, retries: 0, seconds: 0 };
  return Promise.all(
    datasets.map(async (ds) => {
      const manifest = await readManifest(deps.target, ds.table, plan.runId);
      if (!manifest) {
        return failed({ object: ds.object, mode: item.mode }, datasetName(ds.table), 'not published by this run');
      }
      const manifestUrl = deps.target.url(manifestKey(ds.table, plan.runId));
      const current = (await readLatest(deps.target, ds.table))?.runId === plan.runId;
      return {
        ...completedOutcome(manifest, manifestUrl, none),
        ...(current ? await catalogOutcome(deps, ds.table, manifest, manifestUrl) : {}),
      };
    }),
  );
}

async function finalizeItem(deps: SyncDeps, plan: RunPlan, item: WorkItem, failure?: string): Promise<ObjectOutcome[]> {
  const datasets = itemDatasets(plan, item);
  const [main] = datasets;
  const state = await readObjectState(deps.target, item.object);
  const checkpoint = state.checkpoint?.runId === plan.runId ? state.checkpoint : undefined;
  // Published before (a retried finalize), perhaps with later runs published since: its manifest says so, whatever
  // the state's lastRunId now names. A finalize that stopped right after may not have released the lease yet.
  if (!checkpoint && (await readManifest(deps.target, main.table, plan.runId))) {
    await releaseLease(deps.target, item.object, plan.runId, deps.now());
    return publishedOutcomes(deps, plan, item, datasets);
  }
  // A finished item may still be unfit to publish (the pipelines of a type the key cannot read).
  const refusal = checkpoint?.phase === 'done' ? main.note(checkpoint) : undefined;
  if (failure || checkpoint?.phase !== 'done' || refusal) {
    // Nothing of this run is published for the item: its uploaded parts go, so no partial run folder lingers.
    await removeUnpublished(deps, item, datasets);
    await releaseLease(deps.target, item.object, plan.runId, deps.now());
    const reason = failure ?? refusal ?? `did not finish (stopped in phase ${checkpoint?.phase ?? 'plan'})`;
    return [failed(item, datasetName(main.table), reason, checkpoint)];
  }
  try {
    await renewLease(deps, item);
  } catch (error) {
    if (!(error instanceof ObjectLockedError)) throw error;
    // Another finalize of this run (a stopped-run finalize, an overlapping retry) published it and let go first.
    if (await readManifest(deps.target, main.table, plan.runId)) return publishedOutcomes(deps, plan, item, datasets);
    return [failed(item, datasetName(main.table), `not published: ${error.message}`, checkpoint)];
  }
  const watermark = nextWatermark(plan, item, state.watermark);
  const outcomes: ObjectOutcome[] = [];
  for (const ds of datasets) {
    const note = ds.note(checkpoint);
    if (note) {
      outcomes.push(failed({ object: ds.object, mode: item.mode }, datasetName(ds.table), note));
      continue;
    }
    const spec = {
      table: ds.table,
      object: ds.object,
      parts: ds.parts(checkpoint),
      columns: ds.columns,
      ownsRequests: ds.ownsRequests,
    };
    outcomes.push(
      await publishDataset(deps, plan, item, checkpoint, { ...spec, watermark: ds.ownsRequests ? watermark : null }),
    );
  }
  await writeObjectState(deps.target, {
    object: item.object,
    watermark: watermark ?? state.watermark,
    lastRunId: plan.runId,
    lastPublishedAt: deps.now().toISOString(),
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

/**
 * finalize: publishes every finished item (parts were uploaded first; manifest next; `_latest` last),
 * advances watermarks, releases leases, writes the property metadata table and emits one
 * completion event per dataset. Safe to call twice: published manifests are read back, not rewritten.
 */
export async function finalizeRun(deps: SyncDeps, runId: string, options: FinalizeOptions = {}): Promise<RunResult> {
  const plan = await loadPlan(deps, runId);
  const failures = new Map((options.failedItems ?? []).map((f) => [f.object, f.reason]));
  const outcomes: ObjectOutcome[] = [];
  // Each item's events go out once it is published: a finalize that fails on a later item has announced what it
  // published (a retry announces it again; events are at least once, keyed by manifestUrl).
  // A skipped object is another run's to announce.
  const announce = async (outcomes: ObjectOutcome[]) => {
    const announced = outcomes.filter((outcome) => outcome.status !== 'skipped');
    if (announced.length) {
      await options.publishEvents?.(announced.map((outcome) => completionEvent(outcome, runId, plan.snapshotDate)));
    }
  };
  for (const item of plan.items) {
    const itemOutcomes = await finalizeItem(deps, plan, item, failures.get(item.object));
    await announce(itemOutcomes);
    outcomes.push(...itemOutcomes);
  }
  const exported = plan.items.filter(
    (item) => item.kind === 'records' && outcomes.some((o) => o.object === item.object && o.status === 'completed'),
  );
  const metadata = exported.length
    ? await publishPropertyMetadata(
        deps,
        plan,
        exported.map((item) => item.object),
      )
    : undefined;
  const rest = [
    ...(metadata ? [metadata] : []),
    ...plan.failures.map((f) => failed({ object: f.object, mode: plan.mode }, f.dataset ?? f.object, f.reason)),
    ...(plan.skipped ?? []).map((s) =>
      failed({ object: s.object, mode: plan.mode }, s.object, s.reason, undefined, 'skipped'),
    ),
  ];
  await announce(rest);
  outcomes.push(...rest);
  return {
    runId,
    mode: plan.mode,
    snapshotDate: plan.snapshotDate,
    startedAt: plan.startedAt,
    finishedAt: deps.now().toISOString(),
    outcomes,
  };
}
