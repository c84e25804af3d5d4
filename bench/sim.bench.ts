/**
 * Simulator throughput: start it at 1,000,000 contacts and page contacts at limit=100 with every property
 * requested, as the client does: the names are split into URL chunks (lib/hubspot/property-chunks), so one
 * complete 100-record page costs one request per chunk. HubSpot's rate limits count requests, so the ratio to the
 * fastest limit (250 requests per 10 s = 25 req/s) is computed on requests/s; complete pages/s is reported too.
 * The simulator runs in a child process (its own core and its own RSS); the client only counts bytes and reads
 * the cursor from each body's tail.
 * Run: npx tsx bench/sim.bench.ts [seconds] [contacts]
 */
import { fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { Pool } from 'undici';
import { chunkProperties } from '../lib/hubspot/property-chunks';
import { startSimulator } from '../sim';

const FASTEST_LIMIT_REQUESTS_PER_SECOND = 250 / 10;
const CONNECTIONS = 8;
const PAGE_LIMIT = 100;
const TAIL_BYTES = 400;

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
    if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
    if (message === 'stop') void sim.close().then(() => process.exit(0));
  });
}

/** Reads a body to its end; returns its size and last bytes (no concatenation of the whole body). */
async function drain(body: AsyncIterable<Buffer>): Promise<{ bytes: number; tail: string }> {
  let bytes = 0;
  let last: Buffer = Buffer.alloc(0);
  let before: Buffer = Buffer.alloc(0);
  for await (const part of body) {
    bytes += part.length;
    before = last;
    last = part;
  }
  const tail = last.length >= TAIL_BYTES ? last : Buffer.concat([before, last]);
  return { bytes, tail: tail.subarray(-TAIL_BYTES).toString('latin1') };
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 20);
  const contacts = Number(process.argv[3] ?? 1_000_000);
  const child = fork(__filename, ['--serve', String(contacts)], { execArgv: process.execArgv });
  let peakRss = 0;
  const ready = await new Promise<ChildReady>((resolve) => {
    child.on('message', (message: { ready?: ChildReady; rss?: number; cpu?: NodeJS.CpuUsage }) => {
      if (message.ready) resolve(message.ready);
      if (message.rss !== undefined) peakRss = Math.max(peakRss, message.rss);
      if (message.cpu) cpuWaiters.shift()?.(message.cpu);
    });
  });
  const cpuWaiters: ((cpu: NodeJS.CpuUsage) => void)[] = [];
  /** CPU seconds the simulator process has used so far (all its threads). */
  const simCpuSeconds = () =>
    new Promise<number>((resolve) => {
      cpuWaiters.push((cpu) => resolve((cpu.user + cpu.system) / 1e6));
      child.send('cpu');
    });
  const { startupSeconds, names } = ready;
  peakRss = ready.rss;
  console.log(
    `startup: ${startupSeconds.toFixed(2)} s for ${contacts} contacts, RSS after startup ${ready.rss.toFixed(0)} MiB`,
  );
  const chunks = chunkProperties(names).map((chunk) => chunk.join(','));
  console.log(
    `${names.length} contact properties in ${chunks.length} URL chunks: 1 complete page = ${chunks.length} requests`,
  );
  const pool = new Pool(ready.url, { connections: CONNECTIONS, pipelining: 1 });
  const auth = { authorization: `Bearer ${ready.serviceKey}` };
  let requests = 0;
  let completePages = 0;
  let bytes = 0;
  const get = async (path: string) => {
    const res = await pool.request({ method: 'GET', path, headers: auth });
    const body = await drain(res.body as AsyncIterable<Buffer>);
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}: ${body.tail}`);
    requests++;
    bytes += body.bytes;
    return body.tail;
  };
  const sampler = setInterval(() => child.send('rss'), 200);
  const deadline = performance.now() + seconds * 1000;
  // Each worker pages its own stretch of ids; a page is complete once every chunk of it has been fetched.
  const worker = async (n: number) => {
    let after: string | undefined = String(1000 + Math.floor((n * contacts * 6) / CONNECTIONS));
    while (performance.now() < deadline) {
      const cursor = after ? `&after=${after}` : '';
      let next: string | undefined;
      for (const [c, chunk] of chunks.entries()) {
        const tail = await get(`/crm/v3/objects/contacts?limit=${PAGE_LIMIT}&properties=${chunk}${cursor}`);
        if (c === 0) next = /"after":"(\d+)"/.exec(tail)?.[1];
      }
      completePages++;
      after = next;
    }
  };
  const loadBefore = loadavg()[0];
  const cpuBefore = await simCpuSeconds();
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, n) => worker(n)));
  const elapsed = (performance.now() - started) / 1000;
  const simCpu = (await simCpuSeconds()) - cpuBefore;
  const loadAfter = loadavg()[0];
  clearInterval(sampler);
  await pool.close();
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  const requestsPerSecond = requests / elapsed;
  const pagesPerSecond = completePages / elapsed;
  const ratio = requestsPerSecond / FASTEST_LIMIT_REQUESTS_PER_SECOND;
  // What one dedicated core would serve: independent of other load on the machine (the wall figure is not).
  const requestsPerSimCpuSecond = requests / simCpu;
  console.log(
    `requests/s: ${requestsPerSecond.toFixed(1)} (100 records x ~${Math.round(names.length / chunks.length)} properties each, ` +
      `${(bytes / requests / 2 ** 20).toFixed(2)} MiB avg)  MiB/s: ${(bytes / elapsed / 2 ** 20).toFixed(1)}`,
  );
  console.log(
    `complete pages/s: ${pagesPerSecond.toFixed(1)} (100 records x ${names.length} properties)  ` +
      `records/s: ${(pagesPerSecond * PAGE_LIMIT).toFixed(0)}`,
  );
  console.log(
    `peak RSS: ${peakRss.toFixed(0)} MiB; requests/s vs fastest HubSpot limit (25 req/s): ${ratio.toFixed(2)}x ` +
      `(complete pages/s vs 25/${chunks.length} pages/s at that limit: same ratio)`,
  );
  console.log(
    `simulator CPU: ${((simCpu / elapsed) * 100).toFixed(0)}% of one core; ${((simCpu / requests) * 1000).toFixed(2)} ms per request ` +
      `= ${requestsPerSimCpuSecond.toFixed(1)} requests per CPU-second ` +
      `(${(requestsPerSimCpuSecond / FASTEST_LIMIT_REQUESTS_PER_SECOND).toFixed(2)}x 25 req/s); ` +
      `load average ${loadBefore.toFixed(2)} -> ${loadAfter.toFixed(2)} on ${cpus().length} CPUs`,
  );
  console.log(
    `RESULT ${JSON.stringify({
      requestsPerSecond: Number(requestsPerSecond.toFixed(1)),
      pagesPerSecond: Number(pagesPerSecond.toFixed(1)),
      requestsPerPage: chunks.length,
      ratioToFastestLimit: Number(ratio.toFixed(2)),
      ratioBasis: 'requests/s vs 25 req/s',
      requestsPerSimCpuSecond: Number(requestsPerSimCpuSecond.toFixed(1)),
      loadAverage: Number(loadBefore.toFixed(2)),
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
