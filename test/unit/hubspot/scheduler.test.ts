import { RateBudget } from '../../../lib/hubspot/rate-budget';
import { RequestScheduler } from '../../../lib/hubspot/scheduler';

describe('Class: RequestScheduler', () => {
  /** A scheduler whose clock the test moves, over a budget of 190 per 10 s and 5 searches a second. */
  function makeScheduler() {
    let now = 0;
    const budget = new RateBudget({ now: () => now });
    const scheduler = new RequestScheduler(budget, () => now);
    const answer = (kind: 'standard' | 'search', ms: number) => {
      const call = scheduler.begin(kind);
      call.sent();
      now += ms;
      call.done();
    };
    return { scheduler, answer };
  }

  it.each([
    [100, 5],
    [500, 16],
    [1_500, 44],
  ])('asks for about rate x latency x 1.5 standard requests when answers take %i ms', (ms, target) => {
    const { scheduler, answer } = makeScheduler();
    answer('standard', ms);
    expect(scheduler.target('standard')).toBe(target);
  });

  it('counts requests issued until answered, and follows latency as it changes', () => {
    const { scheduler, answer } = makeScheduler();
    answer('standard', 1_000);
    const high = scheduler.target('standard');
    for (let i = 0; i < 60; i += 1) answer('standard', 100);
    expect(scheduler.target('standard')).toBeLessThan(high / 3);
    const open = [scheduler.begin('standard'), scheduler.begin('standard')];
    expect(scheduler.spare('standard')).toBe(scheduler.target('standard') - 2);
    open.forEach((call) => call.done());
    expect(scheduler.spare('standard')).toBe(scheduler.target('standard'));
  });

  it('keeps the search lane apart and the exempt lane at its fixed bound', () => {
    const { scheduler, answer } = makeScheduler();
    answer('search', 1_000);
    // 5 per 1,030 ms (the lane pads its 1 s window by 3 %) x 1,000 ms x 1.5, plus 2.
    expect(scheduler.target('search')).toBe(10);
    expect(scheduler.target('exempt')).toBe(24);
  });
});
