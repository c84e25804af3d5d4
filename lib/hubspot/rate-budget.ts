/**
 * One request budget per process, shared by every client and object: a sliding-window log per lane
 * (the 10-second standard window, the 5/s search window) that spends close to the ceiling without
 * tripping 429s. Response headers teach the real window and how much of it OTHER processes using the
 * same key spend (their share is modelled as phantom entries), so several workers back off together.
 */
import { DailyBudgetExhaustedError } from './errors';

export type BudgetKind = 'standard' | 'search';

export interface RateBudgetOptions {
  /** Requests per standard window (190 until headers teach otherwise). */
  maxPerWindow?: number;
  windowMs?: number;
  /** Search requests per search window (5). */
  searchPerSecond?: number;
  searchWindowMs?: number;
  /** Fraction of each window held back (default 0.02). */
  safety?: number;
  /** Stop (DailyBudgetExhaustedError) when the daily remaining count is at or below this (default 1000). */
  dailyReserve?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const RATE_BUDGET_DEFAULTS = {
  maxPerWindow: 190,
  windowMs: 10_000,
  searchPerSecond: 5,
  searchWindowMs: 1_000,
  safety: 0.02,
  dailyReserve: 1_000,
  /** Slots are freed this fraction of a window late: the server stamps a request after we do. */
  paddingFraction: 0.005,
} as const;

const HEADER = {
  max: 'x-hubspot-ratelimit-max',
  remaining: 'x-hubspot-ratelimit-remaining',
  interval: 'x-hubspot-ratelimit-interval-milliseconds',
  dailyRemaining: 'x-hubspot-ratelimit-daily-remaining',
} as const;

export type HeaderBag = Record<string, string | string[] | undefined>;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sliding-window log of one lane: our own requests plus phantom requests of other processes. */
class WindowLane {
  private own: number[] = [];
  private phantoms: number[] = [];
  private blockedUntil = 0;
  queue: Promise<void> = Promise.resolve();

  constructor(
    public limit: number,
    public windowMs: number,
    private readonly safety: number,
  ) {}

  private get capacity(): number {
    return Math.max(1, Math.floor(this.limit * (1 - this.safety)));
  }

  private get horizon(): number {
    return this.windowMs * (1 + RATE_BUDGET_DEFAULTS.paddingFraction);
  }

  /** Milliseconds until one more request fits (0: now). */
  delayUntilFree(now: number): number {
    if (this.blockedUntil > now) return this.blockedUntil - now;
    const cutoff = now - this.horizon;
    this.own = this.own.filter((t) => t > cutoff);
    this.phantoms = this.phantoms.filter((t) => t > cutoff);
    const all = this.phantoms.length === 0 ? this.own : [...this.own, ...this.phantoms].sort((a, b) => a - b);
    if (all.length < this.capacity) return 0;
    return Math.max(1, Math.ceil(all[all.length - this.capacity] + this.horizon - now));
  }

  record(now: number): void {
    this.own.push(now);
  }

  ownCount(now: number): number {
    const cutoff = now - this.windowMs;
    return this.own.filter((t) => t > cutoff).length;
  }

  /** Others spent `count` of the window: assume evenly over the last window (they expire gradually). */
  setPhantoms(count: number, now: number): void {
    const step = this.windowMs / (count + 1);
    this.phantoms = Array.from({ length: Math.max(0, count) }, (_, i) => now - this.windowMs + step * (i + 1));
  }

  block(until: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, until);
  }
}

/**
 * Shared request budget. `acquire` before each request, `observe` each response's headers,
 * `penalize` after a 429.
 * @example const budget = new RateBudget(); await budget.acquire('standard');
 */
export class RateBudget {
  readonly stats = { acquired: 0, waitedMs: 0 };
  private readonly lanes: Record<BudgetKind, WindowLane>;
  private readonly dailyReserve: number;
  private dailyRemaining: number | undefined;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: RateBudgetOptions = {}) {
    const o = { ...RATE_BUDGET_DEFAULTS, ...stripUndefined(options) };
    this.lanes = {
      standard: new WindowLane(o.maxPerWindow, o.windowMs, o.safety),
      search: new WindowLane(o.searchPerSecond, o.searchWindowMs, o.safety),
    };
    this.dailyReserve = o.dailyReserve;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Waits (FIFO per lane) until a request of this kind fits; rejects when the daily reserve is reached. */
  acquire(kind: BudgetKind): Promise<void> {
    const lane = this.lanes[kind];
    const turn = lane.queue.then(() => this.waitForSlot(lane));
    lane.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Learns Max / Interval / Remaining / Daily-Remaining from a response's headers. */
  observe(headers: HeaderBag): void {
    const max = readInt(headers, HEADER.max);
    const interval = readInt(headers, HEADER.interval);
    const remaining = readInt(headers, HEADER.remaining);
    const dailyRemaining = readInt(headers, HEADER.dailyRemaining);
    const lane = this.lanes.standard;
    if (max !== undefined && max > 0) lane.limit = max;
    if (interval !== undefined && interval > 0) lane.windowMs = interval;
    if (dailyRemaining !== undefined) this.dailyRemaining = dailyRemaining;
    if (remaining !== undefined) {
      const now = this.now();
      const usedByOthers = lane.limit - remaining - lane.ownCount(now);
      lane.setPhantoms(Math.max(0, usedByOthers), now);
    }
  }

  /** Blocks the lane for `waitMs` (after a 429). */
  penalize(kind: BudgetKind, waitMs: number): void {
    this.lanes[kind].block(this.now() + Math.max(0, waitMs));
  }

  /** A 429 DAILY arrived: refuse every further request of this process. */
  markDailyExhausted(): void {
    this.dailyRemaining = 0;
  }

  /** The lane's window as currently known (for policy waits). */
  windowMs(kind: BudgetKind): number {
    return this.lanes[kind].windowMs;
  }

  private async waitForSlot(lane: WindowLane): Promise<void> {
    for (;;) {
      if (this.dailyRemaining !== undefined && this.dailyRemaining <= this.dailyReserve) {
        throw new DailyBudgetExhaustedError(
          `HubSpot daily request budget is down to ${this.dailyRemaining} (reserve ${this.dailyReserve}): ` +
            'stopped before spending the reserve. Resume after the daily reset (midnight in the account time zone).',
          { remaining: this.dailyRemaining },
        );
      }
      const now = this.now();
      const wait = lane.delayUntilFree(now);
      if (wait <= 0) {
        lane.record(now);
        this.stats.acquired += 1;
        if (this.dailyRemaining !== undefined) this.dailyRemaining -= 1;
        return;
      }
      this.stats.waitedMs += wait;
      await this.sleep(wait);
    }
  }
}

function readInt(headers: HeaderBag, name: string): number | undefined {
  let value = headers[name];
  if (value === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  const parsed = Number(text);
  return Number.isFinite(parsed) ? Math.trunc(parsed) : undefined;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
