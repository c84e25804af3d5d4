import type { HubSpotRecord } from '../../../lib/hubspot/types';
import { firstPhase, nextPhase, pagesOfPhase, type PhasePage, type PhaseReading } from '../../../lib/sync/record-pages';
import type { SyncPhase } from '../../../lib/sync/state';
import type { WorkItem } from '../../../lib/sync/types';
import { reply, useScriptedClient, type Step } from '../hubspot/scripted-server';

const FULL: WorkItem = {
  runId: '20260301T110000Z-aaaaaa',
  kind: 'records',
  object: 'deals',
  apiName: 'deals',
  mode: 'full',
  snapshotDate: '2026-03-01',
  startedAt: '2026-03-01T11:00:00.000Z',
};
const INCREMENTAL: WorkItem = {
  ...FULL,
  mode: 'incremental',
  since: '2026-03-01T10:00:00.000Z',
  until: '2026-03-01T11:00:00.000Z',
};

/** The phases an item walks through from its first, by nextPhase. */
function walk(item: WorkItem): SyncPhase[] {
  const phases = [firstPhase(item)];
  while (phases.at(-1) !== 'done' && phases.length < 10) phases.push(nextPhase(item, phases.at(-1)!));
  return phases;
}

describe('Functions: firstPhase, nextPhase', () => {
  it.each([
    ['a full run', FULL, ['live', 'archived', 'done']],
    ['an incremental run', INCREMENTAL, ['changes', 'archived', 'done']],
    ['a backfill', { ...INCREMENTAL, mode: 'backfill' }, ['changes', 'archived', 'done']],
    [
      'an incremental run whose counts found records archived',
      { ...INCREMENTAL, archived: { sweep: true } },
      ['changes', 'archived', 'done'],
    ],
    [
      'an incremental run whose counts found nothing archived',
      { ...INCREMENTAL, archived: { sweep: false } },
      ['changes', 'done'],
    ],
    // The archived list is the sweep's business only in a windowed run: a full run lists it anyway.
    ['a full run told not to sweep', { ...FULL, archived: { sweep: false } }, ['live', 'archived', 'done']],
  ] as [string, WorkItem, SyncPhase[]][])('walks %s through %j', (_what, item, phases) => {
    expect(walk(item)).toEqual(phases);
  });

  it('stays done once done', () => {
    expect(nextPhase(FULL, 'done')).toBe('done');
    expect(nextPhase(INCREMENTAL, 'done')).toBe('done');
  });

  it('starts a side table in live, whatever its mode', () => {
    expect(firstPhase({ ...INCREMENTAL, kind: 'pipelines', object: 'pipelines' })).toBe('live');
  });
});

const READING: PhaseReading = {
  lookbackMs: 5 * 60_000,
  maxRanges: 1,
  minSplitRecords: 500,
  searchRanges: false,
  searchLagMs: 60_000,
  now: () => Date.parse('2026-03-01T11:00:00.000Z'),
};

const archivedRecord = (id: string, archivedAt?: string): HubSpotRecord => ({
  id,
  properties: { hs_object_id: id },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  archived: true,
  ...(archivedAt ? { archivedAt } : {}),
});

/** Archived records at the edges of INCREMENTAL's window (10:00 to 11:00, less a 5-minute lookback). */
const EDGES = [
  archivedRecord('101', '2026-03-01T09:54:59.999Z'),
  archivedRecord('102', '2026-03-01T09:55:00.000Z'),
  archivedRecord('103', '2026-03-01T10:30:00.000Z'),
  archivedRecord('104', '2026-03-01T11:00:00.000Z'),
  archivedRecord('105', '2026-03-01T11:00:00.001Z'),
  archivedRecord('106'),
  archivedRecord('107', '2026-02-20T08:00:00.000Z'),
];

