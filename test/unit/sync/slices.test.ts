import { partBlockOf, sliceItem } from '../../../lib/sync/slices';
import type { WorkItem } from '../../../lib/sync/types';

const ITEM: WorkItem = {
  runId: 'R',
  kind: 'records',
  object: 'contacts',
  apiName: 'contacts',
  mode: 'full',
  snapshotDate: '2026-12-07',
  startedAt: '2026-12-07T00:00:00.000Z',
  expected: 200_000,
  idBounds: { min: '1000', max: '400999' },
};

describe('Function: sliceItem', () => {
  it('splits a large full run into even id spans, the first from the start and the last to the end', () => {
    const slices = sliceItem(ITEM, { slicesPerObject: 4, sliceMinRecords: 50_000 }).map((item) => item.slice);
    expect(slices).toEqual([
      { index: 0, count: 4, end: '101000' },
      { index: 1, count: 4, start: '101000', end: '201000' },
      { index: 2, count: 4, start: '201000', end: '301000' },
      { index: 3, count: 4, start: '301000' },
    ]);
  });

  it.each([
    ['too few records for two slices', { ...ITEM, expected: 90_000 }],
    ['an incremental run', { ...ITEM, mode: 'incremental' as const }],
    ['no id bounds', { ...ITEM, idBounds: undefined }],
  ])('leaves the item whole with %s', (_what, item) => {
    expect(sliceItem(item, { slicesPerObject: 4, sliceMinRecords: 50_000 })).toEqual([item]);
  });

  it('gives each slice its own block of part numbers', () => {
    expect(partBlockOf({ slice: { index: 3, count: 4 } })).toBe(3_000);
    expect(partBlockOf({})).toBe(0);
  });
});
