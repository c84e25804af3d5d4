import { listRecords, nextId, readRecords, searchModifiedRecords, type HubSpotClient } from '../hubspot';
import { PROPERTY_LIMITS } from '../hubspot/property-chunks';
import type { HubSpotRecord } from '../hubspot/types';
import { initialRanges, type RangeCursor } from './id-ranges';
import { readRanges } from './range-reader';
import type { Checkpoint, SyncPhase } from './state';
import type { WorkItem } from './types';

/** Where a phase resumes: its ranges (full runs), its window's search cursor, or a list cursor. */
export type PhaseResume = Pick<Checkpoint, 'cursor' | 'searchCursor' | 'ranges'>;

/** One page of a phase and where to resume after it. */
export interface PhasePage {
  records: HubSpotRecord[];
  resume: PhaseResume;
  /** Known to be the phase's last page (lists say so; a search finds out with one more query). */
  last: boolean;
}

/** Phases each mode walks through, in order; a compact item builds its snapshot after its change set. */
const PHASES: Record<
  'full' | 'windowed' | 'windowedWithoutArchived' | 'compact' | 'compactWithoutArchived',
  readonly SyncPhase[]
> = {
  full: ['live', 'archived', 'done'],
  windowed: ['changes', 'archived', 'done'],
  windowedWithoutArchived: ['changes', 'done'],
  compact: ['changes', 'archived', 'build', 'done'],
  compactWithoutArchived: ['changes', 'build', 'done'],
};

/** An incremental run whose counts found nothing archived skips the archived list (archived-sweep.ts). */
function phasesOf(item: WorkItem): readonly SyncPhase[] {
  if (item.mode === 'full') return PHASES.full;
  const skipArchived = item.archived?.sweep === false;
  if (item.mode === 'compact') return skipArchived ? PHASES.compactWithoutArchived : PHASES.compact;
  return skipArchived ? PHASES.windowedWithoutArchived : PHASES.windowed;
}

/** Whether paging HubSpot is over at `phase`: the item is done, or only its build (build-snapshot.ts) is left. */
export const pagingEnded = (phase: SyncPhase): boolean => phase === 'done' || phase === 'build';

/** Where a records item starts: listing for full runs, searching for change sets. Side tables are read in one go. */
export const firstPhase = (item: WorkItem): SyncPhase => (item.kind === 'records' ? phasesOf(item)[0] : 'live');

export function nextPhase(item: WorkItem, phase: SyncPhase): SyncPhase {
  const phases = phasesOf(item);
  const at = phases.indexOf(phase);
  // A phase this item does not walk (a checkpoint of another plan) has nothing after it here.
  return at < 0 ? 'done' : phases[Math.min(at + 1, phases.length - 1)];
}

/**
 * Which archived records a phase keeps. A change set: those archived inside its window. A full
 * snapshot: those archived before the run started; one archived later may already be in the
 * snapshot as live, and the next incremental run (watermark = this run's start) reports it.
 */
const archivedKeeper = (item: WorkItem, lookbackMs: number) => {
  const windowed = item.mode !== 'full';
  // A sweep reaches back to the end of the last one, which may be before the window (archived-sweep.ts).
  const start = [item.since, item.archived?.from].filter((t): t is string => t !== undefined).map(Date.parse);
  const from = windowed && start.length ? Math.min(...start) - lookbackMs : -Infinity;
  const to = windowed ? Date.parse(item.until ?? item.startedAt) : Date.parse(item.startedAt);
  return (record: HubSpotRecord): boolean => {
    const at = record.archivedAt ? Date.parse(record.archivedAt) : NaN;
    return Number.isNaN(at) ? !windowed : at >= from && at <= to;
  };
};

/** How a step reads: the lookback of its window, and how wide it may read a full run's ranges. */
export interface PhaseReading {
  /** Subtracted from a window's start (search lags writes); 0 for a backfill. */
  lookbackMs: number;
  /** Most id ranges read at once. */
  maxRanges: number;
  /** A range with fewer records left is not split. */
  minSplitRecords: number;
  /** Read ranges below the plan's highest id through search too (full runs of types search serves). */
  searchRanges: boolean;
  /** How long writes take to reach search: records come whole from it only this long after the run started. */
  searchLagMs: number;
  now: () => number;
}

/**
 * The ranges a full run's phase resumes with: the checkpoint's, a list cursor of an older checkpoint, or fresh ones
 * over the item's slice (live records cut at the highest id search knew of, so the newest are listed).
 */
