/**
 * Which failures are retried and how long to wait: pure functions and tables, tested alone.
 */

export const RETRY_POLICY = {
  maxAttempts: 6,
  /** 429s are waited out separately from other failures: a burst must not exhaust the error attempts. */
  maxRateLimitedRetries: 12,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  /** HubSpot asks for at least 2 s after a 423 Locked. */
  lockedMinDelayMs: 2_000,
  /** SECONDLY (search) 429s: wait about a second. */
  secondlyWaitMs: 1_000,
  /**
   * TEN_SECONDLY_ROLLING 429s: wait this share of the window. A request just over the limit needs only the oldest
   * few in the server's window to expire, not the whole window; the budget also learns to pad its slots more.
   */
  tenSecondlyWaitShare: 0.2,
} as const;

/** Statuses that are retried with backoff (423 has its own floor). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([423, 500, 502, 503, 504, 521, 523, 524]);

export type StatusClass = 'success' | 'unauthorized' | 'rate-limited' | 'retryable' | 'fatal';

export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status < 300) return 'success';
  if (status === 401) return 'unauthorized';
  if (status === 429) return 'rate-limited';
  if (RETRYABLE_STATUSES.has(status)) return 'retryable';
  return 'fatal';
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]. */
export function computeBackoffMs(attempt: number, random: () => number, status?: number): number {
  const ceiling = Math.min(RETRY_POLICY.maxDelayMs, RETRY_POLICY.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const delay = Math.floor(random() * ceiling);
  return status === 423 ? Math.max(RETRY_POLICY.lockedMinDelayMs, delay) : delay;
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds; undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long a 429 blocks its lane: Retry-After when present; else the policy's natural wait
 * (TEN_SECONDLY_ROLLING: a whole window; SECONDLY: a second). DAILY is not waited out (undefined).
 */
export function computeRateLimitWaitMs(
  policy: string,
  retryAfterMs: number | undefined,
  windowMs: number,
): number | undefined {
  if (policy === 'DAILY') return undefined;
  if (retryAfterMs !== undefined) return retryAfterMs;
  if (policy === 'SECONDLY') return RETRY_POLICY.secondlyWaitMs;
  return windowMs * RETRY_POLICY.tenSecondlyWaitShare;
}
