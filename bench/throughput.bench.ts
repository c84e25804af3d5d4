/**
 * Throughput of a full export through the engine, as the CLI runs it, against the simulator at HubSpot's limits
 * (190 requests / 10 s, search 5/s) under latency profiles.
 *
 *   npm run bench:throughput [-- --contacts 100000 --narrow 100000 --profiles 0,100,500+0.3,1500]
 *
 * The portal: contacts (622 properties: ids, then batch reads), emails and notes (34 properties: whole pages),
 * companies and deals at the demo ratios. The simulator runs in a child process (its CPU is not the engine's), so
 * the peak RSS is the engine's own. Per profile it prints records/s, the ten-second lane's requests/s as a share of
 * its ceiling, search requests/s against 5/s, 429s, requests used next to the fewest the list endpoints alone
 * need, peak RSS, and records lost or duplicated against the simulator's ids (every id exported once, none extra).
 * `recordsPerSecVsListOnly` is the records per second achieved over what list and batch reads alone could reach at
 * 100 % of the ten-second ceiling for the same portal. Ends with one line `RESULT {...}`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chooseListStrategy, staticKeyProvider } from '../lib/hubspot';
import { openDuckDb } from '../lib/parquet';
import { createSyncRuntime } from '../lib/sync/create-deps';
import { runLocally } from '../lib/sync/local-driver';
import { parseRunInput } from '../lib/sync/run-input';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);

const OBJECTS = ['contacts', 'emails', 'notes', 'companies', 'deals'];
const LIMITS = { maxPerWindow: 190, windowMs: 10_000, searchPerSecond: 5, daily: 10_000_000 } as const;
const CEILING_PER_SECOND = LIMITS.maxPerWindow / (LIMITS.windowMs / 1000);
const SETTINGS = {
  contacts: Number(args.get('contacts') ?? 100_000),
  narrow: Number(args.get('narrow') ?? 100_000),
  profiles: (args.get('profiles') ?? '0,100,500+0.3,1500').split(','),
} as const;

interface Latency {
  baseMs: number;
  perKbMs: number;
  jitter: number;
}

/** `500+0.3`: 500 ms per call plus 0.3 ms per KB of response, ±25 % jitter (none at 0). */
function parseProfile(text: string): Latency {
  const [base, perKb] = text.split('+').map(Number);
  return { baseMs: base, perKbMs: perKb ?? 0, jitter: base > 0 ? 0.25 : 0 };
}

interface SimInfo {
  url: string;
  serviceKey: string;
  /** Ids the export must hold, per object (live and archived). */
  ids: Record<string, string[]>;
  /** Live and archived counts, and property names, per object. */
  objects: Record<string, { live: number; archived: number; properties: string[] }>;
}

interface LogEntry {
  route: string;
  status: number;
  at: number;
}

/** Child mode: serve the simulator; answer with its URL, key and the ids an export must hold. */
async function serveSimulator(): Promise<void> {
  const { startSimulator } = await import('../sim');
  const latency = JSON.parse(process.env.BENCH_LATENCY ?? '{}') as Latency;
  const sim = await startSimulator({
    seed: 11,
    scale: Number(process.env.BENCH_CONTACTS),
    counts: { emails: Number(process.env.BENCH_NARROW), notes: Number(process.env.BENCH_NARROW) },
    rateLimit: LIMITS,
    latency,
  });
  const ids: SimInfo['ids'] = {};
  const objects: SimInfo['objects'] = {};
  for (const object of OBJECTS) {
    const live = sim.oracle.ids(object);
    const archived = sim.oracle.ids(object, { archived: true });
    ids[object] = [...live, ...archived];
    const properties = sim.oracle.properties(object).map((p) => p.name);
    objects[object] = { live: live.length, archived: archived.length, properties };
  }
  process.send?.({ url: sim.url, serviceKey: sim.serviceKey, ids, objects } satisfies SimInfo);
  process.on('message', (message) => {
    if (message === 'stop') void sim.close().then(() => process.exit(0));
  });
}

function startSimulatorProcess(latency: Latency): Promise<{ child: ChildProcess; info: SimInfo }> {
  const child = fork(__filename, ['--serve-sim', '1'], {
    env: {
      ...process.env,
      BENCH_CONTACTS: String(SETTINGS.contacts),
      BENCH_NARROW: String(SETTINGS.narrow),
      BENCH_LATENCY: JSON.stringify(latency),
    },
    execArgv: [...process.execArgv, '--max-old-space-size=8192'],
  });
  // HubSpot answers from its own machines: the simulator's process goes first on this machine's two cores, so the
  // engine's CPU (JSON, spooling, DuckDB) does not slow HubSpot's answers down.
  if (child.pid !== undefined) os.setPriority(child.pid, -10);
  return new Promise((resolve, reject) => {
    child.once('message', (info) => resolve({ child, info: info as SimInfo }));
    child.once('exit', (code) => reject(new Error(`simulator process exited with ${code}`)));
  });
}

/** The fewest standard requests list and batch reads need: a page of 100 per call, twice for wide objects. */
function fewestListRequests(info: SimInfo): number {
  return OBJECTS.reduce((sum, object) => {
    const { live, archived, properties } = info.objects[object];
    const perPage = chooseListStrategy(properties) === 'chunks' ? 1 : 2;
    return sum + (Math.max(1, Math.ceil(live / 100)) + Math.max(1, Math.ceil(archived / 100))) * perPage;
  }, 0);
}

