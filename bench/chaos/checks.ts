/** Checks the scenarios share: outcomes as both drivers report them, and a run's datasets against the oracle. */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Manifest } from '../../lib/store/manifest';
import type { TableRef } from '../../lib/store/layout';
import type { RunResult } from '../../lib/sync/types';
import {
  checkAssociations,
  checkRecords,
  readPublished,
  type Published,
  type RecordCheckOptions,
} from './oracle-check';
import type { Judge } from './scenario';
import type { Handlers } from '../../test/helpers/deployed-run';
import type { RunInputLike, World } from './world';

/** One dataset's outcome, from the CLI's result or from the deployed finalize's completion events. */
export interface Outcome {
  dataset: string;
  status: string;
  reason?: string;
}

export interface RunOutcome {
  runId: string;
  outcomes: Outcome[];
}

export const cliOutcome = (result: RunResult): RunOutcome => ({
  runId: result.runId,
  outcomes: result.outcomes.map(({ dataset, status, reason }) => ({ dataset, status, reason })),
});

/**
 * The outcomes of deployed run `runId`: its completion events, the last of each dataset's (a retried finalize
 * announces again what it published: events are delivered at least once).
 */
export function deployedOutcome(w: World, runId: string): RunOutcome {
  const latest = new Map<string, Outcome>();
  for (const e of w.deployedEvents().filter((event) => event.detail.runId === runId)) {
    const status = e.detailType === 'Snapshot Completed' ? 'completed' : 'failed';
    latest.set(e.detail.dataset, { dataset: e.detail.dataset, status, reason: e.detail.reason });
  }
  return { runId, outcomes: [...latest.values()] };
}

/** A deployed execution of `input`; its outcomes, and a problem if the execution itself failed unexpectedly. */
export async function runDeployed(
  w: World,
  judge: Judge,
  input: Record<string, unknown>,
  handlers?: Handlers,
  { mayFail = false } = {},
): Promise<RunOutcome> {
  const { error, runId } = await w.executeDeployed(input as unknown as RunInputLike, handlers);
  if (error) {
    judge.said.push(error);
    judge.expect(mayFail, `execution ${runId} failed: ${error.message.slice(0, 300)}`);
  }
  return deployedOutcome(w, runId);
}

/**
 * Every dataset of the run has the status `expected` gives it (`completed` for those it leaves out), and the
 * failed ones the reason it names (a substring), when it names one.
 */
export function expectOutcomes(
  judge: Judge,
  run: RunOutcome,
  expected: Record<string, { status: string; reason?: string }> = {},
): void {
  judge.said.push(run.outcomes);
  judge.expect(run.outcomes.length > 0, `run ${run.runId} reported no dataset`);
  for (const outcome of run.outcomes) {
    const want = expected[outcome.dataset] ?? { status: 'completed' };
    const shown = `${outcome.dataset} ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}`;
    judge.expect(outcome.status === want.status, `${shown}, expected ${want.status}`);
    if (want.reason) judge.expect((outcome.reason ?? '').includes(want.reason), `${shown}, expected "${want.reason}"`);
  }
  for (const dataset of Object.keys(expected)) {
    judge.expect(
      run.outcomes.some((o) => o.dataset === dataset),
      `run ${run.runId} reported nothing for ${dataset}`,
    );
  }
}

/** The dataset published by `runId`, or a problem. */
export async function published(
  w: World,
  judge: Judge,
  table: TableRef,
  runId?: string,
): Promise<Published | undefined> {
  const found = await readPublished(w, table, runId);
  judge.expect(found !== undefined, `${JSON.stringify(table)} of run ${runId ?? '(latest)'} is not published`);
  return found;
}

/**
 * The snapshots `objects` published by run `runId` hold exactly the oracle's records (those `options.keep` takes),
 * and each association table the run published exactly the oracle's pairs.
 */
