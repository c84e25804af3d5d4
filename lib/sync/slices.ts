/**
 * A large object split across items by id, so that several sync-step Lambdas export it side by side (each with its
 * own checkpoint and part numbers) and finalize publishes their parts as one dataset.
 */
import { InternalError } from '../core/errors';
import type { SyncSettings } from './deps';
import type { WorkItem } from './types';

/** Part numbers per slice: slice k numbers its parts from k x 1,000 (five digits leave room for 100 slices). */
export const SLICE_PART_BLOCK = 1_000;
export const MAX_SLICES = 100;

/**
 * The items `item` is exported as: itself, or `n` slices of even id spans when it is a full run of an object with
 * at least `sliceMinRecords` records per slice. Slice 0 starts at the first record and the last one runs to the
 * last, so records created meanwhile with higher ids are read too.
 * @example sliceItem(contacts, { slicesPerObject: 4, sliceMinRecords: 50_000 }) // 4 items with slice {index, count, start, end}
 */
export function sliceItem(
  item: WorkItem,
  settings: Pick<SyncSettings, 'slicesPerObject' | 'sliceMinRecords'>,
): WorkItem[] {
  const bounds = item.idBounds;
  const wanted = Math.min(
    settings.slicesPerObject,
    MAX_SLICES,
    Math.floor((item.expected ?? 0) / settings.sliceMinRecords),
  );
  if (item.kind !== 'records' || item.mode !== 'full' || !bounds || wanted < 2) return [item];
  const low = BigInt(bounds.min);
  const span = BigInt(bounds.max) + 1n - low;
  const count = span < BigInt(wanted) ? Number(span) : wanted;
  if (count < 2) return [item];
  const cut = (k: number) => (low + (span * BigInt(k)) / BigInt(count)).toString();
  return Array.from({ length: count }, (_, index) => ({
    ...item,
    slice: {
      index,
      count,
      ...(index > 0 ? { start: cut(index) } : {}),
      ...(index < count - 1 ? { end: cut(index + 1) } : {}),
    },
  }));
}

/** The first part number of an item's block (0 for a whole object). */
export const partBlockOf = (item: Pick<WorkItem, 'slice'>): number => (item.slice?.index ?? 0) * SLICE_PART_BLOCK;

/** Throws when a slice has used its whole block of part numbers. */
export function assertInBlock(item: Pick<WorkItem, 'slice' | 'object'>, index: number): void {
  if (item.slice && index >= partBlockOf(item) + SLICE_PART_BLOCK) {
    throw new InternalError(
      `slice ${item.slice.index} of ${item.object} ran out of part numbers (${SLICE_PART_BLOCK}); raise --part-rows`,
    );
  }
}
