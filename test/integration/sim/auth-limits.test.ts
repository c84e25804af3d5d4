import { startSimulator, type Simulator } from '../../../sim';
import { call } from './sim-http';

const RATE_HEADERS = [
  'x-hubspot-ratelimit-max',
  'x-hubspot-ratelimit-remaining',
  'x-hubspot-ratelimit-interval-milliseconds',
  'x-hubspot-ratelimit-daily',
  'x-hubspot-ratelimit-daily-remaining',
];
const SEARCH_BODY = { filterGroups: [], limit: 1 };

describe('Simulator: authentication and scopes', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ rateLimit: { maxPerWindow: 10_000 } });
  });
  afterAll(() => sim.close());

  it.each([
    ['no header', undefined],
    ['an unknown key', 'pat-na1-00000000-0000-0000-0000-000000000000'],
  ])('answers 401 INVALID_AUTHENTICATION with %s', async (_, key) => {
    const res = await call(`${sim.url}/crm/v3/objects/contacts`, key);
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      status: 'error',
      message: expect.stringMatching(/^Authentication credentials not found\. /),
      correlationId: expect.any(String),
      category: 'INVALID_AUTHENTICATION',
    });
  });

  it.each([
    ['/crm/v3/objects/deals', 'crm.objects.deals.read'],
    ['/crm/v3/objects/tickets', 'tickets'],
    ['/crm/v3/objects/pets', 'crm.objects.custom.read'],
    ['/crm/v3/schemas', 'crm.schemas.custom.read'],
    ['/crm/v3/owners', 'crm.objects.owners.read'],
    ['/crm/v3/pipelines/deals', 'crm.objects.deals.read'],
  ])('answers 403 MISSING_SCOPES on %s naming %s', async (path, scope) => {
    const key = sim.keys.create({ scopes: ['crm.objects.contacts.read'] });
    const res = await call(`${sim.url}${path}`, key);
    expect(res.status).toBe(403);
    expect(res.json).toEqual({
      status: 'error',
      message: expect.stringMatching(/^This app hasn't been granted all required scopes to make this call\./),
      correlationId: expect.any(String),
      errors: [
        {
          message: 'One or more of the following scopes are required.',
          context: { requiredGranularScopes: [scope] },
        },
      ],
      links: expect.any(Object),
      category: 'MISSING_SCOPES',
    });
    expect(res.headers['x-hubspot-ratelimit-max']).toBe('10000');
  });

  it('accepts any one of a type scope list (calls via contacts scope)', async () => {
    const key = sim.keys.create({ scopes: ['crm.objects.contacts.read'] });
    expect((await call(`${sim.url}/crm/v3/objects/calls`, key)).status).toBe(200);
  });

  it('keeps the old key within the rotation grace and expires it after', async () => {
    const old = sim.keys.create();
    const fresh = sim.keys.rotate(old, { expireOldAfterMs: 300 });
    expect(fresh).toMatch(/^pat-na1-[0-9a-f-]{36}$/);
    expect((await call(`${sim.url}/crm/v3/objects/contacts`, old)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 350));
    const expired = await call(`${sim.url}/crm/v3/objects/contacts`, old);
    expect(expired.status).toBe(401);
    expect(expired.json.category).toBe('EXPIRED_AUTHENTICATION');
    expect((await call(`${sim.url}/crm/v3/objects/contacts`, fresh)).status).toBe(200);
  });

  it('rejects a revoked key and rotates through the HTTP admin API', async () => {
    const old = sim.keys.create();
    const rotated = await call(`${sim.url}/_sim/keys`, undefined, { body: { rotate: old } });
    expect(rotated.status).toBe(201);
    expect((await call(`${sim.url}/crm/v3/objects/contacts`, old)).json.category).toBe('EXPIRED_AUTHENTICATION');
    sim.keys.revoke(rotated.json.key);
    expect((await call(`${sim.url}/crm/v3/objects/contacts`, rotated.json.key)).json.category).toBe(
      'INVALID_AUTHENTICATION',
    );
  });
});

