/**
 * One request budget per process, shared by every client and object: a sliding-window log per lane
 * (the 10-second standard window, the 5/s search window, and an unlimited lane for endpoints exempt from the
 * 10-second window, which like the others stops at the daily reserve) that spends close to the ceiling without
 * tripping 429s. Response headers teach the real window and how much of it OTHER processes using the
 * same key spend (their requests are modelled as phantom entries, stamped when first seen), so several
 * workers back off together.
 */
import { DailyBudgetExhaustedError } from './errors';

/**
 * The budget a request spends: the ten-second window (`standard`), the search window, or neither (`exempt`:
 * endpoints HubSpot's specs mark `x-hubspot-rate-limit-exemptions: ["ten-secondly"]`, such as the associations
 * batch reads), which still count against the daily limit.
 */
export type BudgetKind = 'standard' | 'search' | 'exempt';

/** The exempt lane's window limit: never reached, so only the daily reserve and 429 waits hold it back. */
const UNLIMITED_PER_WINDOW = 1_000_000;

export interface RateBudgetOptions {
  /** Requests per standard window (190 until headers teach otherwise). */
  maxPerWindow?: number;
  windowMs?: number;
  /** Search requests per search window (5). */
  searchPerSecond?: number;
  searchWindowMs?: number;
  /** Fraction of each window held back (default 0.02). */
  safety?: number;
  /** Grants at least this share of window / limit apart (default 0.5; 0: a freed window may be spent at once). */
  burstSpacingShare?: number;
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
  /** Slots are freed this fraction of a window late: the server stamps a request when it arrives, after we do. */
  paddingFraction: 0.005,
  /** The search lane's padding: its window is a second, where a few ms of jitter in delivery already matter. */
  searchPaddingFraction: 0.03,
  /**
   * Besides the padding, slots are held this share of the recent answer time longer, at most maxJitterMs: requests
   * do not all take as long to reach HubSpot, and one that arrives faster than the one whose slot it takes would
   * land inside the server's window. Only the delivery varies that way, not the whole answer time.
   */
  jitterShare: 0.25,
  /** The jitter allowance is at most this share of the window (100 ms of the ten-second one, 20 ms of search's). */
  maxJitterFraction: 0.02,
  maxJitterMs: 100,
  /**
   * Each 429 adds this share of the window to the padding, up to maxLearnedFraction, and each answer without one
   * gives back 1 % of it: HubSpot stamps a request when it gets round to it, and how unevenly it does is learnt.
   */
  learnedStepFraction: 0.05,
  maxLearnedFraction: 0.5,
  learnedDecay: 0.99,
  /**
   * Grants of a lane are at least this share of its even spacing (window / limit) apart: twice its steady rate at
   * most. Without it a window freed at once is spent at once, and a burst reaches HubSpot spread over however long
   * the process (or HubSpot) takes to get them out, while their slots are freed by their grant times.
   */
  burstSpacingShare: 0.5,
  /** Extra share held back while other processes spend the same key: their views of Remaining race ours. */
  sharedFraction: 0.04,
  /** Most free slots a process waits for before claiming one while sharing the key (see freeSlotsNeeded). */
  maxFreeSlotsNeeded: 4,
  /**
   * How long grants are remembered past the window: an answer coming this late is still matched against the grants
   * the server counted with its request (pruned sooner, late answers would read as other processes' requests).
   */
  grantHistoryMs: 120_000,
  /** Before the first response teaches the window, one request probes; give up waiting for it after this. */
  probeTimeoutMs: 2_000,
} as const;

/**
 * The search lane of one of `parallel` processes searching with one key at once. Search answers carry no rate-limit
 * headers, so processes cannot learn each other's use: each takes an even share of the account's 5/s (3 processes:
 * 1 per second each; 8: 1 per 2 s each). Up to 5 processes never exceed it together; more may, in their first second.
 */
export function searchShare(parallel: number): Pick<RateBudgetOptions, 'searchPerSecond' | 'searchWindowMs'> {
  const { searchPerSecond, searchWindowMs } = RATE_BUDGET_DEFAULTS;
  return {
    searchPerSecond: Math.max(1, Math.floor(searchPerSecond / parallel)),
    searchWindowMs: searchWindowMs * Math.max(1, Math.ceil(parallel / searchPerSecond)),
  };
}

const HEADER = {
  max: 'x-hubspot-ratelimit-max',
  remaining: 'x-hubspot-ratelimit-remaining',
  interval: 'x-hubspot-ratelimit-interval-milliseconds',
  dailyRemaining: 'x-hubspot-ratelimit-daily-remaining',
} as const;

