import { missingScopeReason } from '../hubspot';
import { renewLease } from './checkpoint';
import type { SyncDeps } from './deps';
import { finalizeRun, type FinalizeOptions, type RunResult } from './finalize';
import { planRun } from './plan';
import type { RunInput } from './run-input';
import { runSyncStep } from './sync-step';
import type { ObjectFailure, WorkItem } from './types';

export interface LocalRunOptions {
  /** Objects synced at once; they share one rate budget. Default 4. */
  concurrency?: number;
  /** Per-object dependencies (its own client for per-object request counts); default the shared deps. */
  depsFor?: (item: WorkItem) => SyncDeps;
  /** Step deadline factory (tests force tiny budgets to exercise resume); default no deadline. */
  stepDeadline?: () => number;
  publishEvents?: FinalizeOptions['publishEvents'];
  runId?: string;
  /**
   * Aborted: every object stops after the part it is writing and is reported `interrupted`; finalize still runs,
   * so objects already finished are published, the others' parts removed and every lease released.
   */
  signal?: AbortSignal;
}

/** The reason an object stopped by LocalRunOptions.signal is reported with. */
export const INTERRUPTED = 'interrupted before it finished';

async function mapLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  });
  await Promise.all(workers);
}

/**
 * The local driver: plan -> steps (objects concurrently) -> finalize, in-process; the same engine
 * the Step Functions state machine drives in AWS.
 */
export async function runLocally(deps: SyncDeps, input: RunInput, options: LocalRunOptions = {}): Promise<RunResult> {
  const plan = await planRun(deps, input, { runId: options.runId, signal: options.signal });
  const failedItems: ObjectFailure[] = [];
  const heartbeat = startHeartbeat(deps, plan.items);
  try {
    await syncItems(deps, plan.items, options, failedItems);
  } finally {
    await heartbeat.stop();
  }
  return finalizeRun(deps, plan.runId, { failedItems, publishEvents: options.publishEvents });
}

/**
 * Renews every item's lease a few times per lease period while the run lives, so items queued
 * behind others keep theirs; a killed process stops renewing and its leases lapse.
 */
function startHeartbeat(deps: SyncDeps, items: WorkItem[]): { stop(): Promise<void> } {
  let beat: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    beat = Promise.allSettled(items.map((item) => renewLease(deps, item)));
  }, deps.settings.leaseTtlMs / 3);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await beat;
    },
  };
}

async function syncItems(
  deps: SyncDeps,
  items: WorkItem[],
  options: LocalRunOptions,
  failedItems: ObjectFailure[],
): Promise<void> {
  await mapLimit(items, options.concurrency ?? 4, async (item) => {
    const itemDeps = options.depsFor?.(item) ?? deps;
    const { signal } = options;
    try {
      for (;;) {
        if (signal?.aborted) {
          failedItems.push({ object: item.object, reason: INTERRUPTED });
          break;
        }
        const deadline = options.stepDeadline?.() ?? Infinity;
        if ((await runSyncStep(itemDeps, item, { deadline, signal })).done) break;
      }
    } catch (error) {
      const reason = missingScopeReason(error) ?? (error instanceof Error ? error.message : String(error));
      // The run's summary reports it (one `error:` line); this says when it happened.
      deps.log.info(`${item.object} stopped: ${reason}`);
      failedItems.push({ object: item.object, reason });
    }
  });
}
