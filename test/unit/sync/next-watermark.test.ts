import { nextWatermark } from '../../../lib/sync/finalize';
import type { RunPlan, WorkItem } from '../../../lib/sync/types';

const plan = { startedAt: '2026-03-01T12:00:00.000Z' } as RunPlan;
const item = (fields: Partial<WorkItem>) => ({ kind: 'records', object: 'deals', ...fields }) as WorkItem;
const CURRENT = '2026-02-28T12:00:00.000Z';
const UNTIL = '2026-03-01T11:59:00.000Z';

describe('Function: nextWatermark', () => {
  it.each([
    [
      'a full run: its own start (changes while it ran come with the next incremental run)',
      item({ mode: 'full' }),
      CURRENT,
      plan.startedAt,
    ],
    ['an incremental run: the end of its window', item({ mode: 'incremental', until: UNTIL }), CURRENT, UNTIL],
    ['an incremental run without an end: the watermark it had', item({ mode: 'incremental' }), CURRENT, CURRENT],
    [
      'a backfill: the watermark it had (it reads a window of its own)',
      item({ mode: 'backfill', until: UNTIL }),
      CURRENT,
      CURRENT,
    ],
    ['a backfill of an object without one: none', item({ mode: 'backfill', until: UNTIL }), null, null],
    ['a side table: none', item({ kind: 'owners', mode: 'full' }), CURRENT, null],
  ] as [string, WorkItem, string | null, string | null][])('%s', (_what, it_, current, expected) => {
    expect(nextWatermark(plan, it_, current)).toBe(expected);
  });
});
