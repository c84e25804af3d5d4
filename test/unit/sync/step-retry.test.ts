import { STEP_RETRY_POLICY, stepRetryDelayMs } from '../../../lib/sync/step-retry';

describe('Function: stepRetryDelayMs', () => {
  it('waits 30 s, 60 s, then 120 s before the three retries of a step', () => {
    const delays = Array.from({ length: STEP_RETRY_POLICY.maxRetries }, (_, i) => stepRetryDelayMs(i + 1));

    expect(delays).toEqual([30_000, 60_000, 120_000]);
  });
});