describe('Function: pagesOfPhase keeps the archived records of its window', () => {
  const scripted = useScriptedClient();

  /** Answers a batch read with the records it asked for, whole. */
  const batchRead: Step = (req, res) => {
    const { inputs } = JSON.parse(scripted.server.requests.at(-1)!.body) as { inputs: { id: string }[] };
    const byId = new Map(EDGES.map((r) => [r.id, r]));
    reply(200, { status: 'COMPLETE', results: inputs.map(({ id }) => byId.get(id)) })(req, res);
  };

  async function pagesOf(item: WorkItem, phase: SyncPhase): Promise<PhasePage[]> {
    const pages: PhasePage[] = [];
    const checkpoint = { phase };
    for await (const page of pagesOfPhase(scripted.client, item, checkpoint, ['hs_object_id', 'amount'], READING)) {
      pages.push(page);
    }
    return pages;
  }

  /** The ids the batch read asked for. */
  const readIds = () =>
    scripted.server.requests
      .filter((r) => r.method === 'POST')
      .flatMap((r) => (JSON.parse(r.body) as { inputs: { id: string }[] }).inputs.map((input) => input.id));

  it.each([
    ['those inside the window and its lookback, edges included', INCREMENTAL, ['102', '103', '104']],
    [
      'every one since the last sweep (less the lookback), when it ended before the window',
      { ...INCREMENTAL, archived: { sweep: true, from: '2026-02-20T08:05:00.000Z' } },
      ['101', '102', '103', '104', '107'],
    ],
    [
      'those of the window alone, when the last sweep ended inside it',
      { ...INCREMENTAL, archived: { sweep: true, from: '2026-03-01T10:30:00.000Z' } },
      ['102', '103', '104'],
    ],
    [
      'those up to the run’s start, for a window without an end',
      { ...INCREMENTAL, until: undefined, startedAt: '2026-03-01T10:45:00.000Z' },
      ['102', '103'],
    ],
    ['those of a backfill’s window', { ...INCREMENTAL, mode: 'backfill' }, ['102', '103', '104']],
  ] as [string, WorkItem, string[]][])('in a change set: %s', async (_what, item, kept) => {
    // Prepare: the list of ids and archivedAt, then a batch read of those kept.
    scripted.server.script(reply(200, { results: EDGES }), batchRead);

    // Act
    const pages = await pagesOf(item, 'archived');

    // Assess
    expect(readIds()).toEqual(kept);
    expect(pages.map((page) => [page.records.map((r) => r.id), page.resume, page.last])).toEqual([
      [kept, { cursor: undefined }, true],
    ]);
    expect(scripted.server.requests[0].url).toBe(
      '/crm/objects/2026-09/deals?limit=100&properties=hs_object_id&archived=true',
    );
  });

  it('in a change set, reads nothing whole when nothing is in the window, and resumes after each list page', async () => {
    const outside = EDGES.filter((r) => ['101', '105', '106'].includes(r.id));
    scripted.server.script(
      reply(200, { results: outside, paging: { next: { after: '200' } } }),
      reply(200, { results: [] }),
    );

    const pages = await pagesOf(INCREMENTAL, 'archived');

    expect(pages).toEqual([
      { records: [], resume: { cursor: '200' }, last: false },
      { records: [], resume: { cursor: undefined }, last: true },
    ]);
    expect(scripted.server.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
  });

  it('in a change set, reads the kept ones of several list pages in one batch, resuming where the first waits', async () => {
    // Prepare: three list pages, a kept record on the second and the third.
    const [, inside, later] = EDGES.filter((r) => ['101', '102', '103'].includes(r.id));
    scripted.server.script(
      reply(200, { results: [EDGES[0]], paging: { next: { after: '102' } } }),
      reply(200, { results: [inside], paging: { next: { after: '103' } } }),
      reply(200, { results: [later] }),
      batchRead,
    );

    // Act
    const pages = await pagesOf(INCREMENTAL, 'archived');

    // Assess: one batch read at the end; while '102' waits, a stopped step resumes from the page that found it.
    expect(pages.map((page) => [page.records.map((r) => r.id), page.resume, page.last])).toEqual([
      [[], { cursor: '102' }, false],
      [[], { cursor: '102' }, false],
      [['102', '103'], { cursor: undefined }, true],
    ]);
    expect(scripted.server.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET', 'POST']);
    expect(readIds()).toEqual(['102', '103']);
  });

  it('in a full snapshot: those archived up to the run’s start, and those whose time is unknown', async () => {
    scripted.server.script(reply(200, { results: EDGES }));

    const pages = await pagesOf({ ...FULL, startedAt: '2026-03-01T10:30:00.000Z' }, 'archived');

    expect(pages.flatMap((page) => page.records.map((r) => r.id))).toEqual(['101', '102', '103', '106', '107']);
    expect(pages.at(-1)?.last).toBe(true);
  });

  it('keeps every live record of a full snapshot', async () => {
    const live = ['1', '2', '3'].map((id) => ({ ...archivedRecord(id), archived: false }));
    scripted.server.script(reply(200, { results: live }));

    const pages = await pagesOf(FULL, 'live');

    expect(pages.flatMap((page) => page.records.map((r) => r.id))).toEqual(['1', '2', '3']);
    expect(scripted.server.requests[0].url).toBe('/crm/objects/2026-09/deals?limit=100&properties=hs_object_id,amount');
  });

  it('reads nothing in phase done', async () => {
    scripted.server.script(reply(500, {}));

    expect(await pagesOf(FULL, 'done')).toEqual([]);
    expect(scripted.server.requests).toEqual([]);
  });
});