export type HeaderBag = Record<string, string | string[] | undefined>;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Waiter {
  resolve(grantedAt: number): void;
  reject(error: unknown): void;
}

/** Sliding-window log of one lane: our own requests plus phantom requests of other processes. */
class WindowLane {
  private own: number[] = [];
  private phantoms: number[] = [];
  private blockedUntil = 0;
  /** Grant times of requests whose response has not been observed yet (oldest first). */
  private inFlight: number[] = [];
  /** Until a first response is observed (or the probe times out), one request at a time. */
  private probing: boolean;
  private probeStartedAt: number | undefined;
  private observation: { promise: Promise<void>; resolve: () => void } | undefined;
  /** Requests waiting for a slot: urgent ones are granted first. */
  readonly urgent: Waiter[] = [];
  readonly waiting: Waiter[] = [];
  /** A pump is granting this lane's waiters. */
  pumping = false;

  /** The waiter granted next, if any. */
  nextWaiter(): Waiter | undefined {
    return this.urgent[0] ?? this.waiting[0];
  }

  /** Removes and returns the waiter granted next (nextWaiter() must have found one). */
  takeWaiter(): Waiter {
    return (this.urgent.length ? this.urgent.shift() : this.waiting.shift()) as Waiter;
  }

  /**
   * `observedLane`: responses come back through `observed()` (the standard lane, whose headers teach the window): it
   * probes with one request until the first, and tracks requests in flight to match them to their answers.
   */
  constructor(
    public limit: number,
    public windowMs: number,
    private readonly safety: number,
    private readonly observedLane: boolean,
    private readonly paddingFraction: number = RATE_BUDGET_DEFAULTS.paddingFraction,
    private readonly burstSpacingShare: number = RATE_BUDGET_DEFAULTS.burstSpacingShare,
  ) {
    this.probing = observedLane;
  }

  private get capacity(): number {
    const shared = this.phantoms.length > 0 ? Math.ceil(this.limit * RATE_BUDGET_DEFAULTS.sharedFraction) : 0;
    return Math.max(1, Math.floor(this.limit * (1 - this.safety)) - shared);
  }

  /** Recent answer time (grant to answer), a moving average: how much a request's delivery may vary. */
  private latencyMs = 0;

  /** How long one of our requests occupies a slot: the window, padded for how late the server may stamp it. */
  private get horizon(): number {
    const { maxJitterMs, maxJitterFraction, jitterShare } = RATE_BUDGET_DEFAULTS;
    const jitter = Math.min(maxJitterMs, maxJitterFraction * this.windowMs, jitterShare * this.latencyMs);
    return this.windowMs * (1 + this.paddingFraction) + jitter + this.learnedMs;
  }

  /** Requests per ms this lane lets through at most, with what other processes spend taken out. */
  get ratePerMs(): number {
    return this.capacity / this.horizon;
  }

  /** An answer came back `ms` after its grant (any lane; the standard lane learns it in `observed` as well). */
  answered(ms: number): void {
    this.latencyMs += 0.1 * (ms - this.latencyMs);
    this.learnedMs *= RATE_BUDGET_DEFAULTS.learnedDecay;
  }

  /** Padding learnt from 429s (ms). */
  private learnedMs = 0;

  /** Milliseconds until one more request fits (0: now). */
  delayUntilFree(now: number): number {
    if (this.blockedUntil > now) return this.blockedUntil - now;
    if (this.probing && this.probeStartedAt !== undefined) {
      const probeWait = this.probeStartedAt + RATE_BUDGET_DEFAULTS.probeTimeoutMs - now;
      if (probeWait > 0) return probeWait;
      this.probing = false; // no headers come back: stop probing, spend by the configured window
    }
    const spacing = (this.windowMs / this.limit) * this.burstSpacingShare;
    const lastGrant = this.own[this.own.length - 1];
    if (spacing >= 1 && lastGrant !== undefined && now - lastGrant < spacing)
      return Math.ceil(lastGrant + spacing - now);
    const cutoff = now - this.horizon;
    // Grants are kept past the window: an answer that comes late is matched against the grants its request saw.
    this.own = this.own.slice(firstAfter(this.own, now - this.windowMs - RATE_BUDGET_DEFAULTS.grantHistoryMs));
    this.phantoms = this.phantoms.slice(firstAfter(this.phantoms, cutoff));
    const own = this.own.slice(firstAfter(this.own, cutoff));
    const all = this.phantoms.length === 0 ? own : [...own, ...this.phantoms].sort((a, b) => a - b);
    // Slots that must be free before this process takes one: 1 alone; with others on the key, its share's worth.
    const allowed = this.capacity - this.freeSlotsNeeded(own.length) + 1;
    if (all.length < allowed) return 0;
    return Math.max(1, Math.ceil(all[all.length - allowed] + this.horizon - now));
  }

