/**
 * Reads one phase of an object (its live or archived records) in id ranges side by side, as many as the process's
 * scheduler says the rate budget can take, and hands their pages to the step one at a time with the ranges'
 * positions after each (what the checkpoint stores). When a range finishes, or latency grows, the range with the
 * most left is split in two, so a skewed id distribution leaves no long serial tail. Ranges below the highest id
 * search knew of at plan time may be read through search, on its own 5/s budget, while the others list.
 *
 * Each range's reader runs ahead of the step into a bounded buffer, so fetching goes on while the step writes a
 * part; positions are committed only as the step takes pages, so a checkpoint never covers a page not yet written.
 */
import {
  compareIds,
  fitsSearchBody,
  listRecords,
  searchRecords,
  type HubSpotClient,
  type RecordPage,
} from '../hubspot';
import type { HubSpotRecord } from '../hubspot/types';
import { densityOf, remainingRecords, splitPoint, type RangeCursor } from './id-ranges';
import type { IdBounds } from './types';

export interface RangeReaderOptions {
  objectType: string;
  properties: string[];
  archived: boolean;
  /** Where each range stands (a fresh phase: initialRanges; a resumed one: the checkpoint's). */
  ranges: RangeCursor[];
  bounds?: IdBounds;
  /** Live records the plan counted (for estimates). */
  expected?: number;
  /** Ranges ending at or below this id may be read through search; none when undefined. */
  searchBelow?: string;
  /** Search may return records whole from this time on (epoch ms; later writes are indexed by then). */
  wholeSearchFrom?: number;
  /** Most ranges read at once. */
  maxRanges: number;
  /** A range with fewer records left is not split. */
  minSplitRecords: number;
  now: () => number;
}

/** One page of the phase, and where every range stands once the step has it. */
export interface RangePage {
  records: HubSpotRecord[];
  ranges: RangeCursor[];
  /** Every range is done: the phase ends with this page. */
  last: boolean;
}

/** Records the readers may hold ahead of the step, all ranges together (about 20 wide pages). */
export const BUFFERED_RECORDS = 2_000;

/** Most ranges one item reads through search at once (its lane takes 5 a second, shared by every item). */
export const MAX_SEARCH_RANGES = 16;

type Source = 'list' | 'search';

/** A range, its reader, and how far the reader (ahead of the step) has got. */
interface LiveRange {
  cursor: RangeCursor;
  /** Next id the reader reads: ahead of cursor.from by the pages in the buffer. */
  fetched?: string;
  /** The reader has delivered its last page. */
  finished: boolean;
  source?: Source;
  stop?: () => void;
}

interface Delivery {
  range: LiveRange;
  records: HubSpotRecord[];
  /** Where the range continues after this page; undefined: it is done. */
  next?: string;
}

/** Pages of one phase read in parallel id ranges (see the module comment). */
export async function* readRanges(client: HubSpotClient, options: RangeReaderOptions): AsyncGenerator<RangePage> {
  const reader = new RangeReader(client, options);
  try {
    yield* reader.pages();
  } finally {
    reader.stop();
  }
}

class RangeReader {
  private readonly ranges: LiveRange[];
  private readonly buffer: Delivery[] = [];
  private buffered = 0;
  private failure: { error: unknown } | undefined;
  private stopped = false;
  /** Wakes the step when a page (or a failure) arrives. */
  private wakeConsumer: (() => void) | undefined;
  /** Wakes readers waiting for room in the buffer. */
  private readonly wakeReaders: (() => void)[] = [];
  private readonly density: number;
  private readonly whole: boolean;

  constructor(
    private readonly client: HubSpotClient,
    private readonly options: RangeReaderOptions,
  ) {
    this.ranges = options.ranges.map((cursor) => ({
      cursor: { ...cursor },
      fetched: cursor.from,
      finished: !!cursor.done,
    }));
    this.density = densityOf(options.bounds, options.expected);
    this.whole = fitsSearchBody(options.properties);
  }

  async *pages(): AsyncGenerator<RangePage> {
    if (this.ranges.every((r) => r.cursor.done)) {
      yield { records: [], ranges: this.snapshot(), last: true };
      return;
    }
    for (const range of this.ranges) if (!range.finished) this.start(range);
    this.widen();
    for (;;) {
      const delivery = await this.take();
      const { range } = delivery;
      range.cursor.from = delivery.next ?? range.cursor.from;
      if (delivery.next === undefined) range.cursor.done = true;
      const last = this.ranges.every((r) => r.cursor.done);
      yield { records: delivery.records, ranges: this.snapshot(), last };
      if (last) return;
      this.widen();
    }
  }

  stop(): void {
    this.stopped = true;
    for (const range of this.ranges) range.stop?.();
    for (const wake of this.wakeReaders.splice(0)) wake();
  }

  /** Where every range stands, as the checkpoint keeps it (only pages the step has taken count). */
  private snapshot(): RangeCursor[] {
    return this.ranges.map(({ cursor }) => ({ ...cursor }));
  }

