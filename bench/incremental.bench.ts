/**
 * What an incremental run costs next to a full one, in requests (the budget every integration of a portal shares).
 *
 *   npm run bench:incremental [-- --contacts 1000000 --archived 100000 --properties 200]
 *
 * The portal: `contacts` live contacts with `properties` properties and `archived` archived ones. A full run, then
 * 1 % of the live contacts changed, 0.1 % created and 0.1 % archived, then an incremental run: its requests over
 * the full run's are `ratio`, and `exact` says whether its change set holds exactly those records (ids, the
 * archived flag and the changed value). A second incremental run follows an hour as most are, with changes and
 * creations but no archival: `quiet` has its figures, the run the live count lets skip the archived list. Then,
 * after another such hour of changes, a compact run builds a complete snapshot from the full run's snapshot, both
 * change sets and its own (`built*`): its requests over the full run's, its peak RSS (in this process, which ran
 * the full export before), and whether it holds every live and archived id once with each change's value.
 * Requests are counted from the simulator's log, so the rate limits are set high: time is not measured here.
 * Ends with one line `RESULT {...}`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { staticKeyProvider } from '../lib/hubspot';
import { mapLimit } from '../lib/core/map-limit';
import { openDuckDb } from '../lib/parquet';
import { readLatest, readManifest } from '../lib/store/manifest';
import { createSyncRuntime, type SyncRuntime } from '../lib/sync/create-deps';
import { runLocally } from '../lib/sync/local-driver';
import { parseRunInput } from '../lib/sync/run-input';
import { simLog, startSimulatorProcess, type SimInfo, type SimProcess } from './lib/sim-process';
import { benchArgs, peakRssSampler } from './lib/args';

const args = benchArgs();
const SETTINGS = {
  contacts: Number(args.get('contacts') ?? 1_000_000),
  archived: Number(args.get('archived') ?? 100_000),
  properties: Number(args.get('properties') ?? 200),
};
/** Contacts' properties that are not custom (the simulator's system and HubSpot-defined ones). */
const BUILT_IN_PROPERTIES = 43;
const LIMITS = { maxPerWindow: 20_000, windowMs: 1_000, searchPerSecond: 500, daily: 1e9 } as const;
const TARGET_RATIO = 0.02;
/**
 * The window's lookback, short here: an hourly run's changes lie mostly outside the previous run's 5-minute
 * lookback, but this bench's rounds follow each other within seconds, so with 5 minutes each change set would
 * also hold the last one's changes (and the portal's set-up archivals), which hourly runs do not pay for.
 */
const LOOKBACK_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Change {
  id: string;
  archived: boolean;
  firstname: string | null;
}

