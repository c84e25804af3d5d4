/**
 * How a failed sync step is retried, the same in both drivers: the deployed state machine's Retry on the SyncStep
 * task (cdk/constructs/orchestration.ts reads these numbers) and the CLI's local driver. A retried step resumes from
 * its checkpoint; the count starts again after a step that succeeds, as a Step Functions state's retries do.
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
