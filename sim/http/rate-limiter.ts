/** Per-key budgets: a rolling window and a daily count for normal calls, a separate short window for search. */
import { DEFAULT_RATE_LIMIT } from '../settings';
import type { RateLimitOptions } from '../types';
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

export class RateLimiter {
  private readonly settings: Required<RateLimitOptions>;
  private readonly budgets = new Map<string, KeyBudget>();

  constructor(
    options: RateLimitOptions = {},
    private readonly clock: () => number = Date.now,
  ) {
    this.settings = { ...DEFAULT_RATE_LIMIT, ...options };
  }

  /**
   * Counts a normal (non-search) request on arrival, 429s included: against the daily limit, and against the
   * ten-second window unless the route is exempt from it.
   */
  checkStandard(keyId: string, { tenSecondlyExempt = false } = {}): RateDecision {
    const s = this.settings;
    const budget = this.budgetOf(keyId);
    budget.daily++;
    const inWindow = tenSecondlyExempt
      ? budget.window.count(this.clock(), s.windowMs)
      : budget.window.hit(this.clock(), s.windowMs);
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

  /** Counts a search request; search responses carry no rate headers. */
  checkSearch(keyId: string): RateDecision {
    const s = this.settings;
    const inWindow = this.budgetOf(keyId).search.hit(this.clock(), s.searchWindowMs);
    return inWindow > s.searchPerSecond ? { headers: {}, limited: 'SECONDLY' } : { headers: {} };
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
