/** Run manifests (Redshift COPY manifest entries plus run facts) and the latest-snapshot pointer. */
import { ObjectExistsError } from './errors';
import { latestKey, manifestKey, type TableRef } from './layout';
import { readJson } from './json';
import type { StorageTarget } from './target';

export interface ManifestEntry {
  url: string;
  mandatory: true;
  meta: { content_length: number; record_count: number };
}

/** A column of a manifest; `hash` names how a column of keyed hashes was computed (README, Sensitive properties). */
export interface ManifestColumn {
  name: string;
  type: string;
  hash?: string;
}

export interface Manifest {
  runId: string;
  object: string;
  dataset: string;
  mode: 'full' | 'incremental' | 'backfill' | 'compact';
  snapshotDate: string;
  startedAt: string;
  finishedAt: string;
  rows: number;
  files: number;
  bytes: number;
  columns: ManifestColumn[];
  /** Properties the excludeProperties setting left out: never requested from HubSpot, no column. */
  excludedProperties?: string[];
  /** The id of the key the `hash` columns were computed with (an HMAC of a fixed text, never the key). */
  hashKeyId?: string;
  watermark: string | null;
  unparsed: number;
  entries: ManifestEntry[];
  window?: { since?: string; until?: string };
  /** The pipelines table: whose pipelines it holds (a run naming only deals exports deal pipelines alone). */
  pipelineObjects?: string[];
  /** A snapshot built from an earlier one and the change sets since (mode compact): what it was built from. */
  built?: BuiltFrom;
}

/** How a built snapshot came to be, and what its records unchanged since the base cannot show. */
export interface BuiltFrom {
  /** The run of the complete snapshot it started from. */
  base: string;
  /** The runs of the change sets laid over it, oldest first; the last one is this run's own. */
  changeSets: string[];
  /** Properties the base did not have: NULL for records unchanged since (until a full run reads them). */
  nullUntilChanged: string[];
  /** Properties the base had that are gone now: left out. */
  removed: string[];
  /** Properties whose type changed since the base: values of records unchanged since are cast to the new type. */
  retyped: string[];
  /** Records merged into another and dropped (their ids are in the `<object>.merges` table). */
  mergedAway: number;
  /**
   * Live records the snapshot holds beyond what HubSpot counted when the run was planned (up to the same id):
   * deleted for GDPR, which HubSpot does not report as archived; the next full run drops them.
   */
  goneFromHubSpot?: number;
}

export interface LatestPointer {
  runId: string;
  /** URL of the manifest. */
  manifest: string;
  snapshotDate: string;
}

const JSON_TYPE = 'application/json';

/**
 * Writes `_manifests/<dataset>/<run>.json` (never overwriting: ObjectExistsError when it exists) and then
 * `_latest/<dataset>.json`, in that order. The caller guarantees every part was uploaded first.
 */
export async function publishManifest(
  target: StorageTarget,
  table: TableRef,
  manifest: Manifest,
): Promise<LatestPointer> {
  const key = manifestKey(table, manifest.runId);
  await target.putObject(key, `${JSON.stringify(manifest, null, 2)}\n`, { contentType: JSON_TYPE, ifAbsent: true });
  return pointLatestAt(target, table, manifest);
}

/** Writes `_latest/<dataset>.json` naming `manifest` (which must be published already). */
export async function pointLatestAt(
  target: StorageTarget,
  table: TableRef,
  manifest: Manifest,
): Promise<LatestPointer> {
  const pointer: LatestPointer = {
    runId: manifest.runId,
    manifest: target.url(manifestKey(table, manifest.runId)),
    snapshotDate: manifest.snapshotDate,
  };
  await target.putObject(latestKey(table), `${JSON.stringify(pointer)}\n`, { contentType: JSON_TYPE });
  return pointer;
}

/** The latest pointer of a dataset, or undefined before its first published run. */
export function readLatest(target: StorageTarget, table: TableRef): Promise<LatestPointer | undefined> {
  return readJson(target, latestKey(table));
}

/** One run's manifest, or undefined. */
export function readManifest(target: StorageTarget, table: TableRef, runId: string): Promise<Manifest | undefined> {
  return readJson(target, manifestKey(table, runId));
}

export { ObjectExistsError };
