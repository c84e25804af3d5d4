import { classify } from '../core/errors';

/**
 * How a failed step (the plan, a sync step, finalize) is retried, the same in both drivers: the deployed state
 * machine's Retry on its Plan, SyncStep and Finalize tasks (cdk/constructs/orchestration.ts reads these numbers) and
 * the CLI's local driver (withStepRetries). A retried sync step resumes from its checkpoint; the count starts again
 * after a step that succeeds, as a Step Functions state's retries do.
 */
export const STEP_RETRY_POLICY = {
  /** Retries of one step after its first attempt. */
  maxRetries: 3,
  firstIntervalMs: 30_000,
  backoffRate: 2,
} as const;

/** The wait before retry `n` (1-based): 30 s, 60 s, 120 s. */
export function stepRetryDelayMs(n: number): number {
  return STEP_RETRY_POLICY.firstIntervalMs * STEP_RETRY_POLICY.backoffRate ** (n - 1);
}

export interface StepRetryOptions {
  /** What failed, as the warn line names it: `contacts`, `plan of run <id>`. */
  what: string;
  /** What a retry does, in the warn line; default `retrying`. */
  retrying?: string;
  log: { warn(message: string): void };
  /** Waits between attempts. */
  sleep: (ms: number) => Promise<void>;
  /** Aborted: the run is stopping, so a failure is thrown as it is instead of retried, also one met while waiting. */
  signal?: AbortSignal;
}

/**
 * Runs `attempt` once, then again after each failure that classify() calls retryable, up to
 * STEP_RETRY_POLICY.maxRetries times, waiting stepRetryDelayMs before each retry and logging a warn line. A failure
 * that is not retryable, the last one, or one once `signal` is aborted is thrown.
 *
 * @example
 * const plan = await withStepRetries(() => planRun(deps, input, { runId }), {
 *   what: `plan of run ${runId}`,
 *   log: deps.log,
 *   sleep,
 * });
 */
export async function withStepRetries<T>(attempt: () => Promise<T>, options: StepRetryOptions): Promise<T> {
  const { signal } = options;
  for (let retries = 0; ;) {
    try {
      return await attempt();
    } catch (error) {
      const { retryable, reason } = classify(error);
      if (!retryable || retries >= STEP_RETRY_POLICY.maxRetries || signal?.aborted) throw error;
      retries += 1;
      const waitMs = stepRetryDelayMs(retries);
      options.log.warn(
        `${options.what}: ${reason}; ${options.retrying ?? 'retrying'} in ${Math.round(waitMs / 1000)} s ` +
          `(retry ${retries} of ${STEP_RETRY_POLICY.maxRetries})`,
      );
      await options.sleep(waitMs);
      if (signal?.aborted) throw error;
    }
  }
}

/**
 * The error name under which a handler fails when no retry can fix the failure (classify says so): the state
 * machine's Retry on Plan and SyncStep matches it and does not retry (Finalize, idempotent, retries everything). Step Functions matches names
 * exactly, and retryability belongs to the error, not its class (a HubSpotError may be either), so it is one name.
 */
export const FINAL_ERROR = 'FinalError';

/**
 * Runs a handler's work. A failure that is final is thrown as it is, renamed FINAL_ERROR, its own name leading the
 * message (`FinalError: InvalidInputError: invalid plan event: …`); a retryable one is thrown untouched.
 * @example export const handler = (event: unknown) => failingFinally(() => plan(event));
 */
export async function failingFinally<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { retryable, name } = classify(error);
    if (!retryable && error instanceof Error && error.name !== FINAL_ERROR) {
      error.message = `${name}: ${error.message}`;
      error.name = FINAL_ERROR;
    }
    throw error;
  }
}