  /**
   * Other processes see the same free slots from equally stale headers; if each took them all, every one of
   * them would overshoot. So each claims only its share (its part of the window's recent requests): with
   * three equal workers, one slot per three free. Capped so a newcomer with no history is not starved.
   */
  private freeSlotsNeeded(inWindow: number): number {
    if (this.phantoms.length === 0) return 1;
    const own = Math.max(inWindow, 1);
    return Math.min(Math.ceil((own + this.phantoms.length) / own), RATE_BUDGET_DEFAULTS.maxFreeSlotsNeeded);
  }

  /** Whether a wait may end early when a response is observed. */
  get awaitsProbe(): boolean {
    return this.probing && this.probeStartedAt !== undefined;
  }

  record(now: number): void {
    this.own.push(now);
    if (this.observedLane) this.inFlight.push(now);
    if (this.probing) this.probeStartedAt ??= now;
  }

  /** Resolves at the next observed response. */
  nextObservation(): Promise<void> {
    if (!this.observation) {
      let resolve = () => undefined as void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.observation = { promise, resolve };
    }
    return this.observation.promise;
  }

  /**
   * A response arrived; the server counted `serverCount` requests in its window when the request (granted at
   * `grantedAt`; default: the oldest in flight) arrived. Our own requests in the window ending at its grant
   * time are the ones that count included: the rest of the count belongs to other processes.
   */
  observed(now: number, serverCount: number | undefined, grantedAt?: number): void {
    this.probing = false;
    this.inFlight = this.inFlight.filter((t) => t > now - this.horizon); // requests that failed without an answer
    const index = grantedAt === undefined ? 0 : this.inFlight.indexOf(grantedAt);
    const sentAt = index >= 0 && this.inFlight.length > 0 ? this.inFlight.splice(index, 1)[0] : (grantedAt ?? now);
    const waiter = this.observation;
    this.observation = undefined;
    waiter?.resolve();
    if (serverCount === undefined) return;
    const from = sentAt - this.windowMs;
    const ownCounted = this.own.filter((t) => t > from && t <= sentAt).length;
    this.updatePhantoms(Math.max(0, serverCount - ownCounted), now);
  }

  /**
   * Others have `count` requests in the server's window. Newly seen ones are stamped now (the latest they can
   * have happened, so they are never freed too early, even after a burst); when the server counts fewer than
   * we assumed, the oldest phantoms go.
   */
  private updatePhantoms(count: number, now: number): void {
    const cutoff = now - this.windowMs;
    this.phantoms = this.phantoms.filter((t) => t > cutoff);
    if (count > this.phantoms.length) {
      for (let i = this.phantoms.length; i < count; i += 1) this.phantoms.push(now);
    } else {
      this.phantoms.splice(0, this.phantoms.length - count);
    }
  }

  /** What the lane holds now, for benchmarks and progress: own and other processes' requests, padding. */
  view(now: number) {
    const cutoff = now - this.horizon;
    return {
      own: this.own.length - firstAfter(this.own, cutoff),
      phantoms: this.phantoms.filter((t) => t > cutoff).length,
      capacity: this.capacity,
      learnedMs: Math.round(this.learnedMs),
      blockedMs: Math.max(0, this.blockedUntil - now),
    };
  }

  /**
   * A 429: no request until `until`, and slots held longer from now on. The learnt padding grows a step only for a
   * request granted since it last grew: the others were sent under the old padding, and their 429s (all those in
   * flight when the first came back) tell nothing new.
   */
  block(until: number, grantedAt = Infinity): void {
    this.blockedUntil = Math.max(this.blockedUntil, until);
    if (grantedAt < this.learnedAt) return;
    const { learnedStepFraction, maxLearnedFraction } = RATE_BUDGET_DEFAULTS;
    this.learnedMs = Math.min(this.windowMs * maxLearnedFraction, this.learnedMs + this.windowMs * learnedStepFraction);
    this.learnedAt = until;
  }

  /** When the learnt padding last grew (the block it came with ended then). */
  private learnedAt = -Infinity;
}