function rangesOf(item: WorkItem, checkpoint: Pick<Checkpoint, 'phase' | 'cursor' | 'ranges'>): RangeCursor[] {
  if (checkpoint.ranges) return checkpoint.ranges;
  if (checkpoint.cursor) return [{ from: checkpoint.cursor, ...(item.slice?.end ? { end: item.slice.end } : {}) }];
  return initialRanges(item.slice, checkpoint.phase === 'live' ? item.idBounds : undefined);
}

/**
 * The pages of `checkpoint.phase`, starting right after the checkpoint's position. Full runs read their phases in id
 * ranges side by side (readRanges); windowed modes search by last-modified (with the lookback) and keep only records
 * archived inside the window, since archiving does not move the last-modified time.
 */
export async function* pagesOfPhase(
  client: HubSpotClient,
  item: WorkItem,
  checkpoint: Pick<Checkpoint, 'phase' | 'cursor' | 'searchCursor' | 'ranges'>,
  properties: string[],
  reading: PhaseReading,
): AsyncGenerator<PhasePage> {
  const objectType = item.apiName;
  if (checkpoint.phase === 'changes') {
    const pages = searchModifiedRecords(client, {
      objectType,
      lastModifiedProperty: item.lastModifiedProperty ?? 'hs_lastmodifieddate',
      since: new Date(item.since ?? 0),
      until: new Date(item.until ?? item.startedAt),
      properties,
      cursor: checkpoint.searchCursor,
      lookbackMs: reading.lookbackMs,
    });
    for await (const page of pages) yield { records: page.records, resume: { searchCursor: page.cursor }, last: false };
    return;
  }
  if (pagingEnded(checkpoint.phase)) return;
  const archived = checkpoint.phase === 'archived';
  if (archived && item.mode !== 'full') {
    yield* archivedInWindow(client, item, checkpoint, properties, archivedKeeper(item, reading.lookbackMs));
    return;
  }
  const keep = archived ? archivedKeeper(item, reading.lookbackMs) : () => true;
  const searchable = !archived && reading.searchRanges && item.idBounds !== undefined;
  const pages = readRanges(client, {
    objectType,
    properties,
    archived,
    ranges: rangesOf(item, checkpoint),
    bounds: item.idBounds,
    expected: item.expected,
    ...(searchable && item.idBounds ? { searchBelow: nextId(item.idBounds.max) } : {}),
    wholeSearchFrom: Date.parse(item.startedAt) + reading.searchLagMs,
    maxRanges: reading.maxRanges,
    minSplitRecords: reading.minSplitRecords,
    now: reading.now,
  });
  for await (const page of pages) {
    yield { records: page.records.filter(keep), resume: { ranges: page.ranges }, last: page.last };
  }
}

/**
 * Archived records of a change-set window. Every archived record is listed when a sweep runs, so the list
 * carries ids and archivedAt only (one request per 100), and the few inside the window are read whole, 100 to a
 * batch read: kept ids wait across list pages until a batch is full or the list ends. A page's resume cursor
 * stays at the page where the first waiting id was found, so a step that stops meanwhile lists them again.
 */
async function* archivedInWindow(
  client: HubSpotClient,
  item: WorkItem,
  checkpoint: Pick<Checkpoint, 'cursor'>,
  properties: string[],
  keep: (record: HubSpotRecord) => boolean,
): AsyncGenerator<PhasePage> {
  const list = { objectType: item.apiName, properties: ['hs_object_id'], archived: true, after: checkpoint.cursor };
  let waiting: string[] = [];
  /** Where the page holding the first waiting id was listed from. */
  let waitingFrom: string | undefined;
  let listedFrom = checkpoint.cursor;
  for await (const page of listRecords(client, list)) {
    const kept = page.records.filter(keep).map((r) => r.id);
    if (kept.length && !waiting.length) waitingFrom = listedFrom;
    waiting.push(...kept);
    listedFrom = page.next;
    const last = page.next === undefined;
    if (waiting.length < PROPERTY_LIMITS.batchReadSize && !last) {
      yield { records: [], resume: { cursor: waiting.length ? waitingFrom : page.next }, last: false };
      continue;
    }
    const records = waiting.length
      ? await readRecords(client, item.apiName, waiting, properties, { archived: true })
      : [];
    waiting = [];
    yield { records, resume: { cursor: page.next }, last };
  }
}
