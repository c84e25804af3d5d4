import { PassThrough } from 'node:stream';
import { createProgressReporter } from '../../../lib/cli/progress';
import type { ProgressEvent } from '../../../lib/sync/deps';

describe('Function: createProgressReporter (log lines, not a terminal)', () => {
  afterEach(() => jest.useRealTimers());

  it('shows a rate only once pages came for a second, counted from the first page on', () => {
    jest.useFakeTimers({ now: new Date('2026-11-29T12:00:00Z') });
    const stderr = new PassThrough();
    const reporter = createProgressReporter({ stdout: new PassThrough(), stderr, env: {} });
    const event = (rows: number, extra: Partial<ProgressEvent> = {}): ProgressEvent => ({
      object: 'contacts',
      phase: 'live',
      rows,
      pages: rows / 100,
      requests: rows / 50,
      ...extra,
    });

    reporter.update(event(100, { expected: 1_000 }));
    jest.advanceTimersByTime(5_000);
    reporter.update(event(600, { expected: 1_000 }));
    jest.advanceTimersByTime(1_000);
    reporter.update(event(700, { done: true }));

    expect(String(stderr.read()).trim().split('\n')).toEqual([
      'contacts: 100/~1000 records, 1 pages, 2 requests (live)',
      'contacts: 600/~1000 records, 6 pages, 12 requests, 100 rec/s (live)',
      'contacts: 700 records, 7 pages, 14 requests, 100 rec/s (live)',
    ]);
  });
});