describe('Simulator: rate limits', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      rateLimit: { maxPerWindow: 5, windowMs: 60_000, daily: 8, searchPerSecond: 2, searchWindowMs: 60_000 },
    });
  });
  afterAll(() => sim.close());

  it('counts the window, then the daily budget, with headers on every non-search response', async () => {
    const key = sim.keys.create();
    const statuses: number[] = [];
    const headers: string[][] = [];
    for (let n = 0; n < 9; n++) {
      const res = await call(`${sim.url}/crm/v3/objects/contacts?limit=1`, key);
      statuses.push(res.status);
      headers.push(RATE_HEADERS.map((h) => String(res.headers[h])));
      if (n === 5) {
        expect(res.json).toEqual({
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          errorType: 'RATE_LIMIT',
          correlationId: expect.any(String),
          policyName: 'TEN_SECONDLY_ROLLING',
        });
      }
      if (n === 8) expect(res.json.policyName).toBe('DAILY');
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429, 429]);
    // max, remaining, interval, daily, daily remaining: the limits set above, counting down on every response.
    expect(headers).toEqual(
      ['4/7', '3/6', '2/5', '1/4', '0/3', '0/2', '0/1', '0/0', '0/0'].map((left) => {
        const [remaining, dailyRemaining] = left.split('/');
        return ['5', remaining, '60000', '8', dailyRemaining];
      }),
    );
  });

  it('limits search separately with SECONDLY and no rate headers', async () => {
    const key = sim.keys.create();
    const results = [];
    for (let n = 0; n < 3; n++) {
      results.push(await call(`${sim.url}/crm/v3/objects/contacts/search`, key, { body: SEARCH_BODY }));
    }
    expect(results.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(results[2].json).toEqual({
      status: 'error',
      message: 'You have reached your secondly limit.',
      errorType: 'RATE_LIMIT',
      correlationId: expect.any(String),
      policyName: 'SECONDLY',
    });
    for (const r of results) for (const h of RATE_HEADERS) expect(r.headers[h]).toBeUndefined();
    // The search budget does not touch the 10-second window.
    const list = await call(`${sim.url}/crm/v3/objects/contacts?limit=1`, key);
    expect(list.headers['x-hubspot-ratelimit-remaining']).toBe('4');
  });

  it('spares the 10-second window on the associations batch read, counting it against the daily budget', async () => {
    const key = sim.keys.create();
    const [contact] = sim.oracle.associations('contacts', 'companies');
    const body = { inputs: [{ id: contact.fromId }] };
    const read = () => call(`${sim.url}/crm/v4/associations/contacts/companies/batch/read`, key, { body });
    const list = () => call(`${sim.url}/crm/v3/objects/contacts?limit=1`, key);

    // Two association reads first: the window is still whole for five list calls, and they spent two daily requests.
    const associations = [await read(), await read()];
    const lists = [];
    for (let n = 0; n < 5; n++) lists.push(await list());
    expect([...associations, ...lists].map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    expect(lists[4].headers['x-hubspot-ratelimit-daily-remaining']).toBe('1');
    // The window is spent now (the first test shows list calls limited then); an association read still passes.
    expect(lists[4].headers['x-hubspot-ratelimit-remaining']).toBe('0');
    expect((await read()).status).toBe(200);
  });

  it('frees the window once it rolls past', async () => {
    const fast = await startSimulator({ rateLimit: { maxPerWindow: 2, windowMs: 200 } });
    try {
      const statuses = [];
      for (let n = 0; n < 3; n++) statuses.push((await call(`${fast.url}/crm/v3/owners`, fast.serviceKey)).status);
      await new Promise((r) => setTimeout(r, 250));
      statuses.push((await call(`${fast.url}/crm/v3/owners`, fast.serviceKey)).status);
      expect(statuses).toEqual([200, 200, 429, 200]);
    } finally {
      await fast.close();
    }
  });
});
