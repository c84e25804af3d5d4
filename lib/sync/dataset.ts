/**
 * A dataset's life in one run, from the parts gathered to what readers see: the manifest (written after every part,
 * never overwritten), `_latest`, the catalog table, and the removal of whatever the run uploaded and does not
 * publish. It knows nothing of work items or checkpoints: several items (the id ranges of one object, or none at all
 * for the property metadata) hand it one Release.
 */
import type { ColumnSpec } from '../parquet';
import { datasetName, manifestKey, runPrefix, type TableRef } from '../store/layout';
import {
  pointLatestAt,
  publishManifest,
  readLatest,
  readManifest,
  type BuiltFrom,
  type Manifest,
  type ManifestColumn,
} from '../store/manifest';
import type { SyncDeps } from './deps';
import type { RunMode } from './run-input';
import type { PartRecord } from './state';

/** Which run of which dataset: where its parts live and what its manifest is called. */
export interface DatasetRun {
  table: TableRef;
  runId: string;
  snapshotDate: string;
}

/** Everything the manifest of one dataset's run says. */
export interface Release extends DatasetRun {
  /** The manifest's `object`: the object name, `<from>__<to>` for associations, `properties` for the metadata. */
  object: string;
  mode: RunMode;
  startedAt: string;
  /** The columns; a column of keyed hashes says how they were computed (`hash`). */
  columns: (ColumnSpec & Pick<ManifestColumn, 'hash'>)[];
  /** Properties the run left out (excludeProperties), and the id of the key of its hashed columns. */
  excludedProperties?: string[];
  hashKeyId?: string;
  parts: PartRecord[];
  watermark: string | null;
  window?: { since?: string; until?: string };
  /** The pipelines table: whose pipelines it holds. */
  pipelineObjects?: string[];
  /** A built snapshot (mode compact): what it was built from. */
  built?: BuiltFrom;
}

/** A dataset a run published, and how the catalog took it. */
export interface Published {
  manifest: Manifest;
  manifestUrl: string;
  /** `database.table`, when a catalog is configured and took it. */
  catalogTable?: string;
  /** Why the catalog did not take it (the data is published all the same). */
  catalogError?: string;
}

/** The manifest `run` published for the dataset, if it published it: the one question of "is it published?". */
export function findPublished(deps: Pick<SyncDeps, 'target'>, run: DatasetRun): Promise<Manifest | undefined> {
  return readManifest(deps.target, run.table, run.runId);
}

/** Whether `_latest` of the dataset still names `runId` (no later run published since). */
export async function isLatest(deps: Pick<SyncDeps, 'target'>, table: TableRef, runId: string): Promise<boolean> {
  return (await readLatest(deps.target, table))?.runId === runId;
}

/**
 * Publishes a dataset's run: parts the release does not name go, then the manifest, `_latest` and the catalog table.
 * `published` is what findPublished found: a run published before (a finalize retried after a crash) is pointed at
 * again, since a crash may have come between the manifest and `_latest`, and never written twice.
 */
export async function publishRelease(deps: SyncDeps, release: Release, published?: Manifest): Promise<Published> {
  if (published) {
    const latest = await pointLatestAt(deps.target, release.table, published);
    return {
      manifest: published,
      manifestUrl: latest.manifest,
      ...(await registerInCatalog(deps, release.table, published)),
    };
  }
  await discardParts(deps, release, release.parts, 'left by an interrupted step');
  const manifest = manifestOf(deps, release);
  const latest = await publishManifest(deps.target, release.table, manifest);
  return { manifest, manifestUrl: latest.manifest, ...(await registerInCatalog(deps, release.table, manifest)) };
}

/**
 * What a retried finalize reports for a dataset published before, perhaps with later runs published since: the
 * catalog is registered again only while `_latest` still names this run, since registering it after a later run
 * would point the table back at older data.
 */
export async function republished(deps: SyncDeps, run: DatasetRun, manifest: Manifest): Promise<Published> {
  const manifestUrl = deps.target.url(manifestKey(run.table, run.runId));
  const current = await isLatest(deps, run.table, run.runId);
  return { manifest, manifestUrl, ...(current ? await registerInCatalog(deps, run.table, manifest) : {}) };
}

/** Removes every part of the run that it does not publish (`why` goes into the log line). */
export async function discardRun(deps: SyncDeps, run: DatasetRun, why: string): Promise<void> {
  await discardParts(deps, run, [], why);
}

/** Deletes the run folder's parts that `keep` does not name: uploads a crashed step left, or all of them. */
async function discardParts(deps: SyncDeps, run: DatasetRun, keep: PartRecord[], why: string): Promise<void> {
  const kept = new Set(keep.map((p) => p.key));
  for (const stored of await deps.target.list(runPrefix(run.table, run.snapshotDate, run.runId))) {
    if (kept.has(stored.key)) continue;
    deps.log.warn(`removing unpublished part ${stored.key} ${why}`);
    await deps.target.deleteObject(stored.key);
  }
}

function manifestOf(deps: SyncDeps, release: Release): Manifest {
  const sum = (field: 'rows' | 'bytes' | 'unparsed') => release.parts.reduce((total, p) => total + p[field], 0);
  return {
    runId: release.runId,
    object: release.object,
    dataset: datasetName(release.table),
    mode: release.mode,
    snapshotDate: release.snapshotDate,
    startedAt: release.startedAt,
    finishedAt: deps.now().toISOString(),
    rows: sum('rows'),
    files: release.parts.length,
    bytes: sum('bytes'),
    columns: release.columns.map(({ name, type, hash }) => ({ name, type, ...(hash ? { hash } : {}) })),
    ...(release.excludedProperties?.length ? { excludedProperties: [...release.excludedProperties] } : {}),
    ...(release.hashKeyId ? { hashKeyId: release.hashKeyId } : {}),
    watermark: release.watermark,
    unparsed: sum('unparsed'),
    entries: release.parts.map((p) => ({
      url: deps.target.url(p.key),
      mandatory: true,
      meta: { content_length: p.bytes, record_count: p.rows },
    })),
    ...(release.window ? { window: release.window } : {}),
    ...(release.pipelineObjects ? { pipelineObjects: [...release.pipelineObjects] } : {}),
    ...(release.built ? { built: release.built } : {}),
  };
}

/**
 * Registers a published dataset in the catalog, when one is configured. The data is published whatever the
 * catalog answers, so a refusal is a warning on the outcome, not a failure.
 */
async function registerInCatalog(
  deps: SyncDeps,
  table: TableRef,
  manifest: Manifest,
): Promise<Pick<Published, 'catalogTable' | 'catalogError'>> {
  if (!deps.catalog) return {};
  const manifestUrl = deps.target.url(manifestKey(table, manifest.runId));
  try {
    const { columns, snapshotDate, runId } = manifest;
    return { catalogTable: await deps.catalog.publish({ table, columns, snapshotDate, runId, manifestUrl }) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.log.warn(`${manifest.dataset} published, but not in the catalog: ${message}`);
    return { catalogError: message };
  }
}
