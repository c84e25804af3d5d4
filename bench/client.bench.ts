/**
 * HubSpot client benchmark against the simulator (run in a child process so its CPU does not distort the client's clock).
 *
 *   npx tsx bench/client.bench.ts [--contacts N] [--max N] [--window MS] [--compare N] [--props N]
 *
 * --props N pages only the first N properties (a quick check of the budget alone: with all 622 properties a
 * 100-record batch read is ~3 MB and the simulator's CPU, not the budget, sets the pace on a small machine).
 *
 * (0) strategy comparison on the first --compare contacts: list with property chunks vs list ids + batch read,
 *     in requests per 1,000 records;
 * (1) one worker pages all contacts with all properties via listRecords: ratio = achieved requests/s / ceiling, 429s;
 * (2) three workers (three RateBudget + HubSpotClient pairs in this process, one key) each page a third, split by
 *     id with `after`: combined ratio and 429 rate.
 * Ends with `RESULT {"ratio","ratio3","rate429","requestsPer1k"}`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { HubSpotClient, RateBudget, listRecords, staticKeyProvider, type ListStrategy } from '../lib/hubspot';
import { compareIds } from '../lib/hubspot/search-records';

interface SimInfo {
  url: string;
  serviceKey: string;
  properties: string[];
}

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);

const SETTINGS = {
  contacts: Number(args.get('contacts') ?? 50_000),
  maxPerWindow: Number(args.get('max') ?? 50),
  // 50 per 10 s: with all 622 properties a batch read is ~3 MB, and at 50 per 1 s the simulator's CPU (2 cores)
  // sets the pace, not the budget; --props 30 --window 1000 checks the budget at the faster window.
  windowMs: Number(args.get('window') ?? 10_000),
  compareRecords: Number(args.get('compare') ?? 1000),
  props: args.has('props') ? Number(args.get('props')) : undefined,
} as const;

/** Child mode: serve the simulator, answer with its URL, key and contact property names. */
async function serveSimulator(): Promise<void> {
  const { startSimulator } = await import('../sim');
  const sim = await startSimulator({
    seed: 7,
    scale: Number(process.env.BENCH_CONTACTS),
    rateLimit: {
      maxPerWindow: Number(process.env.BENCH_MAX),
      windowMs: Number(process.env.BENCH_WINDOW),
      daily: 10_000_000,
    },
  });
  const info: SimInfo = {
    url: sim.url,
    serviceKey: sim.serviceKey,
    properties: sim.oracle
      .properties('contacts')
      .map((p) => p.name)
      .slice(0, Number(process.env.BENCH_PROPS) || undefined),
  };
  process.send?.(info);
  process.on('message', (message) => {
    if (message === 'stop') void sim.close().then(() => process.exit(0));
  });
}

function startSimulatorProcess(): Promise<{ child: ChildProcess; info: SimInfo }> {
  const child = fork(__filename, ['--serve-sim', '1'], {
    env: {
      ...process.env,
      BENCH_CONTACTS: String(SETTINGS.contacts),
      BENCH_MAX: String(SETTINGS.maxPerWindow),
      BENCH_WINDOW: String(SETTINGS.windowMs),
      BENCH_PROPS: String(SETTINGS.props ?? ''),
    },
  });
  return new Promise((resolve, reject) => {
    child.once('message', (info) => resolve({ child, info: info as SimInfo }));
    child.once('exit', (code) => reject(new Error(`simulator process exited with ${code}`)));
  });
}

function makeClient(info: SimInfo): HubSpotClient {
  return new HubSpotClient({
    baseUrl: info.url,
    keyProvider: staticKeyProvider(info.serviceKey, 'bench key'),
    budget: new RateBudget({ maxPerWindow: SETTINGS.maxPerWindow, windowMs: SETTINGS.windowMs, dailyReserve: 0 }),
  });
}

interface Run {
  records: number;
  requests: number;
  rateLimited: number;
  seconds: number;
  ids: string[];
}