  /**
   * Splits ranges while the budget could take more requests than the readers ask for: a piece for search while its
   * lane has room (up to MAX_SEARCH_RANGES), one for the list endpoint while the ten-second lane has (up to maxRanges).
   */
  private widen(): void {
    while (!this.stopped) {
      const active = this.active();
      const searching = active.filter((r) => r.source === 'search').length;
      const { scheduler } = this.client;
      const wantsSearch = this.searchPays() && searching < MAX_SEARCH_RANGES && scheduler.spare('search') > 0;
      const wantsList = active.length - searching < this.options.maxRanges && scheduler.spare('standard') > 0;
      const source: Source | undefined = wantsSearch ? 'search' : wantsList ? 'list' : undefined;
      if (!source) return;
      const candidate = this.largestSplittable(source === 'search');
      if (!candidate) {
        if (source === 'search' && wantsList && this.largestSplittable(false)) {
          this.split(...(this.largestSplittable(false) as [LiveRange, string]), 'list');
          continue;
        }
        return;
      }
      this.split(candidate[0], candidate[1], source);
    }
  }

  private split(range: LiveRange, at: string, source: Source): void {
    const piece: LiveRange = {
      cursor: { from: at, ...(range.cursor.end === undefined ? {} : { end: range.cursor.end }) },
      fetched: at,
      finished: false,
    };
    range.cursor.end = at;
    this.ranges.splice(this.ranges.indexOf(range) + 1, 0, piece);
    this.start(piece, source);
  }

  private active(): LiveRange[] {
    return this.ranges.filter((r) => !r.finished);
  }

  /** The range with the most left to read that is worth splitting (for search: one wholly below its bound). */
  private largestSplittable(forSearch: boolean): [LiveRange, string] | undefined {
    let best: [LiveRange, string, number] | undefined;
    for (const range of this.active()) {
      if (forSearch && !this.belowSearchBound(range)) continue;
      const at = splitPoint(
        range.cursor,
        range.fetched,
        this.options.minSplitRecords,
        this.options.bounds,
        this.density,
      );
      if (at === undefined) continue;
      const left = remainingRecords(range.cursor, range.fetched, this.options.bounds, this.density);
      if (!best || left > best[2]) best = [range, at, left];
    }
    return best && [best[0], best[1]];
  }

  private belowSearchBound(range: LiveRange): boolean {
    const { searchBelow } = this.options;
    const end = range.cursor.end;
    return searchBelow !== undefined && end !== undefined && compareIds(end, searchBelow) <= 0;
  }

  /**
   * Whether reading through search saves standard requests now: a wide object's ids (a batch read per 100 instead of
   * a list page and a batch read), a narrow one's whole records once the run is older than the search lag.
   */
  private searchPays(): boolean {
    if (this.options.archived || this.options.searchBelow === undefined) return false;
    const { wholeSearchFrom } = this.options;
    return !this.whole || (wholeSearchFrom !== undefined && this.options.now() >= wholeSearchFrom);
  }

  /** The source a range starts with: search when it lies below the bound, pays, and search has room. */
  private sourceFor(range: LiveRange): Source {
    const room = this.client.scheduler.spare('search') > 0;
    return this.belowSearchBound(range) && this.searchPays() && room ? 'search' : 'list';
  }

  /** Starts the reader of a range: it pages until the range ends, waiting while the buffer is full. */
  private start(range: LiveRange, source: Source = this.sourceFor(range)): void {
    range.source = source;
    const end = () => range.cursor.end;
    const pages: AsyncGenerator<RecordPage> =
      range.source === 'search'
        ? searchRecords(this.client, {
            objectType: this.options.objectType,
            properties: this.options.properties,
            whole: this.whole,
            from: range.fetched ?? '0',
            end,
          })
        : listRecords(this.client, {
            objectType: this.options.objectType,
            properties: this.options.properties,
            archived: this.options.archived,
            after: range.fetched,
            end,
          });
    let stopped = false;
    range.stop = () => {
      stopped = true;
    };
    void (async () => {
      try {
        for await (const page of pages) {
          if (stopped || this.stopped) break;
          // The range may have been split since the request went out: what lies past its end is the other half's.
          const stop = end();
          const records = page.records.filter((r) => stop === undefined || compareIds(r.id, stop) < 0);
          const past = stop !== undefined && page.next !== undefined && compareIds(page.next, stop) >= 0;
          const next = past || records.length < page.records.length ? undefined : page.next;
          range.fetched = next ?? range.fetched;
          if (next === undefined) range.finished = true;
          await this.deliver({ range, records, next });
          if (next === undefined) break;
        }
        if (!range.finished) {
          // The pager ended without a last page (a search whose last query found nothing): the range is done.
          range.finished = true;
          if (!stopped && !this.stopped) await this.deliver({ range, records: [] });
        }
      } catch (error) {
        this.failure ??= { error };
        this.wakeConsumer?.();
      } finally {
        await pages.return(undefined).catch(() => undefined);
      }
    })();
  }

  /** Hands a page to the step, waiting while the buffer is full (one page always fits an empty buffer). */
  private async deliver(delivery: Delivery): Promise<void> {
    while (!this.stopped && this.buffered > 0 && this.buffered + delivery.records.length > BUFFERED_RECORDS) {
      await new Promise<void>((resolve) => this.wakeReaders.push(resolve));
    }
    if (this.stopped) return;
    this.buffer.push(delivery);
    this.buffered += delivery.records.length;
    this.wakeConsumer?.();
  }

  /** The next page any range delivered, or its reader's failure. */
  private async take(): Promise<Delivery> {
    for (;;) {
      if (this.failure) throw this.failure.error;
      const delivery = this.buffer.shift();
      if (delivery) {
        this.buffered -= delivery.records.length;
        for (const wake of this.wakeReaders.splice(0)) wake();
        return delivery;
      }
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
      this.wakeConsumer = undefined;
    }
  }
}
