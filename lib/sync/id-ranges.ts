/**
 * Pure helpers for reading one object in id ranges: the ranges a phase starts with, and which range to split (and
 * where) when the budget could take more requests than the ranges in flight ask for. Ranges tile the item's ids with
 * no gap and no overlap, so every record is read by exactly one of them.
 */
import { compareIds, idSpan, midId } from '../hubspot/record-ids';
import type { IdBounds, ItemSlice } from './types';

/** One id range of a phase as checkpoints keep it. */
export interface RangeCursor {
  /** First id not read yet (inclusive); absent: from the first record. */
  from?: string;
  /** First id of the next range (exclusive); absent: to the last record. */
  end?: string;
  /** Every record of the range is in an uploaded part. */
  done?: boolean;
}

/** Records per id when nothing better is known (HubSpot ids step by a few per record). */
export const DEFAULT_DENSITY = 0.2;

const isBefore = (a: string, b: string | undefined) => b === undefined || compareIds(a, b) < 0;

/**
 * The ranges a phase starts with: the item's slice (or all ids), cut at the highest id search knew of when
 * planned, so the ranges below it can be read by search and the newest records (which search may not have
 * indexed yet) always by the list endpoint.
 * @example initialRanges({ start: '100', end: '900' }, { min: '100', max: '500' }) // [{from:'100',end:'501'},{from:'501',end:'900'}]
 */
export function initialRanges(slice: Pick<ItemSlice, 'start' | 'end'> | undefined, bounds?: IdBounds): RangeCursor[] {
  const from = slice?.start;
  const end = slice?.end;
  const cut = bounds ? (BigInt(bounds.max) + 1n).toString() : undefined;
  const cuts = cut !== undefined && (from === undefined || compareIds(from, cut) < 0) && isBefore(cut, end);
  const ranges: RangeCursor[] = cuts
    ? [
        { from, end: cut },
        { from: cut, end },
      ]
    : [{ from, end }];
  return ranges.map((range) => Object.fromEntries(Object.entries(range).filter(([, v]) => v !== undefined)));
}

/** Where a range's unread ids start and end, for estimates: open ends take the object's bounds. */
function extent(range: RangeCursor, fetched: string | undefined, bounds?: IdBounds): [string, string] | undefined {
  const from = fetched ?? range.from ?? bounds?.min;
  const end = range.end ?? (bounds ? (BigInt(bounds.max) + 1n).toString() : undefined);
  return from === undefined || end === undefined ? undefined : [from, end];
}

/** Estimated records a range has left to read from `fetched` (its reader's position). */
export function remainingRecords(
  range: RangeCursor,
  fetched: string | undefined,
  bounds?: IdBounds,
  density = DEFAULT_DENSITY,
) {
  const span = extent(range, fetched, bounds);
  return span ? idSpan(span[0], span[1]) * density : 0;
}

/**
 * Where to split a range its reader has read up to `fetched`: halfway through its unread ids, or undefined when it
 * has fewer than `minRecords` left (a split costs a partial page at each of its ends).
 */
export function splitPoint(
  range: RangeCursor,
  fetched: string | undefined,
  minRecords: number,
  bounds?: IdBounds,
  density = DEFAULT_DENSITY,
): string | undefined {
  if (range.done || remainingRecords(range, fetched, bounds, density) < minRecords) return undefined;
  const span = extent(range, fetched, bounds);
  return span ? midId(span[0], span[1]) : undefined;
}

/** Records per id across the object's bounds, from the plan's count of live records. */
export function densityOf(bounds: IdBounds | undefined, expected: number | undefined): number {
  if (!bounds || !expected) return DEFAULT_DENSITY;
  const span = idSpan(bounds.min, (BigInt(bounds.max) + 1n).toString());
  return span > 0 ? Math.min(1, expected / span) : DEFAULT_DENSITY;
}
