/**
 * Simulator throughput: start it at 1,000,000 contacts, page contacts at limit=100 with (nearly) every property
 * requested, and compare pages/s with HubSpot's fastest limit (250 requests per 10 s = 25 req/s).
 * The simulator runs in a child process (its own core and its own RSS); the client only counts bytes.
 * Run: npx tsx bench/sim.bench.ts [seconds] [contacts]
 */

interface ChildReady {
  url: string;
  serviceKey: string;
  names: string[];
  startupSeconds: number;
  rss: number;
}

/** Child mode: start the simulator, report, answer RSS queries, exit on 'stop'. */
async function serve(contacts: number): Promise<void> {
  const t0 = performance.now();
  const sim = await startSimulator({ scale: contacts, rateLimit: { maxPerWindow: 1e12, daily: 1e12 } });
  const ready: ChildReady = {
    url: sim.url,
    serviceKey: sim.serviceKey,
    names: sim.oracle.properties('contacts').map((p) => p.name),
    startupSeconds: (performance.now() - t0) / 1000,
    rss: process.memoryUsage().rss / 2 ** 20,
  };
  process.send?.({ ready });
  process.on('message', (message) => {
    if (message === 'rss') process.send?.({ rss: process.memoryUsage().rss / 2 ** 20 });
    if (message === 'stop') void sim.close().then(() => process.exit(0));
  });
}
import { fork } from 'node:child_process';
import { Pool } from 'undici';
import { startSimulator } from '../sim';

const FASTEST_LIMIT_PER_SECOND = 250 / 10;
const URL_BUDGET_CHARS = 15_000;
const CONCURRENCY = 8;

/** Splits property names into comma lists that each fit in the URL budget. */
function chunkNames(names: readonly string[], budget: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const name of names) {
    if (current.length + name.length + 1 > budget && current) {
      chunks.push(current);
      current = '';
    }
    current += (current ? ',' : '') + name;
  }
  if (current) chunks.push(current);
  return chunks;
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 20);
  const contacts = Number(process.argv[3] ?? 1_000_000);
  const child = fork(__filename, ['--serve', String(contacts)], { execArgv: process.execArgv });
  let peakRss = 0;
  const ready = await new Promise<ChildReady>((resolve) => {
    child.on('message', (message: { ready?: ChildReady; rss?: number }) => {
      if (message.ready) resolve(message.ready);
      if (message.rss !== undefined) peakRss = Math.max(peakRss, message.rss);
    });
  });
  const { startupSeconds, names } = ready;
  peakRss = ready.rss;
  console.log(`startup: ${startupSeconds.toFixed(2)} s for ${contacts} contacts, RSS ${ready.rss.toFixed(0)} MiB`);
  const sim = { url: ready.url, serviceKey: ready.serviceKey };
  const chunks = chunkNames(names, URL_BUDGET_CHARS);
  console.log(`${names.length} contact properties in ${chunks.length} URL chunks`);
  const pool = new Pool(sim.url, { connections: CONCURRENCY });
  const auth = { authorization: `Bearer ${sim.serviceKey}` };
  let pages = 0;
  let records = 0;
  let bytes = 0;
  const sampler = setInterval(() => child.send('rss'), 200);
  const deadline = performance.now() + seconds * 1000;
  const worker = async (n: number) => {
    let after: string | undefined = String((n * 7919) % 1000);
    let chunk = n % chunks.length;
    while (performance.now() < deadline) {
      const path = `/crm/v3/objects/contacts?limit=100&properties=${chunks[chunk]}${after ? `&after=${after}` : ''}`;
      const res = await pool.request({ method: 'GET', path, headers: auth });
      // Count bytes and read the cursor from the tail: the bench measures the simulator, not JSON.parse.
      let tail = Buffer.alloc(0);
      for await (const part of res.body) {
        bytes += (part as Buffer).length;
        tail = Buffer.concat([tail, part as Buffer]).subarray(-400);
      }
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}: ${tail.toString()}`);
      pages++;
      records += 100;
      after = /"after":"(\d+)"/.exec(tail.toString())?.[1];
      if (!after) chunk = (chunk + 1) % chunks.length;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, n) => worker(n)));
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(sampler);
  await pool.close();
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  const pagesPerSecond = pages / elapsed;
  const ratio = pagesPerSecond / FASTEST_LIMIT_PER_SECOND;
  console.log(
    `pages/s: ${pagesPerSecond.toFixed(1)}  records/s: ${(records / elapsed).toFixed(0)}  MiB/s: ${(bytes / elapsed / 2 ** 20).toFixed(1)}`,
  );
  console.log(`peak RSS: ${peakRss.toFixed(0)} MiB; ratio to 25 req/s: ${ratio.toFixed(1)}x`);
  console.log(
    `RESULT ${JSON.stringify({
      pagesPerSecond: Number(pagesPerSecond.toFixed(1)),
      ratioToFastestLimit: Number(ratio.toFixed(2)),
      rssMiB1M: Math.round(peakRss),
      startupSeconds: Number(startupSeconds.toFixed(2)),
    })}`,
  );
}

const run = process.argv[2] === '--serve' ? serve(Number(process.argv[3])) : main();
run.catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