/** Pages contacts from `after` until `stopBefore` (exclusive) or `maxRecords`. */
async function page(
  client: HubSpotClient,
  info: SimInfo,
  options: { after?: string; stopBefore?: string; maxRecords?: number; strategy?: ListStrategy; keepIds?: boolean },
): Promise<Omit<Run, 'seconds'>> {
  const ids: string[] = [];
  let records = 0;
  outer: for await (const result of listRecords(client, {
    objectType: 'contacts',
    properties: info.properties,
    after: options.after,
    strategy: options.strategy,
  })) {
    for (const record of result.records) {
      if (options.stopBefore !== undefined && compareIds(record.id, options.stopBefore) >= 0) break outer;
      records += 1;
      if (options.keepIds) ids.push(record.id);
    }
    if (options.maxRecords !== undefined && records >= options.maxRecords) break;
  }
  return { records, requests: client.stats.requests, rateLimited: client.stats.rateLimited, ids };
}

const ceilingPerSecond = () => (SETTINGS.maxPerWindow * 1000) / SETTINGS.windowMs;
const round = (value: number, digits = 3) => Number(value.toFixed(digits));

async function main(): Promise<void> {
  const { child, info } = await startSimulatorProcess();
  console.log(
    `simulator: ${SETTINGS.contacts} contacts x ${info.properties.length} properties; ` +
      `window ${SETTINGS.maxPerWindow} per ${SETTINGS.windowMs} ms (ceiling ${ceilingPerSecond()}/s)`,
  );
  try {
    // (0) strategy comparison, in requests per 1,000 records. Pauses let the window drain between phases.
    const perThousand: Record<string, number> = {};
    for (const strategy of ['chunks', 'ids-then-batch'] as const) {
      const client = makeClient(info);
      const run = await page(client, info, { strategy, maxRecords: SETTINGS.compareRecords });
      perThousand[strategy] = round((run.requests / run.records) * 1000, 1);
      await client.close();
      await new Promise((resolve) => setTimeout(resolve, SETTINGS.windowMs * 1.1));
    }
    console.log(`(0) requests per 1,000 contacts: ${JSON.stringify(perThousand)}`);

    // (1) one worker, all contacts.
    const single = makeClient(info);
    let started = Date.now();
    const one = await page(single, info, { keepIds: true });
    const oneSeconds = (Date.now() - started) / 1000;
    await single.close();
    const ratio = one.requests / oneSeconds / ceilingPerSecond();
    const requestsPer1k = (one.requests / one.records) * 1000;
    console.log(
      `(1) one worker: ${one.records} records, ${one.requests} requests in ${oneSeconds.toFixed(1)} s = ` +
        `${(one.requests / oneSeconds).toFixed(2)}/s, ratio ${ratio.toFixed(3)}, 429s ${one.rateLimited}, ` +
        `${requestsPer1k.toFixed(1)} requests per 1,000 records`,
    );
    await new Promise((resolve) => setTimeout(resolve, SETTINGS.windowMs * 1.1));

    // (2) three workers, one key, split by id range (cursor = first id of the range).
    const ids = one.ids;
    const bounds = [0, 1, 2, 3].map((k) => (k === 0 || k === 3 ? undefined : ids[Math.floor((ids.length * k) / 3)]));
    const clients = [0, 1, 2].map(() => makeClient(info));
    started = Date.now();
    const runs = await Promise.all(
      clients.map((client, k) => page(client, info, { after: bounds[k], stopBefore: bounds[k + 1] })),
    );
    const threeSeconds = (Date.now() - started) / 1000;
    await Promise.all(clients.map((c) => c.close()));
    const requests3 = runs.reduce((sum, r) => sum + r.requests, 0);
    const limited3 = runs.reduce((sum, r) => sum + r.rateLimited, 0);
    const records3 = runs.reduce((sum, r) => sum + r.records, 0);
    const ratio3 = requests3 / threeSeconds / ceilingPerSecond();
    const rate429 = limited3 / requests3;
    console.log(
      `(2) three workers: ${records3} records (${runs.map((r) => r.records).join(' + ')}), ${requests3} requests in ` +
        `${threeSeconds.toFixed(1)} s, combined ratio ${ratio3.toFixed(3)}, 429s ${limited3} (${(rate429 * 100).toFixed(2)} %)`,
    );
    console.log(
      `RESULT ${JSON.stringify({ ratio: round(ratio), ratio3: round(ratio3), rate429: round(rate429, 4), requestsPer1k: round(requestsPer1k, 1) })}`,
    );
  } finally {
    child.send('stop');
  }
}

if (process.argv.includes('--serve-sim')) void serveSimulator();
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