/** How long a daily count at the reserve is trusted before one request asks HubSpot again. */
export const DAILY_RECHECK_MS = 10 * 60_000;

/** How long the other requests wait for that request's answer before it counts as none (the count stands). */
export const DAILY_PROBE_HOLD_MS = 60_000;

/** Whether the daily count lets a request go: yes, no, not until the request asking HubSpot is answered, or it asks. */
type DailyGate = 'open' | 'refused' | 'held' | 'probe';

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
  /** When the daily count was last learnt (a header, a 429 DAILY, or a probe let through). */
  private dailyLearnedAt = -Infinity;
  /** The request let through to learn a stale daily count afresh: the others wait for its answer. */
  private dailyProbe: { answered: Promise<void>; settle: () => void } | undefined;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: RateBudgetOptions = {}) {
    const o = { ...RATE_BUDGET_DEFAULTS, ...stripUndefined(options) };
    this.lanes = {
      standard: new WindowLane(o.maxPerWindow, o.windowMs, o.safety, true, o.paddingFraction, o.burstSpacingShare),
      // Five a second leaves no share to hold back: a request lost to safety is a fifth of the lane.
      search: new WindowLane(
        o.searchPerSecond,
        o.searchWindowMs,
        0,
        false,
        o.searchPaddingFraction,
        o.burstSpacingShare,
      ),
      exempt: new WindowLane(UNLIMITED_PER_WINDOW, o.windowMs, 0, false),
    };
    this.dailyReserve = o.dailyReserve;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Waits (FIFO per lane) until a request of this kind fits; rejects when the daily reserve is reached. */
  async acquire(kind: BudgetKind): Promise<void> {
    await this.grant(kind);
  }

  /**
   * Like acquire, resolving the grant time: pass it to `observe` so the response is matched to its request.
   * `urgent` requests go before the others waiting in the lane (FIFO among themselves): a batch read of ids search
   * found unlocks the next search, so it is not left behind a queue of list pages.
   */
  grant(kind: BudgetKind, urgent = false): Promise<number> {
    const lane = this.lanes[kind];
    return new Promise<number>((resolve, reject) => {
      (urgent ? lane.urgent : lane.waiting).push({ resolve, reject });
      void this.pump(lane);
    });
  }

  /** Learns Max / Interval / Remaining / Daily-Remaining from a (standard) response's headers; call once per response. */
  observe(headers: HeaderBag, grantedAt?: number): void {
    const max = readInt(headers, HEADER.max);
    const interval = readInt(headers, HEADER.interval);
    const remaining = readInt(headers, HEADER.remaining);
    const dailyRemaining = readInt(headers, HEADER.dailyRemaining);
    const lane = this.lanes.standard;
    if (max !== undefined && max > 0) lane.limit = max;
    if (interval !== undefined && interval > 0) lane.windowMs = interval;
    if (dailyRemaining !== undefined) {
      this.dailyRemaining = dailyRemaining;
      this.dailyLearnedAt = this.now();
    }
    this.dailyProbe?.settle();
    lane.observed(this.now(), remaining === undefined ? undefined : lane.limit - remaining, grantedAt);
  }

  /** Each lane's state (requests in its window, padding learnt, block), for benchmarks and diagnosis. */
  snapshot() {
    const now = this.now();
    return { standard: this.lanes.standard.view(now), search: this.lanes.search.view(now) };
  }

  /** Requests per ms the lane lets through at most (undefined for the exempt lane, which has no window). */
  ratePerMs(kind: BudgetKind): number | undefined {
    return kind === 'exempt' ? undefined : this.lanes[kind].ratePerMs;
  }

  /** An answer of `kind` arrived `ms` after its request was granted: the lanes pad their slots by its variation. */
  answered(kind: BudgetKind, ms: number): void {
    this.lanes[kind].answered(ms);
    // Settled before the answer's headers are observed: the requests held wake a microtask later, after them.
    this.dailyProbe?.settle();
  }

  /** Blocks the lane for `waitMs` after a 429 of a request granted at `grantedAt` (default: one granted now). */
  penalize(kind: BudgetKind, waitMs: number, grantedAt?: number): void {
    this.lanes[kind].block(this.now() + Math.max(0, waitMs), grantedAt);
  }

  /** The run whose requests this budget last granted (beginRun). */
  private runId: string | undefined;

  /**
   * Requests of `runId` follow. A run other than the last one may start on another day (a warm Lambda's next
   * execution, planned minutes or hours later): a daily count at the reserve is asked again at its first request,
   * without waiting out DAILY_RECHECK_MS. Within one run the recheck time holds, so a spent budget is not hammered.
   */
  beginRun(runId: string): void {
    if (this.runId === runId) return;
    this.runId = runId;
    this.dailyLearnedAt = -Infinity;
  }

  /** A 429 DAILY arrived: refuse further requests until the count is worth asking again (DAILY_RECHECK_MS). */
  markDailyExhausted(): void {
    this.dailyRemaining = 0;
    this.dailyLearnedAt = this.now();
    this.dailyProbe?.settle();
  }

  /**
   * Whether the daily reserve stops requests now. A count learnt DAILY_RECHECK_MS ago or more may be stale (the
   * daily budget resets at midnight in the account's time zone, which this process cannot know): one request goes
   * out to learn it afresh (`probe`), and every other request waits for its answer (`held`) rather than being
   * refused by the count it is about to replace. A warm Lambda would otherwise refuse every later day.
   */
  private dailyGate(): DailyGate {
    if (this.dailyRemaining === undefined || this.dailyRemaining > this.dailyReserve) return 'open';
    if (this.dailyProbe) return 'held';
    return this.now() - this.dailyLearnedAt < DAILY_RECHECK_MS ? 'refused' : 'probe';
  }

  /** The request granted now asks HubSpot for the daily count; the wait starts again whatever it answers. */
  private startDailyProbe(): void {
    this.dailyLearnedAt = this.now();
    let settle = () => undefined as void;
    const answered = new Promise<void>((resolve) => (settle = resolve));
    const probe = {
      answered,
      settle: () => {
        if (this.dailyProbe === probe) this.dailyProbe = undefined;
        settle();
      },
    };
    this.dailyProbe = probe;
  }

  /** Waits for the daily probe's answer, DAILY_PROBE_HOLD_MS at most (a request that failed answers nothing). */
  private async holdForDailyProbe(): Promise<void> {
    const probe = this.dailyProbe!;
    const heldUntil = this.now() + DAILY_PROBE_HOLD_MS;
    // In slices: a timer left by the answer winning the race keeps the process alive a second at most.
    while (this.dailyProbe === probe && this.now() < heldUntil) {
      await Promise.race([probe.answered, this.sleep(Math.min(1_000, heldUntil - this.now()))]);
    }
    if (this.dailyProbe === probe) probe.settle();
  }

  /** The lane's window as currently known (for policy waits). */
  windowMs(kind: BudgetKind): number {
    return this.lanes[kind].windowMs;
  }

  /** Grants the lane's waiters one at a time as slots free, urgent ones first; one pump per lane at a time. */
  private async pump(lane: WindowLane): Promise<void> {
    if (lane.pumping) return;
    lane.pumping = true;
    try {
      // Granted from the next microtask on: a response observed right after the call is seen first.
      await Promise.resolve();
      for (let next = lane.nextWaiter(); next; next = lane.nextWaiter()) {
        const daily = this.dailyGate();
        if (daily === 'held') {
          await this.holdForDailyProbe();
          continue;
        }
        if (daily === 'refused') {
          lane
            .takeWaiter()
            .reject(
              new DailyBudgetExhaustedError(
                `HubSpot daily request budget is down to ${this.dailyRemaining} (reserve ${this.dailyReserve}): ` +
                  'stopped before spending the reserve. Resume after the daily reset (midnight in the account time zone).',
                { remaining: this.dailyRemaining },
              ),
            );
          continue;
        }
        const now = this.now();
        const wait = lane.delayUntilFree(now);
        if (wait <= 0) {
          if (daily === 'probe') this.startDailyProbe();
          lane.record(now);
          this.stats.acquired += 1;
          if (this.dailyRemaining !== undefined) this.dailyRemaining -= 1;
          lane.takeWaiter().resolve(now);
          continue;
        }
        try {
          if (lane.awaitsProbe) await Promise.race([lane.nextObservation(), this.sleep(wait)]);
          else await this.sleep(wait);
        } catch (error) {
          // The wait itself failed (an injected sleep): the request waiting for it fails, the others go on.
          lane.takeWaiter().reject(error);
        }
        this.stats.waitedMs += Math.max(0, this.now() - now);
      }
    } finally {
      lane.pumping = false;
    }
  }
}

/** Index of the first entry of ascending `times` later than `t` (times.length when none is). */
function firstAfter(times: readonly number[], t: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (times[mid] > t) high = mid;
    else low = mid + 1;
  }
  return low;
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
