/**
 * Per-key budgets: a rolling window and a daily count for normal calls, a separate short window for search; limits
 * can change mid-run (fault tests lower them, or reset the daily count as at the portal's midnight).
 */
import { readSettings } from '../setting-checks';
import { DEFAULT_RATE_LIMIT } from '../settings';
import type { LimitsControl, RateLimitOptions } from '../types';
import type { RateLimitPolicy } from './responses';

/** Timestamps in a window, pruned from the front without shifting. */
class RollingWindow {
  private times: number[] = [];
  private head = 0;

  /** Records a hit at `now` and returns the hits within the last `windowMs`, this one included. */
  hit(now: number, windowMs: number): number {
    this.times.push(now);
    return this.count(now, windowMs);
  }

  /** The hits within the last `windowMs`. */
  count(now: number, windowMs: number): number {
    while (this.times[this.head] <= now - windowMs) this.head++;
    if (this.head > 4096 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }
}

interface KeyBudget {
  window: RollingWindow;
  search: RollingWindow;
  daily: number;
}

export interface RateDecision {
  headers: Record<string, string>;
  limited?: RateLimitPolicy;
}

const LIMIT_NAMES = ['maxPerWindow', 'windowMs', 'daily', 'searchPerSecond', 'searchWindowMs'] as const;
const LIMIT_FLAGS = ['searchCountsInTenSecondly'] as const;

export class RateLimiter implements LimitsControl {
  private settings: Required<RateLimitOptions> = { ...DEFAULT_RATE_LIMIT, searchCountsInTenSecondly: false };
  private readonly budgets = new Map<string, KeyBudget>();

  constructor(
    options: RateLimitOptions = {},
    private readonly clock: () => number = Date.now,
  ) {
    this.set(options);
  }

  get(): Required<RateLimitOptions> {
    return { ...this.settings };
  }

  /** Changes the named limits; hits already counted stay counted against the new ones. */
  set(options: RateLimitOptions): Required<RateLimitOptions> {
    this.settings = { ...this.settings, ...readSettings('rateLimit', options, LIMIT_NAMES, LIMIT_FLAGS) };
    return this.get();
  }

  resetDaily(): void {
    for (const budget of this.budgets.values()) budget.daily = 0;
  }

  /**
   * Counts a normal (non-search) request on arrival (`at`: when its headers came in), 429s included: against the
   * daily limit, and against the ten-second window unless the route is exempt from it.
   */
  checkStandard(keyId: string, { tenSecondlyExempt = false, at = this.clock() } = {}): RateDecision {
    const s = this.settings;
    const budget = this.budgetOf(keyId);
    budget.daily++;
    const inWindow = tenSecondlyExempt ? budget.window.count(at, s.windowMs) : budget.window.hit(at, s.windowMs);
    const headers = {
      'X-HubSpot-RateLimit-Max': String(s.maxPerWindow),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, s.maxPerWindow - inWindow)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(s.windowMs),
      'X-HubSpot-RateLimit-Daily': String(s.daily),
      'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, s.daily - budget.daily)),
    };
    if (budget.daily > s.daily) return { headers, limited: 'DAILY' };
    if (!tenSecondlyExempt && inWindow > s.maxPerWindow) return { headers, limited: 'TEN_SECONDLY_ROLLING' };
    return { headers };
  }

  /**
   * Counts a search request against the search budget, and against the ten-second window when
   * `searchCountsInTenSecondly` is on (a search over that window is then limited by it too); search responses carry
   * no rate headers either way.
   */
  checkSearch(keyId: string, at = this.clock()): RateDecision {
    const s = this.settings;
    const budget = this.budgetOf(keyId);
    const now = at;
    const inSearch = budget.search.hit(now, s.searchWindowMs);
    const inWindow = s.searchCountsInTenSecondly ? budget.window.hit(now, s.windowMs) : 0;
    if (inSearch > s.searchPerSecond) return { headers: {}, limited: 'SECONDLY' };
    if (inWindow > s.maxPerWindow) return { headers: {}, limited: 'TEN_SECONDLY_ROLLING' };
    return { headers: {} };
  }

  private budgetOf(keyId: string): KeyBudget {
    let budget = this.budgets.get(keyId);
    if (!budget) {
      budget = { window: new RollingWindow(), search: new RollingWindow(), daily: 0 };
      this.budgets.set(keyId, budget);
    }
    return budget;
  }
}