/** Exported ids per object: how many expected ones are missing, and how many appear more than once. */
async function compareIds(folder: string, info: SimInfo): Promise<{ lost: number; duplicated: number; rows: number }> {
  const db = await openDuckDb();
  let lost = 0;
  let duplicated = 0;
  let rows = 0;
  try {
    for (const object of OBJECTS) {
      const parts = path.join(folder, 'snapshots', object, '*', '*', '*.parquet');
      const exported = await db.query<{ id: string; n: number }>(
        `SELECT id, count(*)::INTEGER AS n FROM read_parquet('${parts}') GROUP BY id`,
      );
      const seen = new Map(exported.map((r) => [r.id, Number(r.n)]));
      rows += exported.reduce((sum, r) => sum + Number(r.n), 0);
      for (const id of info.ids[object]) if (!seen.has(id)) lost += 1;
      for (const n of seen.values()) if (n > 1) duplicated += n - 1;
      const expected = new Set(info.ids[object]);
      for (const id of seen.keys()) if (!expected.has(id)) duplicated += 1;
    }
  } finally {
    await db.close();
  }
  return { lost, duplicated, rows };
}

async function runProfile(profile: string) {
  const latency = parseProfile(profile);
  const { child, info } = await startSimulatorProcess(latency);
  const folder = await mkdtemp(path.join(os.tmpdir(), 'bench-throughput-'));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    const runtime = await createSyncRuntime({
      keyProvider: staticKeyProvider(info.serviceKey, 'bench key'),
      location: folder,
      baseUrl: info.url,
      log: { info: () => undefined, warn: (message) => process.stderr.write(`warning: ${message}\n`) },
    });
    const started = Date.now();
    const result = await runLocally(runtime.deps, parseRunInput({ mode: 'full', objects: OBJECTS }), {
      concurrency: 4,
      depsFor: () => ({ ...runtime.deps, client: runtime.newClient() }),
    });
    const seconds = (Date.now() - started) / 1000;
    await runtime.close();
    const failed = result.outcomes.filter((o) => o.status !== 'completed');
    if (failed.length) throw new Error(`export failed: ${failed.map((o) => `${o.dataset}: ${o.reason}`).join('; ')}`);
    const log = (await (await fetch(`${info.url}/_sim/log`)).json()) as { entries: LogEntry[] };
    const api = log.entries;
    const first = Math.min(...api.map((e) => e.at));
    const last = Math.max(...api.map((e) => e.at));
    const span = Math.max(1, (last - first) / 1000);
    const search = api.filter((e) => e.route.endsWith('/search')).length;
    const exempt = api.filter((e) => e.route.includes('associations')).length;
    const standard = api.length - search - exempt;
    const checked = await compareIds(folder, info);
    const fewest = fewestListRequests(info);
    const recordsPerSec = checked.rows / span;
    const listOnlyPerSec = (checked.rows / fewest) * CEILING_PER_SECOND;
    return {
      profile,
      seconds: Number(seconds.toFixed(1)),
      records: checked.rows,
      recordsPerSec: Math.round(recordsPerSec),
      ceilingRatio: Number((standard / span / CEILING_PER_SECOND).toFixed(3)),
      searchPerSec: Number((search / span).toFixed(2)),
      count429: api.filter((e) => e.status === 429).length,
      standard429: api.filter((e) => e.status === 429 && !e.route.endsWith('/search')).length,
      requests: api.length,
      standardRequests: standard,
      searchRequests: search,
      associationRequests: exempt,
      fewestListRequests: fewest,
      recordsPerSecVsListOnly: Number((recordsPerSec / listOnlyPerSec).toFixed(3)),
      peakRssMiB: Math.round(peakRss / 2 ** 20),
      lost: checked.lost,
      duplicated: checked.duplicated,
    };
  } finally {
    clearInterval(sampler);
    child.send('stop');
    await rm(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--serve-sim')) return serveSimulator();
  const profiles = [];
  for (const profile of SETTINGS.profiles) {
    const figures = await runProfile(profile);
    profiles.push(figures);
    console.log(
      `latency ${profile.padEnd(8)} ${figures.seconds} s, ${figures.recordsPerSec} rec/s, ` +
        `10-s lane ${(figures.ceilingRatio * 100).toFixed(1)} % of ceiling, search ${figures.searchPerSec}/s, ` +
        `429s ${figures.count429} (${figures.standard429} in the 10-s lane), requests ${figures.standardRequests} standard + ${figures.searchRequests} search + ` +
        `${figures.associationRequests} associations (list-only fewest ${figures.fewestListRequests}), ` +
        `vs list-only ${figures.recordsPerSecVsListOnly}x, peak RSS ${figures.peakRssMiB} MiB, ` +
        `lost ${figures.lost}, duplicated ${figures.duplicated}`,
    );
  }
  const result = {
    profiles,
    worstCeilingRatio: Math.min(...profiles.map((p) => p.ceilingRatio)),
    recordsPerSecVsListOnly: Math.min(...profiles.map((p) => p.recordsPerSecVsListOnly)),
    count429: profiles.reduce((sum, p) => sum + p.count429, 0),
    lost: profiles.reduce((sum, p) => sum + p.lost, 0),
    duplicated: profiles.reduce((sum, p) => sum + p.duplicated, 0),
  };
  console.log(`RESULT ${JSON.stringify(result)}`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