export async function checkSnapshots(
  w: World,
  judge: Judge,
  run: RunOutcome,
  objects: readonly string[] = w.portal.objects,
  options: RecordCheckOptions = {},
): Promise<void> {
  for (const object of objects) {
    const snapshot = await published(w, judge, { kind: 'snapshot', object }, run.runId);
    if (!snapshot) continue;
    const { tally, problems } = await checkRecords(w, object, [snapshot], options);
    judge.add(tally);
    judge.problems.push(...problems);
  }
  for (const outcome of run.outcomes) {
    const pair = /^associations\.(.+)__(.+)$/.exec(outcome.dataset);
    if (!pair || outcome.status !== 'completed' || !objects.includes(pair[1])) continue;
    const table: TableRef = { kind: 'associations', from: pair[1], to: pair[2] };
    const links = await published(w, judge, table, run.runId);
    if (links) judge.addPairs(await checkAssociations(w, pair[1], pair[2], links));
  }
}

/**
 * The view a warehouse builds from a full snapshot and the change sets after it (the latest row of each record)
 * holds exactly the oracle's records now, ids gone for good left aside.
 */
export async function checkCombined(
  w: World,
  judge: Judge,
  object: string,
  runs: { snapshot: string; changes: string[] },
  gone?: ReadonlySet<string>,
): Promise<void> {
  const datasets: Published[] = [];
  const snapshot = await published(w, judge, { kind: 'snapshot', object }, runs.snapshot);
  if (snapshot) datasets.push(snapshot);
  for (const runId of runs.changes) {
    const changes = await published(w, judge, { kind: 'changes', object }, runId);
    if (changes) datasets.push(changes);
  }
  if (datasets.length !== runs.changes.length + 1) return;
  const { tally, problems } = await checkRecords(w, object, datasets, { gone });
  judge.add(tally);
  judge.problems.push(...problems);
}

/** Nothing of `objects` was published by `runId`: no manifest, and `_latest` does not point at it. */
export async function expectUnpublished(w: World, judge: Judge, runId: string, objects: readonly string[]) {
  for (const object of objects) {
    const table: TableRef = { kind: 'snapshot', object };
    const found = await readPublished(w, table, runId);
    judge.expect(found === undefined, `${object} of failed run ${runId} was published`);
  }
}

/**
 * Every request the simulator answered with a fault was sent again (same method, path and query): a fault taken
 * for an answer would go unnoticed in the data when the fault carries no records to lose (a count, a probe).
 */
export function expectFaultsRetried(w: World, judge: Judge): void {
  const entries = [...w.sim.log.entries()].sort((a, b) => a.at - b.at);
  const unretried = entries.filter(
    (e, i) =>
      e.fault !== undefined &&
      !entries
        .slice(i + 1)
        .some((later) => later.method === e.method && later.path === e.path && later.query === e.query),
  );
  for (const e of unretried) {
    judge.problems.push(
      `${e.method} ${e.path}${e.query ? `?${e.query}` : ''} got fault ${e.fault} and was never sent again`,
    );
  }
}

/** Files under `dir`, as paths relative to it (none when it does not exist). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

/**
 * What every scenario leaves once its runs are over: no part in a run folder that no manifest names (a dead or
 * failed run's uploads removed), every lease released, and no spool or Parquet file left in the engine's scratch
 * folder (DuckDB's own spill folder aside).
 */
export async function expectTidy(w: World, judge: Judge): Promise<void> {
  const target = w.h.target;
  const root = target.url('_').slice(0, -1);
  const named = new Set<string>();
  for (const { key } of await target.list('_manifests/')) {
    const manifest = JSON.parse((await target.getObject(key))?.toString() ?? '{}') as Manifest;
    for (const entry of manifest.entries ?? []) named.add(entry.url.slice(root.length));
  }
  const folders = ['snapshots/', 'changes/', 'associations/', 'metadata/'];
  const parts = (await Promise.all(folders.map((folder) => target.list(folder)))).flat();
  const stray = parts.filter((p) => !named.has(p.key)).map((p) => p.key);
  judge.expect(stray.length === 0, `${stray.length} parts no manifest names, e.g. ${stray[0]}`);
  for (const { key } of await target.list('_state/locks/')) {
    const lease = JSON.parse((await target.getObject(key))?.toString() ?? '{}') as {
      runId?: string;
      releasedAt?: string;
    };
    judge.expect(lease.releasedAt !== undefined, `${key}: run ${lease.runId} still holds it`);
  }
  const left = (await filesUnder(w.h.deps.workDir)).filter((file) => !file.startsWith('duckdb'));
  judge.expect(left.length === 0, `${left.length} files left in the scratch folder, e.g. ${left[0]}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
