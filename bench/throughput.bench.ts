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
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chooseListStrategy, staticKeyProvider } from '../lib/hubspot';
import { createSyncRuntime } from '../lib/sync/create-deps';
import { runLocally } from '../lib/sync/local-driver';
import { parseRunInput } from '../lib/sync/run-input';
import { benchArgs, peakRssSampler } from './lib/args';
import { compareIds } from './lib/compare-ids';
import { simLog, startSimulatorProcess, type SimInfo } from './lib/sim-process';

const args = benchArgs();

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

/** The fewest standard requests list and batch reads need: a page of 100 per call, twice for wide objects. */
function fewestListRequests(info: SimInfo): number {
  return OBJECTS.reduce((sum, object) => {
    const { live, archived, properties } = info.objects[object];
    const perPage = chooseListStrategy(properties) === 'chunks' ? 1 : 2;
    return sum + (Math.max(1, Math.ceil(live / 100)) + Math.max(1, Math.ceil(archived / 100))) * perPage;
  }, 0);
}

async function runProfile(profile: string) {
  const latency = parseProfile(profile);
  const sim = await startSimulatorProcess({
    seed: 11,
    scale: SETTINGS.contacts,
    counts: { emails: SETTINGS.narrow, notes: SETTINGS.narrow },
    rateLimit: LIMITS,
    latency,
    objects: OBJECTS,
  });
  const { info } = sim;
  const folder = await mkdtemp(path.join(os.tmpdir(), 'bench-throughput-'));
  const rss = peakRssSampler();
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
    const api = await simLog(info.url);
    const first = Math.min(...api.map((e) => e.at));
    const last = Math.max(...api.map((e) => e.at));
    const span = Math.max(1, (last - first) / 1000);
    const search = api.filter((e) => e.route.endsWith('/search')).length;
    const exempt = api.filter((e) => e.route.includes('associations')).length;
    const standard = api.length - search - exempt;
    const checked = await compareIds(folder, info, OBJECTS);
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
      peakRssMiB: rss.peakMiB(),
      lost: checked.lost,
      duplicated: checked.duplicated,
    };
  } finally {
    rss.stop();
    await sim.stop();
    await rm(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
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
