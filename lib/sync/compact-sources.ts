/**
 * What a compact run builds an object's snapshot from: the newest complete snapshot (`_latest`, full or built) and
 * the change sets published after it. Runs of one object never overlap (its lease), and run ids sort by start
 * time, so the change sets after the base are exactly those with a later run id. Plan decides once and the item
 * carries the run ids; the steps read the parts from their manifests, which never change once written.
 */
import { mapLimit } from '../core/map-limit';
import type { Column } from '../schema/columns';
import { CorruptStoredFileError } from '../store/errors';
import { LAYOUT, datasetName, manifestKey, stateKey, type TableRef } from '../store/layout';
import { readLatest, readManifest, type Manifest } from '../store/manifest';
import type { StorageTarget } from '../store/target';
import type { SyncDeps } from './deps';
import type { BuildSources } from './types';

const snapshotOf = (object: string): TableRef => ({ kind: 'snapshot', object });
const changesOf = (object: string): TableRef => ({ kind: 'changes', object });

/** `_state/runs/<run>/build/<object>-winners.parquet`: each id's winning source, kept while the build runs. */
export const winnersKey = (runId: string, object: string): string =>
  stateKey(`runs/${runId}/build/${object}-winners`).replace(/\.json$/, '.parquet');

/** An object's record columns as its definitions and the settings make them now, and the hash key's id. */
export interface CurrentColumns {
  columns: readonly Column[];
  keyId?: string;
}

/**
 * Why rows of `manifest` cannot sit beside rows written now, when hashing differs: a column hashed now that held
 * clear values then (or the other way round), or hashes made with another key.
 */
export function hashingMismatch(manifest: Manifest, current: CurrentColumns): string | undefined {
  const hashed = new Set(current.columns.filter((c) => c.hashed).map((c) => c.name));
  const then = new Set(manifest.columns.filter((c) => c.hash).map((c) => c.name));
  const names = manifest.columns.map((c) => c.name);
  const newlyHashed = [...hashed].filter((name) => names.includes(name) && !then.has(name));
  const noLongerHashed = [...then].filter((name) => !hashed.has(name));
  if (newlyHashed.length) return `${newlyHashed.join(', ')} held clear values in run ${manifest.runId}`;
  if (noLongerHashed.length) return `${noLongerHashed.join(', ')} held hashes in run ${manifest.runId}`;
  if (then.size && manifest.hashKeyId !== current.keyId) {
    return `run ${manifest.runId} hashed with key ${manifest.hashKeyId ?? '(none)'}, not ${current.keyId ?? '(none)'}`;
  }
  return undefined;
}

/**
 * The columns of `manifest` whose property changed type since from one HubSpot's text does not survive in: a
 * number, date or boolean column keeps the value, not the text HubSpot holds (`55338.20` is the DOUBLE 55338.2),
 * so a property now read as another type must be read from HubSpot again. A text column converts exactly.
 */
export function textLostIn(manifest: Manifest, current: CurrentColumns): string[] {
  const now = new Map(current.columns.filter((c) => c.property).map((c) => [c.name, c.type]));
  return manifest.columns
    .filter((c) => now.has(c.name) && now.get(c.name) !== c.type && c.type !== 'VARCHAR')
    .map((c) => `${c.name} (${c.type} in run ${manifest.runId}, ${now.get(c.name)} now)`);
}

/** Run ids of the published change sets of `object` later than `after`, oldest first. */
async function changeSetsAfter(target: StorageTarget, object: string, after: string): Promise<string[]> {
  const folder = `${LAYOUT.manifests}/${datasetName(changesOf(object))}/`;
  const runs = (await target.list(folder))
    .map((stored) => stored.key.slice(folder.length))
    .filter((name) => name.endsWith('.json') && !name.includes('/'))
    .map((name) => name.slice(0, -'.json'.length));
  return runs.filter((runId) => runId > after).sort();
}

/** Reads the manifest of a run the build needs; one that is gone is a corrupt layout, named. */
async function requireManifest(target: StorageTarget, table: TableRef, runId: string): Promise<Manifest> {
  const manifest = await readManifest(target, table, runId);
  if (!manifest) {
    throw new CorruptStoredFileError(
      `${target.url(manifestKey(table, runId))} is missing, though a compact build needs it; run a full snapshot`,
    );
  }
  return manifest;
}

/**
 * The sources of a compact snapshot of `object`, or why it takes a full one instead (no complete snapshot yet,
 * rows hashed otherwise than the settings hash now, or a property retyped from a column its text is not in).
 */
export async function findBuildSources(
  deps: Pick<SyncDeps, 'target'>,
  object: string,
  current: CurrentColumns,
): Promise<BuildSources | { fullBecause: string }> {
  const latest = await readLatest(deps.target, snapshotOf(object));
  if (!latest) return { fullBecause: 'it has no complete snapshot to build on yet' };
  const manifests = await readSourceManifests(deps.target, object, {
    base: latest.runId,
    changeSets: await changeSetsAfter(deps.target, object, latest.runId),
  });
  for (const manifest of [manifests.base, ...manifests.changeSets]) {
    const mismatch = hashingMismatch(manifest, current);
    if (mismatch) return { fullBecause: `its hashed columns changed (${mismatch})` };
    const lost = textLostIn(manifest, current);
    if (lost.length) {
      return { fullBecause: `properties changed type, and their text is not in the stored rows: ${lost.join(', ')}` };
    }
  }
  return { base: latest.runId, changeSets: manifests.changeSets.map((m) => m.runId) };
}

/** The manifests of a build's sources: the base snapshot's, then each change set's. */
export async function readSourceManifests(
  target: StorageTarget,
  object: string,
  sources: BuildSources,
): Promise<{ base: Manifest; changeSets: Manifest[] }> {
  const base = await requireManifest(target, snapshotOf(object), sources.base);
  const changeSets = await mapLimit(sources.changeSets, 8, (runId) =>
    requireManifest(target, changesOf(object), runId),
  );
  return { base, changeSets };
}

/** The key of a part a manifest entry names by URL (`target.url(key)`); one outside the target is refused. */
export function keyOfUrl(target: Pick<StorageTarget, 'url'>, url: string): string {
  const probe = '__probe__';
  const root = target.url(probe).slice(0, -probe.length);
  if (!url.startsWith(root)) {
    throw new CorruptStoredFileError(`a manifest names part ${url}, which is not under ${root}`);
  }
  return url.slice(root.length);
}
