import { startSimulator, SimulatorSettingError, type Simulator } from '../../../sim';
import { call, type HttpResult } from './sim-http';

const LIST = '/crm/v3/objects/contacts?limit=1';
const SEARCH = '/crm/v3/objects/contacts/search';
const SEARCH_BODY = { filterGroups: [], limit: 1 };

/** status, Max, Remaining, Daily-Remaining and policy of an answer. */
const budgetOf = (res: HttpResult) => [
  res.status,
  res.headers['x-hubspot-ratelimit-max'],
  res.headers['x-hubspot-ratelimit-remaining'],
  res.headers['x-hubspot-ratelimit-daily-remaining'],
  res.json?.policyName,
];

describe('Simulator: rate limits changed at run time', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({
      rateLimit: { maxPerWindow: 10, windowMs: 60_000, daily: 100, searchPerSecond: 100, searchWindowMs: 60_000 },
    });
  });
  afterEach(() => sim.close());

  const limits = (body?: object) => call(`${sim.url}/_sim/limits`, undefined, body ? { body } : {});

  it('lowers the ten-second limit mid-run over POST /_sim/limits', async () => {
    const key = sim.keys.create();
    const before = [budgetOf(await call(`${sim.url}${LIST}`, key)), budgetOf(await call(`${sim.url}${LIST}`, key))];
    const set = await limits({ maxPerWindow: 3 });
    const after = [budgetOf(await call(`${sim.url}${LIST}`, key)), budgetOf(await call(`${sim.url}${LIST}`, key))];
    expect([...before, ...after]).toEqual([
      [200, '10', '9', '99', undefined],
      [200, '10', '8', '98', undefined],
      [200, '3', '0', '97', undefined],
      [429, '3', '0', '96', 'TEN_SECONDLY_ROLLING'],
    ]);
    expect([set.status, set.json]).toEqual([
      200,
      {
        maxPerWindow: 3,
        windowMs: 60_000,
        daily: 100,
        searchPerSecond: 100,
        searchWindowMs: 60_000,
        searchCountsInTenSecondly: false,
      },
    ]);
  });

  it('runs the daily budget out mid-run, then resets it as at midnight', async () => {
    const key = sim.keys.create();
    const answers = [budgetOf(await call(`${sim.url}${LIST}`, key))];
    await limits({ daily: 2 });
    answers.push(budgetOf(await call(`${sim.url}${LIST}`, key)), budgetOf(await call(`${sim.url}${LIST}`, key)));
    const reset = await limits({ resetDaily: true });
    answers.push(budgetOf(await call(`${sim.url}${LIST}`, key)));
    expect(answers).toEqual([
      [200, '10', '9', '99', undefined],
      [200, '10', '8', '0', undefined],
      [429, '10', '7', '0', 'DAILY'],
      [200, '10', '6', '1', undefined],
    ]);
    expect([reset.status, reset.json.daily]).toEqual([200, 2]);
  });

  it('reads the limits with GET and changes them programmatically too', async () => {
    sim.limits.set({ searchPerSecond: 7, windowMs: 1_000 });
    expect((await limits()).json).toEqual({
      maxPerWindow: 10,
      windowMs: 1_000,
      daily: 100,
      searchPerSecond: 7,
      searchWindowMs: 60_000,
      searchCountsInTenSecondly: false,
    });
  });

  it.each([
    [{ maxPerWindow: 0 }, 'rateLimit.maxPerWindow must be a whole number from 1 to 9007199254740991, got 0'],
    [{ windowMs: 1.5 }, 'rateLimit.windowMs must be a whole number from 1 to 86400000, got 1.5'],
    [{ daily: null }, 'rateLimit.daily must be a whole number from 1 to 9007199254740991, got null'],
    [{ searchCountsInTenSecondly: 'yes' }, 'rateLimit.searchCountsInTenSecondly must be true or false, got "yes"'],
    [{ resetDaily: 1 }, 'limits.resetDaily must be true or false, got 1'],
    [
      { max: 5 },
      'Unknown rateLimit setting max: use maxPerWindow, windowMs, daily, searchPerSecond, searchWindowMs, ' +
        'searchCountsInTenSecondly',
    ],
  ])('refuses %j naming the bad value and changes nothing', async (body, message) => {
    const before = sim.limits.get();
    const res = await limits(body);
    expect([res.status, res.json, sim.limits.get()]).toEqual([400, { status: 'error', message }, before]);
  });

  it('refuses a bad limit in the options too', async () => {
    await expect(startSimulator({ rateLimit: { searchPerSecond: -5 } })).rejects.toThrow(
      new SimulatorSettingError('rateLimit.searchPerSecond must be a whole number from 1 to 9007199254740991, got -5'),
    );
  });
});

describe('Simulator: search counted in the ten-second window (searchCountsInTenSecondly)', () => {
  it.each([
    ['the option', { searchCountsInTenSecondly: true }, undefined],
    ['POST /_sim/limits', {}, { searchCountsInTenSecondly: true }],
  ])('counts search there when set by %s, with still no rate headers on search', async (_, option, admin) => {
    const sim = await startSimulator({
      rateLimit: { maxPerWindow: 5, windowMs: 60_000, searchPerSecond: 100, ...option },
    });
    try {
      if (admin) await call(`${sim.url}/_sim/limits`, undefined, { body: admin });
      const key = sim.keys.create();
      const search = () => call(`${sim.url}${SEARCH}`, key, { body: SEARCH_BODY });
      const answers = [await search(), await search(), await call(`${sim.url}${LIST}`, key)];
      answers.push(await search(), await search(), await search(), await call(`${sim.url}${LIST}`, key));
      expect(answers.map(budgetOf)).toEqual([
        [200, undefined, undefined, undefined, undefined],
        [200, undefined, undefined, undefined, undefined],
        [200, '5', '2', expect.any(String), undefined],
        [200, undefined, undefined, undefined, undefined],
        [200, undefined, undefined, undefined, undefined],
        [429, undefined, undefined, undefined, 'TEN_SECONDLY_ROLLING'],
        [429, '5', '0', expect.any(String), 'TEN_SECONDLY_ROLLING'],
      ]);
    } finally {
      await sim.close();
    }
  });

  it('leaves search out of the window by default', async () => {
    const sim = await startSimulator({ rateLimit: { maxPerWindow: 5, windowMs: 60_000, searchPerSecond: 100 } });
    try {
      const key = sim.keys.create();
      for (let n = 0; n < 4; n++) await call(`${sim.url}${SEARCH}`, key, { body: SEARCH_BODY });
      expect(budgetOf(await call(`${sim.url}${LIST}`, key))).toEqual([200, '5', '4', expect.any(String), undefined]);
    } finally {
      await sim.close();
    }
  });
});