/** Calls the simulator's admin API: changes made the way HubSpot's users make them, between runs. */
async function admin(info: SimInfo, method: string, route: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${info.url}/_sim/${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`simulator admin ${method} ${route}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

/** Every `every`-th live id from `offset`: changes spread over the id space. */
const spread = (ids: string[], every: number, offset: number) => ids.filter((_, k) => k % every === offset);

/**
 * Updates, creations and archivals of a chosen share of the live contacts (`live` is kept current: archived ids
 * out, created ones in); returns what the change set must hold, by id.
 */
async function change(
  info: SimInfo,
  live: string[],
  round: number,
  shares: { updated: number; created: number; archived: number },
): Promise<Change[]> {
  const updated = shares.updated ? spread(live, Math.round(1 / shares.updated), round) : [];
  const archived = shares.archived ? spread(live, Math.round(1 / shares.archived), 500 + round) : [];
  const rows = new Map<string, Change>();
  await mapLimit(updated, 16, async (id) => {
    const firstname = `changed ${round} ${id}`;
    await admin(info, 'PATCH', `objects/contacts/${id}`, { properties: { firstname } });
    rows.set(id, { id, archived: false, firstname });
  });
  const created = await mapLimit(
    Array.from({ length: Math.round(live.length * shares.created) }, (_, k) => k),
    16,
    async (k) => {
      const firstname = `created ${round} ${k}`;
      const record = (await admin(info, 'POST', 'objects/contacts', { properties: { firstname } })) as { id: string };
      rows.set(record.id, { id: record.id, archived: false, firstname });
      return record.id;
    },
  );
  await mapLimit(archived, 16, async (id) => {
    // Edited, then archived: the archived row holds the values it had when archived.
    const firstname = `archived ${round} ${id}`;
    await admin(info, 'PATCH', `objects/contacts/${id}`, { properties: { firstname } });
    await admin(info, 'DELETE', `objects/contacts/${id}`);
    rows.set(id, { id, archived: true, firstname });
  });
  // The simulator gives every write its own millisecond, so a burst runs ahead of the clock: let it catch up, and
  // let the changes age past the lookback, as an hour's changes would have by the run after next.
  await sleep(Math.max(LOOKBACK_MS, updated.length + created.length + 2 * archived.length) + 1_000);
  const gone = new Set(archived);
  const kept = live.filter((id) => !gone.has(id));
  live.length = 0;
  for (const id of kept.concat(created)) live.push(id);
  return [...rows.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * The change set the last incremental run published (id, archived flag, first name by id), and the oracle's for
 * its window: records modified or archived from the window's start, less the lookback, to its end. Archivals that
 * a previous change set published (up to `sweptUntil`) need not come again: a run whose count saw no archival
 * does not re-read the lookback's.
 */
async function changeSets(runtime: SyncRuntime, sim: SimProcess, folder: string, sweptUntil = -Infinity) {
  const table = { kind: 'changes', object: 'contacts' } as const;
  const latest = await readLatest(runtime.deps.target, table);
  const manifest = latest && (await readManifest(runtime.deps.target, table, latest.runId));
  if (!manifest?.window?.since || !manifest.window.until) throw new Error('no change set with a window was published');
  const from = Date.parse(manifest.window.since) - runtime.deps.settings.lookbackMs;
  const oracle = await sim.changed('contacts', { from, to: Date.parse(manifest.window.until) }, [
    'firstname',
    'archivedAt',
  ]);
  const db = await openDuckDb();
  try {
    const parts = path.join(folder, 'changes', 'contacts', '*', `run_id=${manifest.runId}`, '*.parquet');
    const published = await db.query<Change>(
      `SELECT id, archived, firstname FROM read_parquet('${parts}', hive_partitioning = false) ORDER BY id`,
    );
    const expected = oracle
      .filter((r) => !r.archived || Date.parse(r.values.archivedAt ?? '') > sweptUntil)
      .map((r) => ({ id: r.id, archived: r.archived, firstname: r.values.firstname }));
    return { published, expected, until: Date.parse(manifest.window.until) };
  } finally {
    await db.close();
  }
}

async function run(runtime: SyncRuntime, info: SimInfo, mode: 'full' | 'incremental' | 'compact') {
  await simLog(info.url, { reset: true });
  const started = Date.now();
  const result = await runLocally(runtime.deps, parseRunInput({ mode, objects: ['contacts'] }), {
    depsFor: () => ({ ...runtime.deps, client: runtime.newClient() }),
  });
  const failed = result.outcomes.filter((o) => o.status !== 'completed');
  if (failed.length)
    throw new Error(`${mode} run failed: ${failed.map((o) => `${o.dataset}: ${o.reason}`).join('; ')}`);
  const log = await simLog(info.url);
  const archivedList = log.filter((e) => e.method === 'GET' && /archived=true/.test(e.query ?? '')).length;
  const byRoute: Record<string, number> = {};
  for (const e of log) {
    const route = `${e.method} ${e.route}${/archived=true/.test(e.query ?? '') ? ' archived' : ''}`;
    byRoute[route] = (byRoute[route] ?? 0) + 1;
  }
  return { requests: log.length, archivedList, byRoute, seconds: (Date.now() - started) / 1000 };
}

/**
 * Whether the built snapshot holds the portal now: every live and archived id once, with the right archived flag,
 * and the first name each change made (the last change per id) on the changed records.
 */
async function builtMatches(sim: SimProcess, folder: string, runId: string, changes: Change[]) {
  const oracle = await sim.ids('contacts');
  const latest = new Map(changes.map((c) => [c.id, c]));
  const db = await openDuckDb();
  try {
    const parts = path.join(folder, 'snapshots', 'contacts', '*', `run_id=${runId}`, '*.parquet');
    const table = `read_parquet('${parts}', hive_partitioning = false)`;
    const rows = await db.query<{ id: string; archived: boolean }>(`SELECT id, archived FROM ${table}`);
    const want = new Map([
      ...oracle.live.map((id) => [id, false] as const),
      ...oracle.archived.map((id) => [id, true] as const),
    ]);
    const seen = new Set<string>();
    let wrong = 0;
    for (const row of rows) {
      if (seen.has(row.id) || want.get(row.id) !== row.archived) wrong += 1;
      seen.add(row.id);
    }
    const missing = [...want.keys()].filter((id) => !seen.has(id)).length;
    const changed = await db.query<Change>(
      `SELECT id, archived, firstname FROM ${table} WHERE id IN (${[...latest.keys()].map((id) => `'${id}'`).join(', ')})`,
    );
    const stale = changed.filter((row) => {
      const change = latest.get(row.id);
      return !change || change.firstname !== row.firstname || change.archived !== row.archived;
    }).length;
    if (wrong || missing || stale || changed.length !== latest.size)
      console.log(
        `  built snapshot differs: ${wrong} wrong or repeated rows, ${missing} missing, ${stale} stale changes`,
      );
    return wrong === 0 && missing === 0 && stale === 0 && changed.length === latest.size && rows.length === want.size;
  } finally {
    await db.close();
  }
}

/** Whether every change the bench made is in the oracle's window (so the window is the one the changes asked for). */
function covers(window: Change[], made: Change[]): boolean {
  const inWindow = new Set(window.map((c) => JSON.stringify(c)));
  const outside = made.filter((c) => !inWindow.has(JSON.stringify(c)));
  if (outside.length)
    console.log(
      `  ${outside.length} changes made are not in the window, e.g. ${JSON.stringify(outside.slice(0, 3))} of ${made.length}; window holds ${window.length}`,
    );
  return outside.length === 0;
}

/** Whether the published rows are the expected ones; prints the first differences when not. */
function same(published: Change[], expected: Change[]): boolean {
  const key = (c: Change) => JSON.stringify([c.id, c.archived, c.firstname]);
  const want = new Set(expected.map(key));
  const got = new Set(published.map(key));
  const missing = [...want].filter((k) => !got.has(k));
  const extra = [...got].filter((k) => !want.has(k));
  if (missing.length || extra.length || published.length !== expected.length)
    console.log(
      `  differs: ${missing.length} missing, e.g. ${missing.slice(0, 3).join(' ')}; ${extra.length} extra, e.g. ${extra.slice(0, 3).join(' ')}`,
    );
  return missing.length === 0 && extra.length === 0 && published.length === expected.length;
}

async function main(): Promise<void> {
  const sim = await startSimulatorProcess({
    seed: 5,
    scale: SETTINGS.contacts + SETTINGS.archived,
    customProperties: { contacts: SETTINGS.properties - BUILT_IN_PROPERTIES },
    rateLimit: LIMITS,
    archivedAtLeast: { contacts: SETTINGS.archived },
    objects: ['contacts'],
  });
  const { info } = sim;
  const folder = await mkdtemp(path.join(os.tmpdir(), 'bench-incremental-'));
  const rss = peakRssSampler();
  try {
    const { live, archived, properties } = info.objects.contacts;
    console.log(`portal: ${live} live contacts, ${archived} archived, ${properties.length} properties`);
    const runtime = await createSyncRuntime({
      keyProvider: staticKeyProvider(info.serviceKey, 'bench key'),
      location: folder,
      baseUrl: info.url,
      log: { info: () => undefined, warn: (message) => process.stderr.write(`warning: ${message}\n`) },
      settings: { lookbackMs: LOOKBACK_MS },
    });
    // The set-up archivals age past the lookback too: the portal's archived records are old ones.
    await sleep(LOOKBACK_MS + 1_000);
    const full = await run(runtime, info, 'full');
    console.log(`full run: ${full.requests} requests, ${full.seconds.toFixed(0)} s`);
    const liveIds = info.ids.contacts.slice(0, live);

    const expected = await change(info, liveIds, 1, { updated: 0.01, created: 0.001, archived: 0.001 });
    const incremental = await run(runtime, info, 'incremental');
    const sets = await changeSets(runtime, sim, folder);
    const exact = same(sets.published, sets.expected) && covers(sets.expected, expected);
    const ratio = incremental.requests / full.requests;
    console.log(
      `incremental run (1 % changed, 0.1 % created, 0.1 % archived): ${incremental.requests} requests ` +
        `(${incremental.archivedList} listing archived records), ratio ${ratio.toFixed(4)}, ${expected.length} changes, exact ${exact}`,
    );
    console.log(`  by route: ${JSON.stringify(incremental.byRoute)}`);

    const quietExpected = await change(info, liveIds, 2, { updated: 0.01, created: 0.001, archived: 0 });
    const quiet = await run(runtime, info, 'incremental');
    const quietSets = await changeSets(runtime, sim, folder, sets.until);
    const quietExact = same(quietSets.published, quietSets.expected) && covers(quietSets.expected, quietExpected);
    const quietRatio = quiet.requests / full.requests;
    console.log(
      `incremental run (1 % changed, 0.1 % created, none archived): ${quiet.requests} requests ` +
        `(${quiet.archivedList} listing archived records), ratio ${quietRatio.toFixed(4)}, exact ${quietExact}`,
    );
    console.log(`  by route: ${JSON.stringify(quiet.byRoute)}`);

    // An hour later, the daily compact run: a snapshot built from the full run's and the two change sets, plus its
    // own change set of that hour's changes.
    const lastHour = await change(info, liveIds, 3, { updated: 0.01, created: 0.001, archived: 0 });
    const rssBeforeBuild = rss.peakMiB();
    rss.reset();
    const built = await run(runtime, info, 'compact');
    const builtPeakRssMiB = rss.peakMiB();
    const builtRunId = (await readLatest(runtime.deps.target, { kind: 'snapshot', object: 'contacts' }))?.runId ?? '';
    const builtExact = await builtMatches(sim, folder, builtRunId, [...expected, ...quietExpected, ...lastHour]);
    const builtRatio = built.requests / full.requests;
    console.log(
      `built snapshot: ${built.requests} requests, ratio ${builtRatio.toFixed(4)}, ${built.seconds.toFixed(0)} s, ` +
        `peak RSS ${builtPeakRssMiB} MiB, exact ${builtExact}`,
    );
    console.log(`  by route: ${JSON.stringify(built.byRoute)}`);
    await runtime.close();
    const result = {
      records: live + archived,
      properties: properties.length,
      fullRequests: full.requests,
      incrementalRequests: incremental.requests,
      ratio: Number(ratio.toFixed(4)),
      exact,
      archivedListRequests: incremental.archivedList,
      quiet: {
        incrementalRequests: quiet.requests,
        ratio: Number(quietRatio.toFixed(4)),
        exact: quietExact,
        archivedListRequests: quiet.archivedList,
      },
      builtRequests: built.requests,
      builtRatio: Number(builtRatio.toFixed(4)),
      builtExact,
      builtPeakRssMiB,
      builtSeconds: Math.round(built.seconds),
      targetRatio: TARGET_RATIO,
      peakRssMiB: Math.max(rssBeforeBuild, rss.stop()),
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    await sim.stop();
    await rm(folder, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
