/**
 * The datasets one object's items publish in a run (its own table, then one per association pair) and how their
 * parts come together from the items' checkpoints: one item for a whole object, or each slice of one split by id.
 */
import { HASH_ALGORITHM } from '../schema/pseudonymize';
import { datasetName, type TableRef } from '../store/layout';
import type { SyncDeps } from './deps';
import { discardRun, findPublished, type DatasetRun, type Release } from './dataset';
import { recordColumnsOf } from './sensitive-properties';
import type { BuiltFrom } from '../store/manifest';
import { winnersKey } from './compact-sources';
import type { RunMode } from './run-input';
import { ASSOCIATION_COLUMNS, MERGE_COLUMNS, OWNER_COLUMNS, PIPELINE_COLUMNS, pipelineObjectsOf } from './side-tables';
import type { Checkpoint, PartRecord } from './state';
import { findRunPlan } from './state';
import { tableOf } from './tables';
import type { RunPlan, WorkItem } from './types';

/** One table an object publishes. */
export interface ObjectDataset {
  table: TableRef;
  /** The manifest's `object`. */
  object: string;
  columns: Release['columns'];
  /** What the sensitive-property settings did to a record table (the manifest says so). */
  sensitivity?: Pick<Release, 'excludedProperties' | 'hashKeyId'>;
  parts(checkpoints: readonly Checkpoint[]): PartRecord[];
  /** Why it cannot be published, when it cannot. */
  note(checkpoints: readonly Checkpoint[]): string | undefined;
  /** Whether the items' request counts are this dataset's (the object's own table). */
  ownsRequests: boolean;
  /** Whether its manifest carries the object's watermark (its own table, and a compact run's change set). */
  watermarked: boolean;
  /** The manifest's mode when it is not the item's: a compact run's own change set is an incremental one. */
  mode?: RunMode;
  /** A built snapshot: what it was built from (the manifest's `built`). */
  built?: (checkpoints: readonly Checkpoint[]) => BuiltFrom;
}

/** The plan's items grouped by object, in plan order: one group per object, its slices together. */
export function itemsByObject(plan: Pick<RunPlan, 'items'>): WorkItem[][] {
  const groups = new Map<string, WorkItem[]>();
  for (const item of plan.items) groups.set(item.object, [...(groups.get(item.object) ?? []), item]);
  return [...groups.values()];
}

const columnsOf = (plan: RunPlan, item: WorkItem): Release['columns'] => {
  if (item.kind === 'owners') return OWNER_COLUMNS;
  if (item.kind === 'pipelines') return PIPELINE_COLUMNS;
  return recordColumnsOf(plan, item.object).map(({ name, type, hashed }) =>
    hashed ? { name, type, hash: HASH_ALGORITHM } : { name, type },
  );
};

/** The manifest's record of excluded properties and of the hash key, for an object the settings touch. */
function sensitivityOf(plan: RunPlan, item: WorkItem): ObjectDataset['sensitivity'] {
  const handling = item.kind === 'records' ? plan.propertyHandling?.[item.object] : undefined;
  if (!handling) return undefined;
  return {
    ...(handling.excluded.length ? { excludedProperties: handling.excluded.map((d) => d.name) } : {}),
    ...(handling.hashed.length && plan.hashKeyId ? { hashKeyId: plan.hashKeyId } : {}),
  };
}

/** What the items could not read, from every slice. */
const notesOf = (checkpoints: readonly Checkpoint[]): Record<string, string> =>
  Object.assign({}, ...checkpoints.map((c) => c.notes));

/**
 * The pipelines table fails whole when the pipelines of any object it covers could not be read: published, it
 * would replace a complete table with one silently missing, say, every ticket stage.
 */
function pipelinesNote(item: WorkItem, checkpoints: readonly Checkpoint[]): string | undefined {
  const notes = notesOf(checkpoints);
  const denied = Object.entries(notes);
  if (!denied.length) return undefined;
  const others = pipelineObjectsOf(item).filter((type) => !notes[type]);
  const hint = others.length ? ` (to export the others' alone: --objects ${others.join(',')},pipelines)` : '';
  return `${denied.map(([type, reason]) => `${type} pipelines: ${reason}`).join('; ')}${hint}`;
}

