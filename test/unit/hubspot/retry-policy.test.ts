import {
  RETRY_POLICY,
  classifyStatus,
  computeBackoffMs,
  computeRateLimitWaitMs,
  parseRetryAfterMs,
} from '../../../lib/hubspot/retry-policy';

describe('Function: classifyStatus', () => {
  it.each([
    [200, 'success'],
    [207, 'success'],
    [401, 'unauthorized'],
    [429, 'rate-limited'],
    [423, 'retryable'],
    [500, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
    [504, 'retryable'],
    [521, 'retryable'],
    [523, 'retryable'],
    [524, 'retryable'],
    [400, 'fatal'],
    [403, 'fatal'],
    [404, 'fatal'],
    [414, 'fatal'],
    [501, 'fatal'],
  ])('classifies %d as %s', (status, expected) => {
    expect(classifyStatus(status)).toBe(expected);
  });
});

describe('Function: computeBackoffMs', () => {
  it.each([
    [1, 1, undefined, 500],
    [2, 1, undefined, 1000],
    [4, 0.5, undefined, 2000],
    [20, 1, undefined, RETRY_POLICY.maxDelayMs],
    [1, 0, undefined, 0],
    [1, 0, 423, 2000],
    [5, 0.9, 423, 7200],
  ])('waits for attempt %d with random %d (status %s) %d ms', (attempt, random, status, expected) => {
    expect(computeBackoffMs(attempt, () => random, status)).toBe(expected);
  });
});

describe('Function: computeRateLimitWaitMs', () => {
  it.each([
    ['TEN_SECONDLY_ROLLING', undefined, 2_000],
    ['TEN_SECONDLY_ROLLING', 3000, 3000],
    ['SECONDLY', undefined, 1000],
    ['DAILY', undefined, undefined],
    ['DAILY', 3000, undefined],
  ])('waits for policy %s with Retry-After %s: %s', (policy, retryAfter, expected) => {
    expect(computeRateLimitWaitMs(policy, retryAfter, 10_000)).toBe(expected);
  });
});

describe('Function: parseRetryAfterMs', () => {
  it.each([
    ['2', 2000],
    ['0.5', 500],
    [['3'], 3000],
    ['Thu, 01 Jan 1970 00:00:05 GMT', 4000],
    ['', undefined],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads %j as %s ms', (value, expected) => {
    expect(parseRetryAfterMs(value as string | string[] | undefined, 1000)).toBe(expected);
  });
});
