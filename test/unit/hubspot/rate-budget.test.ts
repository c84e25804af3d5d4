import { DailyBudgetExhaustedError } from '../../../lib/hubspot/errors';
import {
  DAILY_PROBE_HOLD_MS,
  DAILY_RECHECK_MS,
  RateBudget,
  searchShare,
  type BudgetKind,
  type RateBudgetOptions,
} from '../../../lib/hubspot/rate-budget';

/**
 * A budget on a fake clock: sleeping advances time instantly. `probed`: a first response was already seen. Grants
 * are not spaced unless a test asks (burstSpacingShare), so the window's own rules show alone.
 */
function makeBudget(options: RateBudgetOptions = {}, probed = true) {
  const clock = { t: 1_000_000 };
  const budget = new RateBudget({
    now: () => clock.t,
    sleep: async (ms) => {
      clock.t += ms;
    },
    burstSpacingShare: 0,
    ...options,
  });
  if (probed) budget.observe({});
  return { budget, clock };
}

/** Times (relative to the start) at which `count` acquisitions completed. */
async function acquireTimes(budget: RateBudget, clock: { t: number }, kind: BudgetKind, count: number) {
  const start = clock.t;
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    await budget.acquire(kind);
    times.push(clock.t - start);
  }
  return times;
}

describe('Class: RateBudget', () => {
  it('spaces grants at half the even spacing by default, so a freed window is not spent in one burst', async () => {
    const { budget, clock } = makeBudget({ maxPerWindow: 10, windowMs: 1000, safety: 0, burstSpacingShare: undefined });
    expect(await acquireTimes(budget, clock, 'standard', 4)).toEqual([0, 50, 100, 150]);
  });

  it('grants the window minus the safety share at once, then waits for the oldest slot to expire', async () => {
    const { budget, clock } = makeBudget({ maxPerWindow: 10, windowMs: 1000, safety: 0.1 });
    const times = await acquireTimes(budget, clock, 'standard', 10);
    expect(times.slice(0, 9)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(times[9]).toBe(1005); // window + 0.5 % padding
    expect(budget.stats.acquired).toBe(10);
    expect(budget.stats.waitedMs).toBe(1005);
  });

  it('keeps search in its own lane of searchPerSecond per searchWindowMs, padded 3 % for delivery jitter', async () => {
    const { budget, clock } = makeBudget({ searchPerSecond: 5, searchWindowMs: 1000, safety: 0 });
    await acquireTimes(budget, clock, 'standard', 50);
    const times = await acquireTimes(budget, clock, 'search', 6);
    expect(times).toEqual([0, 0, 0, 0, 0, 1030]);
  });

  it('grants exempt requests at once when the window is spent, and stops them at the daily reserve too', async () => {
    const { budget, clock } = makeBudget({ maxPerWindow: 10, windowMs: 1000, safety: 0, dailyReserve: 10 });
    await acquireTimes(budget, clock, 'standard', 10);
    expect(await acquireTimes(budget, clock, 'exempt', 20)).toEqual(Array.from({ length: 20 }, () => 0));
    expect(await acquireTimes(budget, clock, 'standard', 1)).toEqual([1005]);

    budget.observe({ 'X-HubSpot-RateLimit-Daily-Remaining': '11' });
    await budget.acquire('exempt');
    await expect(budget.acquire('exempt')).rejects.toBeInstanceOf(DailyBudgetExhaustedError);
  });

  it.each([1, 2, 3, 4, 5])(
    'keeps %i processes searching at once, each with its searchShare, within 5 searches in any second',
    async (parallel) => {
      // Each process searches flat out from the same instant; their grants together must fit HubSpot's 5/s.
      const grants: number[] = [];
      for (let p = 0; p < parallel; p += 1) {
        const { budget, clock } = makeBudget(searchShare(parallel));
        grants.push(...(await acquireTimes(budget, clock, 'search', 12)));
      }
      grants.sort((a, b) => a - b);
      const busiestSecond = Math.max(...grants.map((t) => grants.filter((u) => u >= t && u < t + 1000).length));
      expect(busiestSecond).toBeLessThanOrEqual(5);
      expect(busiestSecond).toBeGreaterThanOrEqual(Math.min(parallel, 4));
    },
  );

  it('learns Max and Interval from headers', async () => {
    const { budget, clock } = makeBudget({ maxPerWindow: 190, windowMs: 10_000, safety: 0 });
    budget.observe({ 'x-hubspot-ratelimit-max': '3', 'x-hubspot-ratelimit-interval-milliseconds': '2000' });
    const times = await acquireTimes(budget, clock, 'standard', 4);
    expect(times).toEqual([0, 0, 0, 2010]);
    expect(budget.windowMs('standard')).toBe(2000);
  });

  it('backs off when Remaining shows other processes spending the same key', async () => {
    const { budget, clock } = makeBudget({ maxPerWindow: 50, windowMs: 1000, safety: 0 });
    await budget.acquire('standard');
    // The server saw 50 requests in the window: ours plus 49 from elsewhere, assumed to have just happened.
    budget.observe({ 'x-hubspot-ratelimit-max': '50', 'x-hubspot-ratelimit-remaining': '0' });
    const start = clock.t;
    await budget.acquire('standard');
    expect(clock.t - start).toBe(1005);
  });

  it('forgets the oldest phantoms when the server counts fewer than assumed', async () => {
    const { budget, clock } = makeBudget({ maxPerWindow: 50, windowMs: 1000, safety: 0 });
    const headers = (remaining: number) => ({
      'x-hubspot-ratelimit-max': '50',
      'x-hubspot-ratelimit-remaining': String(remaining),
    });
    await budget.acquire('standard');
    budget.observe(headers(0)); // 49 others
    clock.t += 500;
    budget.observe(headers(40)); // only 9 others now (ours still counted): 40 phantoms dropped
    const times = await acquireTimes(budget, clock, 'standard', 37);
    // capacity 50 - 2 held back while shared (4%) = 48: 1 own + 9 phantoms + 37 new, the last needing 2 free slots
    expect(times.every((t) => t === 0)).toBe(true);
    // the 38th would leave 1 free slot where its share needs 2: it waits
    expect(await acquireTimes(budget, clock, 'standard', 1)).not.toEqual([0]);
  });

  it('matches a response to its grant time, leaving later requests out of the server count', async () => {
    const { budget, clock } = makeBudget({ maxPerWindow: 10, windowMs: 1000, safety: 0 });
    const first = await budget.grant('standard');
    clock.t += 10;
    await budget.grant('standard');
    clock.t += 10;
    await budget.grant('standard');
    // The first response: the server had counted 1 request (ours); two of ours are still in flight.
    budget.observe({ 'x-hubspot-ratelimit-max': '10', 'x-hubspot-ratelimit-remaining': '9' }, first);
    const times = await acquireTimes(budget, clock, 'standard', 7);
    expect(times).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('counts requests the server saw that we did not send as other processes', async () => {
    const { budget, clock } = makeBudget({ maxPerWindow: 10, windowMs: 1000, safety: 0 });
    const first = await budget.grant('standard');
    budget.observe({ 'x-hubspot-ratelimit-max': '10', 'x-hubspot-ratelimit-remaining': '6' }, first);
    // 3 others + 1 ours; 10 - 1 (4 % shared, rounded up) = 9 slots. Each grant claims only this process's share of
    // the free slots (own/(own+others)): 4 more now (needing 4, 3, 2, 2 free), the 5th once a window has passed.
    const times = await acquireTimes(budget, clock, 'standard', 5);
    expect(times).toEqual([0, 0, 0, 0, 1005]);
  });

  it('sends one probe before the first response teaches the window', async () => {
    const { budget, clock } = makeBudget({ maxPerWindow: 10, windowMs: 1000 }, false);
    await budget.acquire('standard');
    const second = budget.acquire('standard');
    budget.observe({ 'x-hubspot-ratelimit-max': '10', 'x-hubspot-ratelimit-remaining': '9' });
    await second;
    expect(clock.t).toBe(1_000_000);
  });

  it('stops probing when no response comes back within the probe timeout', async () => {
    const { budget, clock } = makeBudget({ maxPerWindow: 10, windowMs: 1000 }, false);
    const times = await acquireTimes(budget, clock, 'standard', 3);
    expect(times).toEqual([0, 2000, 2000]);
  });

  it('holds the whole lane after penalize', async () => {
    const { budget, clock } = makeBudget();
    budget.penalize('standard', 2500);
    const times = await acquireTimes(budget, clock, 'standard', 2);
    expect(times).toEqual([2500, 2500]);
  });

  it.each([
    ['at the reserve', '1000', true],
    ['above the reserve', '1002', false],
  ])('refuses with DailyBudgetExhaustedError when Daily-Remaining is %s', async (_label, remaining, refuses) => {
    const { budget } = makeBudget({ dailyReserve: 1000 });
    budget.observe({ 'X-HubSpot-RateLimit-Daily-Remaining': remaining });
    const outcome = await budget.acquire('standard').then(
      () => 'granted',
      (error: unknown) => (error instanceof DailyBudgetExhaustedError ? `refused ${error.remaining}` : 'other'),
    );
    expect(outcome).toBe(refuses ? 'refused 1000' : 'granted');
  });

  it('counts its own acquisitions against the daily remaining between observations', async () => {
    const { budget } = makeBudget({ dailyReserve: 10 });
    budget.observe({ 'x-hubspot-ratelimit-daily-remaining': '12' });
    await budget.acquire('standard');
    await budget.acquire('standard');
    await expect(budget.acquire('standard')).rejects.toBeInstanceOf(DailyBudgetExhaustedError);
  });

  /** A budget whose sleeps never end on their own (only answers move it on), on a clock the test sets. */
  function heldBudget(options: RateBudgetOptions) {
    const clock = { t: 1_000_000 };
    const budget = new RateBudget({
      now: () => clock.t,
      sleep: () => new Promise(() => {}),
      burstSpacingShare: 0,
      ...options,
    });
    budget.observe({});
    return { budget, clock };
  }

  /** 'granted' or 'refused' once the acquisition settles; 'waiting' until then. */
  function track(acquired: Promise<void>) {
    const state = { now: 'waiting' };
    acquired.then(
      () => (state.now = 'granted'),
      (error: unknown) => (state.now = error instanceof DailyBudgetExhaustedError ? 'refused' : 'other'),
    );
    return state;
  }

  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('asks HubSpot again once a daily count at the reserve is DAILY_RECHECK_MS old: one request, the others wait for it', async () => {
    // Prepare: a 429 DAILY, then the next day (a warm Lambda's next execution).
    const { budget, clock } = heldBudget({ dailyReserve: 10 });
    budget.markDailyExhausted();
    await expect(budget.acquire('standard')).rejects.toBeInstanceOf(DailyBudgetExhaustedError);
    clock.t += DAILY_RECHECK_MS - 1;
    await expect(budget.acquire('standard')).rejects.toBeInstanceOf(DailyBudgetExhaustedError);

    // Act: past the recheck time one request goes out; the next ones, on any lane, wait for its answer.
    clock.t += 1;
    await budget.acquire('standard');
    const next = [track(budget.acquire('standard')), track(budget.acquire('exempt'))];
    await settle();
    expect(next.map((n) => n.now)).toEqual(['waiting', 'waiting']);

    // Assess: the answer shows the reset budget, and the waiting requests go.
    budget.answered('standard', 200);
    budget.observe({ 'x-hubspot-ratelimit-daily-remaining': '625000' });
    await settle();
    expect(next.map((n) => n.now)).toEqual(['granted', 'granted']);
  });

  it('refuses the requests waiting on the daily probe when its answer shows the budget still spent', async () => {
    const { budget, clock } = heldBudget({ dailyReserve: 10 });
    budget.markDailyExhausted();
    clock.t += DAILY_RECHECK_MS;
    await budget.acquire('standard');
    const next = track(budget.acquire('search'));
    await settle();
    expect(next.now).toBe('waiting');

    budget.answered('standard', 200);
    budget.observe({ 'x-hubspot-ratelimit-daily-remaining': '4' });
    await settle();
    expect(next.now).toBe('refused');
  });

  it('refuses the waiting requests when the daily probe is not answered within DAILY_PROBE_HOLD_MS', async () => {
    // Sleeps advance the clock: the hold runs out at once, as when the probe's connection was reset.
    const { budget, clock } = makeBudget({ dailyReserve: 10 });
    budget.markDailyExhausted();
    clock.t += DAILY_RECHECK_MS;
    await budget.acquire('standard');
    const start = clock.t;
    await expect(budget.acquire('standard')).rejects.toBeInstanceOf(DailyBudgetExhaustedError);
    expect(clock.t - start).toBe(DAILY_PROBE_HOLD_MS);
  });

  it('asks HubSpot again at the first request of another run, and not again within that run', async () => {
    // Prepare: a run spends the day's budget; a warm Lambda starts the next day's run a minute later.
    const { budget, clock } = heldBudget({ dailyReserve: 10 });
    budget.beginRun('run-1');
    budget.markDailyExhausted();
    budget.beginRun('run-1');
    await expect(budget.acquire('standard')).rejects.toBeInstanceOf(DailyBudgetExhaustedError);
    clock.t += 60_000;

    // Act: the next run's first request goes out; its second waits for the answer.
    budget.beginRun('run-2');
    await budget.acquire('standard');
    budget.beginRun('run-2');
    const second = track(budget.acquire('standard'));
    await settle();
    expect(second.now).toBe('waiting');

    // Assess: the answer shows a new day's budget, and requests flow again.
    budget.observe({ 'x-hubspot-ratelimit-daily-remaining': '625000' });
    await settle();
    expect(second.now).toBe('granted');
    await budget.acquire('standard');
  });

  it('serves concurrent waiters in arrival order', async () => {
    const { budget } = makeBudget({ maxPerWindow: 2, windowMs: 100, safety: 0 });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((i) => budget.acquire('standard').then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });
});
