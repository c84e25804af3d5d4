/**
 * The process's request scheduler: it watches how long HubSpot takes to answer and how many requests each budget
 * lane has issued, and says how many more the readers should start so that the rate budget, not the latency, sets
 * the pace. By Little's law a lane spending `rate` requests per second at `latency` seconds each has rate x latency
 * in flight; the scheduler asks for that plus a margin, so a request is always waiting when the budget frees a slot,
 * whatever the latency and however it changes during a run. Requests waiting on the budget hold no memory; those in
 * flight are bounded by the budget itself (rate x latency), so memory stays bounded too.
 */
import type { BudgetKind, RateBudget } from './rate-budget';

export const SCHEDULER_DEFAULTS = {
  /** Requests asked for beyond rate x latency (the margin that keeps one waiting at every free slot). */
  headroom: 1.5,
  /** Added to every lane's target: covers a request's own turnaround inside the engine. */
  spare: 2,
  /** Most requests a lane asks for, whatever the latency (bounds work queued behind the budget). */
  maxIssued: { standard: 96, search: 24, exempt: 24 },
  /** Latency assumed until the first answers (ms). */
  initialLatencyMs: 250,
  /** Weight of each new latency sample in the moving average. */
  smoothing: 0.1,
} as const;

interface LaneState {
  issued: number;
  latencyMs: number;
  answered: number;
}

/**
 * @example
 * const scheduler = new RequestScheduler(budget);
 * const done = scheduler.begin('standard'); ...; done(); // around each attempt
 * while (scheduler.spare('standard') > 0) startAnotherRange();
 */
export class RequestScheduler {
  private readonly lanes: Record<BudgetKind, LaneState>;

  constructor(
    private readonly budget: RateBudget,
    private readonly now: () => number = Date.now,
  ) {
    const lane = (): LaneState => ({ issued: 0, latencyMs: SCHEDULER_DEFAULTS.initialLatencyMs, answered: 0 });
    this.lanes = { standard: lane(), search: lane(), exempt: lane() };
  }

  /** Counts a request of `kind` as issued (waiting on the budget or in flight); the returned call ends it. */
  begin(kind: BudgetKind): { sent(): void; done(): void } {
    const lane = this.lanes[kind];
    lane.issued += 1;
    let sentAt: number | undefined;
    let ended = false;
    return {
      sent: () => {
        sentAt = this.now();
      },
      done: () => {
        if (ended) return;
        ended = true;
        lane.issued -= 1;
        if (sentAt === undefined) return;
        const took = Math.max(0, this.now() - sentAt);
        const weight = lane.answered === 0 ? 1 : SCHEDULER_DEFAULTS.smoothing;
        lane.latencyMs += weight * (took - lane.latencyMs);
        lane.answered += 1;
      },
    };
  }

  /** Requests of `kind` the lane should have issued: its budget's rate times the latency, with headroom. */
  target(kind: BudgetKind): number {
    const lane = this.lanes[kind];
    const max = SCHEDULER_DEFAULTS.maxIssued[kind];
    const perMs = this.budget.ratePerMs(kind);
    if (perMs === undefined) return max;
    const wanted = Math.ceil(perMs * lane.latencyMs * SCHEDULER_DEFAULTS.headroom) + SCHEDULER_DEFAULTS.spare;
    return Math.min(max, wanted);
  }

  /** How many more requests of `kind` the readers should start now (0 or less: enough are issued). */
  spare(kind: BudgetKind): number {
    return this.target(kind) - this.lanes[kind].issued;
  }

  /** Issued requests and the moving average of answer times per lane, for progress and benchmarks. */
  snapshot(): Record<BudgetKind, { issued: number; latencyMs: number; target: number }> {
    const view = (kind: BudgetKind) => ({
      issued: this.lanes[kind].issued,
      latencyMs: Math.round(this.lanes[kind].latencyMs),
      target: this.target(kind),
    });
    return { standard: view('standard'), search: view('search'), exempt: view('exempt') };
  }
}
