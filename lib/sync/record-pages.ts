import { listRecords, readRecords, searchModifiedRecords, type HubSpotClient } from '../hubspot';
import type { HubSpotRecord } from '../hubspot/types';
import type { Checkpoint, SyncPhase } from './state';
import type { WorkItem } from './types';

/** One page of a phase and where to resume after it. */
export interface PhasePage {
  records: HubSpotRecord[];
  resume: Pick<Checkpoint, 'cursor' | 'searchCursor'>;
  /** Known to be the phase's last page (lists say so; a search finds out with one more query). */
  last: boolean;
}

/** Phases each mode walks through, in order. */
const PHASES: Record<'full' | 'windowed', readonly SyncPhase[]> = {
  full: ['live', 'archived', 'done'],
  windowed: ['changes', 'archived', 'done'],
};

const phasesOf = (item: WorkItem) => PHASES[item.mode === 'full' ? 'full' : 'windowed'];

/** Where a records item starts: listing for full runs, searching for change sets. Side tables are read in one go. */
export const firstPhase = (item: WorkItem): SyncPhase => (item.kind === 'records' ? phasesOf(item)[0] : 'live');

export function nextPhase(item: WorkItem, phase: SyncPhase): SyncPhase {
  const phases = phasesOf(item);
  return phases[Math.min(phases.indexOf(phase) + 1, phases.length - 1)];
}

/**
 * Which archived records a phase keeps. A change set: those archived inside its window. A full
 * snapshot: those archived before the run started; one archived later may already be in the
 * snapshot as live, and the next incremental run (watermark = this run's start) reports it.
 */
const archivedKeeper = (item: WorkItem, lookbackMs: number) => {
  const windowed = item.mode !== 'full';
  const from = windowed && item.since ? Date.parse(item.since) - lookbackMs : -Infinity;
  const to = windowed ? Date.parse(item.until ?? item.startedAt) : Date.parse(item.startedAt);
  return (record: HubSpotRecord): boolean => {
    const at = record.archivedAt ? Date.parse(record.archivedAt) : NaN;
    return Number.isNaN(at) ? !windowed : at >= from && at <= to;
  };
};

/**
 * The pages of `checkpoint.phase`, starting right after the checkpoint's cursor. Windowed modes
 * search by last-modified (with the lookback) and keep only records archived inside the window,
 * since archiving does not move the last-modified time.
 */
export async function* pagesOfPhase(
  client: HubSpotClient,
  item: WorkItem,
  checkpoint: Pick<Checkpoint, 'phase' | 'cursor' | 'searchCursor'>,
  properties: string[],
  lookbackMs: number,
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
      lookbackMs,
    });
    for await (const page of pages) yield { records: page.records, resume: { searchCursor: page.cursor }, last: false };
    return;
  }
  if (checkpoint.phase === 'done') return;
  const archived = checkpoint.phase === 'archived';
  const keep = archived ? archivedKeeper(item, lookbackMs) : () => true;
  if (archived && item.mode !== 'full') {
    yield* archivedInWindow(client, item, checkpoint, properties, keep);
    return;
  }
  for await (const page of listRecords(client, { objectType, properties, archived, after: checkpoint.cursor })) {
    yield { records: page.records.filter(keep), resume: { cursor: page.next }, last: page.next === undefined };
  }
}

/**
 * Archived records of a change-set window. Up to 90 days of deletions are listed every run, so the list
 * carries ids and archivedAt only (one request per 100) and just the few inside the window are read whole.
 */
async function* archivedInWindow(
  client: HubSpotClient,
  item: WorkItem,
  checkpoint: Pick<Checkpoint, 'cursor'>,
  properties: string[],
  keep: (record: HubSpotRecord) => boolean,
): AsyncGenerator<PhasePage> {
  const list = { objectType: item.apiName, properties: ['hs_object_id'], archived: true, after: checkpoint.cursor };
  for await (const page of listRecords(client, list)) {
    const ids = page.records.filter(keep).map((r) => r.id);
    const records = ids.length ? await readRecords(client, item.apiName, ids, properties, { archived: true }) : [];
    yield { records, resume: { cursor: page.next }, last: page.next === undefined };
  }
}
