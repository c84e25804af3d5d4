import { classify } from '../core/errors';
import { mapLimit } from '../core/map-limit';
import { renewLease } from './checkpoint';
import type { SyncDeps } from './deps';
import { finalizeRun, type FinalizeOptions } from './finalize';
import { planRun, PlanStoppedError } from './plan';
import { makeRunId } from './run-id';
import type { RunInput } from './run-input';
import { withStepRetries, type StepRetryOptions } from './step-retry';
import { runSyncStep } from './sync-step';
import type { ObjectFailure, RunResult, WorkItem } from './types';

export interface LocalRunOptions {
  /** Items synced at once; they share one rate budget. Default 4. */
  concurrency?: number;
  /** Per-item dependencies (its own client for per-object request counts); default the shared deps. */
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
  /**
   * Waits between retries of a failed plan, step or finalize (tests pass a fast one); default a timer the signal
   * cuts short.
   */
  sleep?: (ms: number) => Promise<void>;
}

/** The reason an object stopped by LocalRunOptions.signal is reported with. */
export const INTERRUPTED = 'interrupted before it finished';

/** A timer that an abort ends early (the run is stopping: no point waiting to retry). */
const abortableSleep =
  (signal: AbortSignal | undefined) =>
  (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });

/**
 * The local driver: plan -> steps (items concurrently) -> finalize, in-process; the same engine the Step Functions
 * state machine drives in AWS, with the same retries of each of them (STEP_RETRY_POLICY) and the same reasons.
 */
export async function runLocally(deps: SyncDeps, input: RunInput, options: LocalRunOptions = {}): Promise<RunResult> {
  const { signal } = options;
  const retry = { log: deps.log, sleep: options.sleep ?? abortableSleep(signal), signal };
  // One id for every attempt, as the state machine's execution gives its plan: a retried plan takes back the leases
  // an attempt took, or returns the plan it stored.
  const runId = options.runId ?? makeRunId(deps.now());
  const plan = await withStepRetries(() => planRun(deps, input, { runId, signal }), {
    ...retry,
    what: `plan of run ${runId}`,
  }).catch((error: unknown) => {
    // Stopped while waiting to retry: the failed attempt released its leases, as a plan stopped by the signal does.
    throw signal?.aborted && classify(error).retryable ? new PlanStoppedError() : error;
  });
  const failedItems: ObjectFailure[] = [];
  const heartbeat = startHeartbeat(deps, plan.items);
  try {
    await mapLimit(plan.items, options.concurrency ?? 4, async (item) => {
      const failure = await syncItem(options.depsFor?.(item) ?? deps, item, options, retry);
      if (failure) failedItems.push(failure);
    });
  } finally {
    await heartbeat.stop();
  }
  // Safe to call again: what an attempt published is read back, and the leases it released stay released.
  return withStepRetries(() => finalizeRun(deps, plan.runId, { failedItems, publishEvents: options.publishEvents }), {
    ...retry,
    what: `finalize of run ${plan.runId}`,
  });
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

/** Steps one item until done; a retryable failure is retried from the checkpoint, as the state machine does. */
async function syncItem(
  deps: SyncDeps,
  item: WorkItem,
  options: LocalRunOptions,
  retry: Omit<StepRetryOptions, 'what'>,
): Promise<ObjectFailure | undefined> {
  const { signal } = options;
  const step = () => runSyncStep(deps, item, { deadline: options.stepDeadline?.() ?? Infinity, signal });
  const stepRetry = { ...retry, what: item.object, retrying: 'retrying from its checkpoint' };
  for (;;) {
    if (signal?.aborted) return { object: item.object, reason: INTERRUPTED };
    try {
      // Each step has its retries: the count starts again after a step that succeeds.
      if ((await withStepRetries(step, stepRetry)).done) return undefined;
    } catch (error) {
      const { retryable, reason } = classify(error);
      // The stop cut its retries short: interrupted, not failed.
      if (retryable && signal?.aborted) return { object: item.object, reason: INTERRUPTED };
      // The run's summary reports it (one `error:` line); this says when it happened.
      deps.log.info(`${item.object} stopped: ${reason}`);
      return { object: item.object, reason };
    }
  }
}
