/**
 * Whether an incremental run lists archived records, decided from counts instead of listing them every run.
 *
 * HubSpot's list has no archived-since filter, so finding the records archived in a window means listing every
 * archived record (one request per 100). Instead, each run stores how many live records search counts up to the
 * highest id it knew of; the next run counts the live records up to that same id (one search, on search's own
 * budget). Ids only grow, so records created since cannot change that count: a drop means records were archived,
 * merged away or deleted, and only then is the archived list read, from the end of the last sweep. The count can
 * miss archivals that cancel out (a record restored as another is archived, one created and archived between two
 * runs): a sweep at least every `archivedSweepEveryMs` (a day by default) bounds how late those show, never lost,
 * since every sweep reaches back to the last one.
 */
import { hasSearchTotal, type HubSpotClient } from '../hubspot';
import type { SearchResponse } from '../hubspot/types';
import type { SyncDeps } from './deps';
import { readObjectState } from './state';
import type { ArchivedDecision, ArchivedState, WorkItem } from './types';

const HOUR_MS = 60 * 60_000;

/** The settings of `--list-archived-every` / `--list-archived-at-most-every` (and the stack's), given in hours. */
export function archivedListSettings(
  everyHours?: number,
  atMostEveryHours?: number,
): Partial<Pick<SyncDeps['settings'], 'archivedSweepEveryMs' | 'archivedSweepAtMostEveryMs'>> {
  return {
    ...(everyHours !== undefined ? { archivedSweepEveryMs: everyHours * HOUR_MS } : {}),
    ...(atMostEveryHours !== undefined ? { archivedSweepAtMostEveryMs: atMostEveryHours * HOUR_MS } : {}),
  };
}

/** Live records with ids up to `belowId` (inclusive), as search counts them: one request, its total. */
export async function countLiveUpTo(client: HubSpotClient, apiName: string, belowId: string): Promise<number> {
  const response = await client.request<SearchResponse<unknown>>({
    method: 'POST',
    path: client.paths.search(apiName),
    body: {
      filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'LTE', value: belowId }] }],
      sorts: [],
      properties: ['hs_object_id'],
      limit: 1,
      after: '0',
    },
    budget: 'search',
    validate: hasSearchTotal,
  });
  return response.total;
}

/**
 * Whether the incremental run of `item` lists archived records: yes without a stored count, when the last sweep is
 * `archivedSweepEveryMs` old, or when the live count up to the stored id dropped (or rose: a restore) and the last
 * sweep is at least `archivedSweepAtMostEveryMs` old.
 */
export async function decideArchivedSweep(
  deps: SyncDeps,
  item: Pick<WorkItem, 'object' | 'apiName' | 'startedAt'>,
): Promise<ArchivedDecision> {
  const previous = (await readObjectState(deps.target, item.object)).archived;
  if (!previous) return { sweep: true };
  const age = Date.parse(item.startedAt) - Date.parse(previous.sweptUntil);
  const { archivedSweepEveryMs, archivedSweepAtMostEveryMs } = deps.settings;
  if (!(age < archivedSweepEveryMs)) return { sweep: true, from: previous.sweptUntil };
  const changed =
    previous.pending === true ||
    (await countLiveUpTo(deps.client, item.apiName, previous.countedBelow)) !== previous.live;
  if (!changed) return { sweep: false };
  if (age < archivedSweepAtMostEveryMs) {
    deps.log.info(`${item.object}: records were archived; they are listed by a run from ${previous.sweptUntil} on`);
    return { sweep: false, pending: true };
  }
  return { sweep: true, from: previous.sweptUntil };
}

/** The archived state a published records item leaves; undefined when it counted nothing (search does not serve it). */
export function nextArchivedState(
  item: Pick<WorkItem, 'mode' | 'until' | 'startedAt' | 'liveCount' | 'archived'>,
  previous: ArchivedState | undefined,
): ArchivedState | undefined {
  if (!item.liveCount) return undefined;
  const swept = item.mode === 'full' || item.archived?.sweep !== false;
  const sweptUntil =
    item.mode === 'full' ? item.startedAt : swept ? (item.until ?? item.startedAt) : previous?.sweptUntil;
  if (!sweptUntil) return undefined;
  return { sweptUntil, ...item.liveCount, ...(item.archived?.pending ? { pending: true } : {}) };
}
