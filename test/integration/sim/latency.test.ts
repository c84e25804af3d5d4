import { startSimulator, SimulatorSettingError, type Simulator } from '../../../sim';
import { PAGE_BUFFER_POOL } from '../../../sim/data/buffer-pool';
import { createRandom } from '../../../sim/data/hash';
import { call } from './sim-http';

const LIST = '/crm/v3/objects/contacts';
const FAST = { maxPerWindow: 100_000, searchPerSecond: 100_000 };

/** Sends one call and measures how long its answer took. */
async function timed(url: string, key: string | undefined, options: Parameters<typeof call>[2] = {}) {
  const started = performance.now();
  const res = await call(url, key, options);
  return { res, ms: performance.now() - started, bytes: Number(res.headers['content-length']) };
}

describe('Simulator: latency model', () => {
  it('delays each answer by base + perKb x KB, exactly so without jitter', async () => {
    const sim = await startSimulator({ rateLimit: FAST, latency: { baseMs: 30, perKbMs: 1 } });
    try {
      const calls = [];
      for (const limit of [1, 50, 100]) calls.push(await timed(`${sim.url}${LIST}?limit=${limit}`, sim.serviceKey));
      const expected = calls.map((c) => 30 + c.bytes / 1024);
      expect(sim.log.entries().map((e) => e.latencyMs)).toEqual(expected);
      for (const [n, c] of calls.entries()) expect(c.ms).toBeGreaterThanOrEqual(expected[n] - 1);
      expect(calls.map((c) => c.bytes > 1024)).toEqual([false, true, true]);
    } finally {
      await sim.close();
    }
  });

  it('draws one seeded jitter factor per call, uniform in [1 - j, 1 + j], the same for the same seed', async () => {
    const run = async (seed: number) => {
      const sim = await startSimulator({ seed, rateLimit: FAST, latency: { baseMs: 20, perKbMs: 2, jitter: 0.5 } });
      try {
        const bytes: number[] = [];
        for (let n = 0; n < 6; n++)
          bytes.push((await timed(`${sim.url}${LIST}?limit=${1 + n * 10}`, sim.serviceKey)).bytes);
        return sim.log.entries().map((e, n) => (e.latencyMs as number) / (20 + (2 * bytes[n]) / 1024));
      } finally {
        await sim.close();
      }
    };
    const random = createRandom(7 ^ 0x1a7e);
    const expected = Array.from({ length: 6 }, () => 0.5 + random());
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(a.map((f) => f.toFixed(9))).toEqual(expected.map((f) => f.toFixed(9)));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(a.every((f) => f >= 0.5 && f <= 1.5)).toBe(true);
  });

  it('adds no delay by default and never delays admin calls', async () => {
    const sim = await startSimulator({ rateLimit: FAST });
    try {
      await call(`${sim.url}${LIST}?limit=1`, sim.serviceKey);
      expect(sim.log.entries().map((e) => 'latencyMs' in e)).toEqual([false]);
      sim.latency.set({ baseMs: 5_000 });
      const admin = await timed(`${sim.url}/_sim/latency`, undefined);
      expect([admin.res.status, admin.res.json, admin.ms < 1_000]).toEqual([
        200,
        { baseMs: 5_000, perKbMs: 0, jitter: 0 },
        true,
      ]);
    } finally {
      await sim.close();
    }
  });

  it('changes mid-run through POST /_sim/latency, keeping the fields not given', async () => {
    const sim = await startSimulator({ rateLimit: FAST, latency: { baseMs: 10, jitter: 0.2 } });
    try {
      const raised = await call(`${sim.url}/_sim/latency`, undefined, { body: { baseMs: 120, perKbMs: 0.5 } });
      const slow = await timed(`${sim.url}${LIST}?limit=1`, sim.serviceKey);
      const lowered = await call(`${sim.url}/_sim/latency`, undefined, { body: { baseMs: 0, perKbMs: 0, jitter: 0 } });
      await call(`${sim.url}${LIST}?limit=1`, sim.serviceKey);
      expect([raised.json, lowered.json]).toEqual([
        { baseMs: 120, perKbMs: 0.5, jitter: 0.2 },
        { baseMs: 0, perKbMs: 0, jitter: 0 },
      ]);
      const [first, second] = sim.log.entries();
      expect([first.latencyMs! >= 0.8 * 120, slow.ms >= first.latencyMs! - 1, 'latencyMs' in second]).toEqual([
        true,
        true,
        false,
      ]);
    } finally {
      await sim.close();
    }
  });

  it.each([
    [{ jitter: 1.5 }, 'latency.jitter must be a number from 0 to 1, got 1.5'],
    [{ baseMs: -1 }, 'latency.baseMs must be a number from 0 to 600000, got -1'],
    [{ perKbMs: '0.3' }, 'latency.perKbMs must be a number from 0 to 60000, got "0.3"'],
    [{ baseMS: 100 }, 'Unknown latency setting baseMS: use baseMs, perKbMs, jitter'],
  ])('refuses %j naming the bad value, in options and over HTTP', async (latency, message) => {
    await expect(startSimulator({ latency: latency as object })).rejects.toThrow(new SimulatorSettingError(message));
    const sim = await startSimulator();
    try {
      const res = await call(`${sim.url}/_sim/latency`, undefined, { body: latency });
      expect([res.status, res.json]).toEqual([400, { status: 'error', message }]);
      expect(sim.latency.get()).toEqual({ baseMs: 0, perKbMs: 0, jitter: 0 });
    } finally {
      await sim.close();
    }
  });
});

describe('Simulator: many answers delayed at once', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ rateLimit: { maxPerWindow: 5, windowMs: 60_000 }, latency: { baseMs: 300 } });
  });
  afterAll(() => sim.close());

  it('counts requests on arrival and lets delayed answers overlap', async () => {
    const key = sim.keys.create();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 8 }, () => call(`${sim.url}/crm/v3/owners?limit=1`, key)));
    const elapsed = Date.now() - started;
    const remaining = results.filter((r) => r.status === 200).map((r) => r.headers['x-hubspot-ratelimit-remaining']);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(remaining.sort()).toEqual(['0', '1', '2', '3', '4']);
    // Eight answers of 300 ms each, overlapping: far less than the 2.4 s they would take one after another.
    expect([elapsed >= 295, elapsed < 1_500]).toEqual([true, true]);
    const arrivals = sim.log.entries().map((e) => e.at - started);
    expect(arrivals.every((at) => at < 250)).toBe(true);
  });

  it('gives pooled page buffers back before the wait, so delayed pages allocate none', async () => {
    const wide = await startSimulator({ rateLimit: FAST, latency: { baseMs: 200 } });
    try {
      const names = wide.oracle
        .properties('contacts')
        .map((p) => p.name)
        .slice(0, 200)
        .join(',');
      const page = (after: string) =>
        call(`${wide.url}${LIST}?limit=100&after=${after}&properties=${names}`, wide.serviceKey);
      await page('0');
      const before = PAGE_BUFFER_POOL.allocated;
      const ids = wide.oracle.records('contacts').map((r) => r.id);
      const afters = ids.filter((_, n) => n % 10 === 0).slice(0, 20);
      const pages = await Promise.all(afters.map((after) => page(after)));
      expect(PAGE_BUFFER_POOL.allocated - before).toBe(0);
      // Each body is still exactly its own page.
      expect(pages.map((p) => p.json.results[0].id)).toEqual(afters);
      expect(pages.map((p) => p.json.results.length)).toEqual(
        afters.map((after) => Math.min(100, ids.length - ids.indexOf(after))),
      );
    } finally {
      await wide.close();
    }
  });
});
