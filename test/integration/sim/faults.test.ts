import { Agent, request } from 'undici';
import { startSimulator, type FaultKind, type Simulator } from '../../../sim';
import { call } from './sim-http';

const PATH = '/crm/v3/objects/contacts';

describe('Simulator: fault injection', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ rateLimit: { maxPerWindow: 10_000 } });
  });
  afterEach(() => sim.faults.clear());
  afterAll(() => sim.close());

  it.each([423, 500, 502, 503, 504, 521, 523, 524] as FaultKind[])('answers %s once, then recovers', async (kind) => {
    sim.log.reset();
    sim.faults.add({ kind, match: { path: PATH }, times: 1 });
    const first = await call(`${sim.url}${PATH}?limit=1`, sim.serviceKey);
    const second = await call(`${sim.url}${PATH}?limit=1`, sim.serviceKey);
    expect([first.status, second.status]).toEqual([kind, 200]);
    expect(sim.log.entries().map((e) => e.fault)).toEqual([kind, undefined]);
    expect(sim.log.counts()).toEqual({
      [`GET /crm/v3/objects/{type} ${kind}`]: 1,
      'GET /crm/v3/objects/{type} 200': 1,
    });
  });

  it('sends a 429 RATE_LIMIT burst with Retry-After', async () => {
    sim.faults.add({ kind: 429, times: 2, retryAfterSeconds: 3 });
    const statuses = [];
    for (let n = 0; n < 3; n++) {
      const res = await call(`${sim.url}${PATH}?limit=1`, sim.serviceKey);
      statuses.push(res.status);
      if (n === 0) {
        expect(res.headers['retry-after']).toBe('3');
        expect(res.json.errorType).toBe('RATE_LIMIT');
      }
    }
    expect(statuses).toEqual([429, 429, 200]);
  });

  it('only hits matching method and path', async () => {
    sim.faults.add({ kind: 503, match: { method: 'POST', path: /\/search$/ } });
    expect((await call(`${sim.url}${PATH}?limit=1`, sim.serviceKey)).status).toBe(200);
    expect((await call(`${sim.url}${PATH}/search`, sim.serviceKey, { body: {} })).status).toBe(503);
  });

  it('resets the connection (logged as status 0)', async () => {
    sim.log.reset();
    sim.faults.add({ kind: 'reset', times: 1 });
    await expect(call(`${sim.url}${PATH}`, sim.serviceKey)).rejects.toThrow();
    expect(sim.log.entries().map((e) => e.status)).toEqual([0]);
  });

  it('truncates the body under a larger Content-Length (logged as 200)', async () => {
    sim.log.reset();
    sim.faults.add({ kind: 'truncate', times: 1 });
    const agent = new Agent();
    try {
      const res = await request(`${sim.url}${PATH}?limit=50`, {
        headers: { authorization: `Bearer ${sim.serviceKey}` },
        dispatcher: agent,
      });
      expect(res.statusCode).toBe(200);
      await expect(res.body.text()).rejects.toThrow();
    } finally {
      await agent.close();
    }
    expect(sim.log.entries().map((e) => e.status)).toEqual([200]);
  });

  it('answers 200 with malformed JSON', async () => {
    sim.faults.add({ kind: 'malformed', times: 1 });
    const res = await call(`${sim.url}${PATH}`, sim.serviceKey);
    expect(res.status).toBe(200);
    expect(() => JSON.parse(res.text)).toThrow(SyntaxError);
  });

  it("answers a gateway's HTML page with status 502 and no rate headers", async () => {
    sim.faults.add({ kind: 'html-502', times: 1 });
    const res = await call(`${sim.url}${PATH}`, sim.serviceKey);
    expect([res.status, res.headers['content-type'], res.headers['x-hubspot-ratelimit-max']]).toEqual([
      502,
      'text/html',
      undefined,
    ]);
    expect(res.text).toContain('<h1>502 Bad Gateway</h1>');
  });

  it("answers 200 with another endpoint's JSON: one record, no page", async () => {
    sim.faults.add({ kind: 'wrong-body', times: 1 });
    const res = await call(`${sim.url}${PATH}?limit=2`, sim.serviceKey);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      id: '1',
      properties: { hs_object_id: '1' },
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-01T00:00:00.000Z',
      archived: false,
    });
    expect(res.headers['x-hubspot-ratelimit-max']).toBe('10000');
  });

  it('delays a slow response and still answers it', async () => {
    sim.faults.add({ kind: 'slow', delayMs: 50, times: 1 });
    const res = await call(`${sim.url}${PATH}?limit=2`, sim.serviceKey);
    expect(res.status).toBe(200);
    expect(res.json.results).toHaveLength(2);
  });

  it('fails a deterministic share of requests by rate for a given seed', async () => {
    const runOnce = async () => {
      const s = await startSimulator({ seed: 7, rateLimit: { maxPerWindow: 10_000 } });
      s.faults.add({ kind: 500, rate: 0.3 });
      const statuses = [];
      for (let n = 0; n < 30; n++) statuses.push((await call(`${s.url}/crm/v3/owners`, s.serviceKey)).status);
      // Each 500 sent is one fault applied.
      expect(s.faults.fired()).toBe(statuses.filter((status) => status === 500).length);
      await s.close();
      return statuses;
    };
    const a = await runOnce();
    expect(await runOnce()).toEqual(a);
    const failed = a.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(30);
  });

  it('adds and clears faults over the HTTP admin API', async () => {
    await call(`${sim.url}/_sim/faults`, undefined, { body: { kind: 502, match: { pathRegex: 'owners$' }, times: 1 } });
    expect((await call(`${sim.url}/crm/v3/owners`, sim.serviceKey)).status).toBe(502);
    await call(`${sim.url}/_sim/faults`, undefined, { body: { kind: 502 } });
    await call(`${sim.url}/_sim/faults`, undefined, { method: 'DELETE' });
    expect((await call(`${sim.url}/crm/v3/owners`, sim.serviceKey)).status).toBe(200);
    const log = await call(`${sim.url}/_sim/log`, undefined);
    expect(log.json.counts['GET /crm/v3/owners 502']).toBe(1);
    expect(log.json.total).toBe(log.json.entries.length);
  });
});
