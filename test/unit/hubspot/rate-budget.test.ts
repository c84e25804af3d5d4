import { DailyBudgetExhaustedError } from '../../../lib/hubspot/errors';
import { RateBudget, type RateBudgetOptions } from '../../../lib/hubspot/rate-budget';

/** A budget on a fake clock: sleeping advances time instantly. */
function makeBudget(options: RateBudgetOptions = {}) {
  const clock = { t: 1_000_000 };
  const budget = new RateBudget({
    now: () => clock.t,
    sleep: async (ms) => {
      clock.t += ms;
    },
    ...options,
  });
  return { budget, clock };
}

/** Times (relative to the start) at which `count` acquisitions completed. */
async function acquireTimes(budget: RateBudget, clock: { t: number }, kind: 'standard' | 'search', count: number) {
  const start = clock.t;
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    await budget.acquire(kind);
    times.push(clock.t - start);
  }
  return times;
}

describe('Class: RateBudget', () => {
  it('grants the window minus the safety share at once, then waits for the oldest slot to expire', async () => {
    const { budget, clock } = makeBudget({ maxPerWindow: 10, windowMs: 1000, safety: 0.1 });
    const times = await acquireTimes(budget, clock, 'standard', 10);
    expect(times.slice(0, 9)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(times[9]).toBe(1005); // window + 0.5 % padding
    expect(budget.stats.acquired).toBe(10);
    expect(budget.stats.waitedMs).toBe(1005);
  });

  it('keeps search in its own lane of searchPerSecond per searchWindowMs', async () => {
    const { budget, clock } = makeBudget({ searchPerSecond: 5, searchWindowMs: 1000, safety: 0 });
    await acquireTimes(budget, clock, 'standard', 50);
    const times = await acquireTimes(budget, clock, 'search', 6);
    expect(times).toEqual([0, 0, 0, 0, 0, 1005]);
  });

  it('learns Max and Interval from headers', async () => {
    const { budget, clock } = makeBudget({ maxPerWindow: 190, windowMs: 10_000, safety: 0 });
    budget.observe({ 'x-hubspot-ratelimit-max': '3', 'x-hubspot-ratelimit-interval-milliseconds': '2000' });
    const times = await acquireTimes(budget, clock, 'standard', 4);
    expect(times).toEqual([0, 0, 0, 2010]);
    expect(budget.windowMs('standard')).toBe(2000);
  });

  it('backs off when Remaining shows other processes spending the same key', async () => {
    const { budget, clock } = makeBudget({ maxPerWindow: 10, windowMs: 1000, safety: 0 });
    await budget.acquire('standard');
    // The server saw 10 requests in the window: ours plus 9 from elsewhere, spread over the last second.
    budget.observe({ 'x-hubspot-ratelimit-max': '10', 'x-hubspot-ratelimit-remaining': '0' });
    const start = clock.t;
    await budget.acquire('standard');
    expect(clock.t - start).toBe(105); // the first phantom (at -900 ms) expires after 100 ms + padding
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

  it('serves concurrent waiters in arrival order', async () => {
    const { budget } = makeBudget({ maxPerWindow: 2, windowMs: 100, safety: 0 });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((i) => budget.acquire('standard').then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });
});