/** The datasets of the object `item` (any of its slices) exports: its own table, then its association pairs. */
export function objectDatasets(plan: RunPlan, item: WorkItem): ObjectDataset[] {
  const main: ObjectDataset = {
    table: tableOf(item),
    object: item.object,
    columns: columnsOf(plan, item),
    sensitivity: sensitivityOf(plan, item),
    parts: (checkpoints) => checkpoints.flatMap((c) => c.parts),
    note: (checkpoints) => (item.kind === 'pipelines' ? pipelinesNote(item, checkpoints) : undefined),
    ownsRequests: true,
    watermarked: true,
  };
  const associations = (item.associationTargets ?? []).map((to): ObjectDataset => ({
    table: { kind: 'associations', from: item.object, to },
    object: `${item.object}__${to}`,
    columns: ASSOCIATION_COLUMNS,
    parts: (checkpoints) => checkpoints.flatMap((c) => c.associationParts[to] ?? []),
    note: (checkpoints) => notesOf(checkpoints)[to],
    ownsRequests: false,
    watermarked: false,
  }));
  if (item.mode !== 'compact') return [main, ...associations];
  // A compact run publishes the snapshot it built, the change set it took first, the pairs and the merges.
  const built: ObjectDataset = {
    ...main,
    table: { kind: 'snapshot', object: item.object },
    parts: (checkpoints) => checkpoints.flatMap((c) => c.builtParts ?? []),
    built: (checkpoints) => builtFrom(item, checkpoints),
  };
  const changes: ObjectDataset = { ...main, ownsRequests: false, mode: 'incremental' };
  const merges: ObjectDataset = {
    table: { kind: 'merges', object: item.object },
    object: item.object,
    columns: MERGE_COLUMNS,
    parts: (checkpoints) => checkpoints.flatMap((c) => c.mergeParts ?? []),
    note: () => undefined,
    ownsRequests: false,
    watermarked: false,
  };
  return [built, changes, ...associations, merges];
}

/** The manifest's `built` of a compact item's snapshot, from its finished checkpoint. */
function builtFrom(item: WorkItem, checkpoints: readonly Checkpoint[]): BuiltFrom {
  const progress = checkpoints[0]?.build;
  return {
    base: item.built?.base ?? '',
    changeSets: [...(item.built?.changeSets ?? []), item.runId],
    nullUntilChanged: progress?.nullUntilChanged ?? [],
    removed: progress?.removed ?? [],
    retyped: progress?.retyped ?? [],
    mergedAway: progress?.mergedAway ?? 0,
    ...(progress?.goneFromHubSpot !== undefined ? { goneFromHubSpot: progress.goneFromHubSpot } : {}),
  };
}

/** Where a dataset's parts of this run live. */
export const datasetRun = (item: WorkItem, ds: Pick<ObjectDataset, 'table'>): DatasetRun => ({
  table: ds.table,
  runId: item.runId,
  snapshotDate: item.snapshotDate,
});

/** The release of one dataset from the finished checkpoints of all the object's items. */
export function releaseOf(
  item: WorkItem,
  ds: ObjectDataset,
  checkpoints: readonly Checkpoint[],
  watermark: string | null,
): Release {
  const windowed = ds.table.kind === 'changes' && (item.since || item.until);
  return {
    ...datasetRun(item, ds),
    object: ds.object,
    mode: ds.mode ?? item.mode,
    startedAt: checkpoints.map((c) => c.startedAt).sort()[0] ?? item.startedAt,
    columns: ds.columns,
    ...ds.sensitivity,
    parts: ds.parts(checkpoints),
    watermark,
    ...(windowed ? { window: { since: item.since, until: item.until } } : {}),
    ...(ds.built ? { built: ds.built(checkpoints) } : {}),
    ...(item.kind === 'pipelines' ? { pipelineObjects: [...pipelineObjectsOf(item)] } : {}),
  };
}

/** Requests, retries and seconds of the object's items together (seconds: first start to last checkpoint). */
export function countsOf(checkpoints: readonly Checkpoint[]) {
  const starts = checkpoints.map((c) => Date.parse(c.startedAt));
  const ends = checkpoints.map((c) => Date.parse(c.updatedAt));
  return {
    requests: checkpoints.reduce((sum, c) => sum + c.requests, 0),
    retries: checkpoints.reduce((sum, c) => sum + c.retries, 0),
    seconds: checkpoints.length ? (Math.max(...ends) - Math.min(...starts)) / 1000 : 0,
  };
}

/** Removes the run folders of the object's datasets that its run did not publish (no manifest). */
export async function discardUnpublished(deps: SyncDeps, plan: RunPlan, item: WorkItem): Promise<void> {
  for (const ds of objectDatasets(plan, item)) {
    const run = datasetRun(item, ds);
    if (!(await findPublished(deps, run))) {
      await discardRun(deps, run, `(${datasetName(ds.table)} is not published by this run)`);
    }
  }
  // A build that did not finish leaves its winners table beside the plan.
  if (item.mode === 'compact') await deps.target.deleteObject(winnersKey(item.runId, item.object));
}

/**
 * Removes what `runId` uploaded for `object` and never published: called when a run takes over the lease that run
 * stopped renewing (it was killed, or its execution timed out before finalize), so its parts do not linger in run
 * folders that readers globbing the layout would see. Published datasets are left alone.
 */
export async function discardAbandoned(deps: SyncDeps, object: string, runId: string): Promise<void> {
  const plan = await findRunPlan(deps.target, runId);
  const item = plan?.items.find((candidate) => candidate.object === object);
  if (plan && item) await discardUnpublished(deps, plan, item);
}
