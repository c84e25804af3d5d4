import { listRecords, searchModifiedRecords, type HubSpotClient } from '../hubspot';
import type { HubSpotRecord } from '../hubspot/types';
import type { Checkpoint, SyncPhase } from '../store/state';
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

export function nextPhase(item: WorkItem, phase: SyncPhase): SyncPhase {
  const phases = PHASES[item.mode === 'full' ? 'full' : 'windowed'];
  return phases[Math.min(phases.indexOf(phase) + 1, phases.length - 1)];
}

const inWindow = (item: WorkItem, lookbackMs: number) => {
  const from = item.since ? Date.parse(item.since) - lookbackMs : -Infinity;
  const to = item.until ? Date.parse(item.until) : Infinity;
  return (record: HubSpotRecord): boolean => {
    const at = record.archivedAt ? Date.parse(record.archivedAt) : NaN;
    return at >= from && at <= to;
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
  checkpoint: Checkpoint,
  properties: string[],
  lookbackMs: number,
): AsyncGenerator<PhasePage> {
  const objectType = item.apiName;
  if (checkpoint.phase === 'changes') {
    const pages = searchModifiedRecords(client, {
      objectType,
      lastModifiedProperty: item.lastModifiedProperty ?? 'hs_lastmodifieddate',
      since: new Date(item.since ?? 0),
      until: new Date(item.until ?? Date.now()),
      properties,
      cursor: checkpoint.searchCursor,
      lookbackMs,
    });
    for await (const page of pages) yield { records: page.records, resume: { searchCursor: page.cursor }, last: false };
    return;
  }
  if (checkpoint.phase === 'done') return;
  const archived = checkpoint.phase === 'archived';
  const keep = archived && item.mode !== 'full' ? inWindow(item, lookbackMs) : () => true;
  for await (const page of listRecords(client, { objectType, properties, archived, after: checkpoint.cursor })) {
    yield { records: page.records.filter(keep), resume: { cursor: page.next }, last: page.next === undefined };
  }
}
