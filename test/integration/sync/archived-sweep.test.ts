import type { HubSpotRecord } from '../../../lib/hubspot/types';
import type { SyncSettings } from '../../../lib/sync/deps';
import { fetchPublished, parquetList, startHarness, type Harness } from '../../helpers/sync-harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const lookbackMs = 500;

/** Contacts list requests of archived records since the log was last reset. */
const archivedListRequests = (h: Harness) =>
  h.sim.log
    .entries()
    .filter((e) => e.method === 'GET' && /\/contacts$/.test(e.path) && /archived=true/.test(e.query ?? '')).length;

async function changeRows(h: Harness, runId: string) {
  const { files } = await fetchPublished(h, { kind: 'changes', object: 'contacts' }, runId);
  return h.db.query<{ id: string; archived: boolean }>(
    `SELECT id, archived FROM read_parquet(${parquetList(files)}, hive_partitioning = false) ORDER BY id`,
  );
}

/** The change set an incremental run must publish, from the oracle: modified in its window, or archived since `from`. */
function expectedRows(h: Harness, window: { since: string; until: string }, archivedFrom = window.since) {
  const inRange = (iso: string | undefined, from: string) =>
    iso !== undefined &&
    Date.parse(iso) >= Date.parse(from) - lookbackMs &&
    Date.parse(iso) <= Date.parse(window.until);
  const live = h.sim.oracle.records('contacts').filter((r: HubSpotRecord) => inRange(r.updatedAt, window.since));
  const archived = h.sim.oracle
    .records('contacts', { archived: true })
    .filter((r) => inRange(r.archivedAt, archivedFrom));
  return [
    ...live.map((r) => ({ id: r.id, archived: false })),
    ...archived.map((r) => ({ id: r.id, archived: true })),
  ].sort((a, b) => (a.id < b.id ? -1 : 1));
}

async function incremental(h: Harness) {
  h.sim.log.reset();
  const run = await h.run({ mode: 'incremental', objects: ['contacts'] });
  const outcome = run.outcomes.find((o) => o.dataset === 'contacts.changes');
  expect(outcome?.status).toBe('completed');
  const { manifest } = await fetchPublished(h, { kind: 'changes', object: 'contacts' }, run.runId);
  return { run, window: manifest.window as { since: string; until: string }, swept: archivedListRequests(h) };
}

describe('Sync engine: archived records listed only when the counts say something was archived', () => {
  let h: Harness;
  const start = async (settings: Partial<SyncSettings> = {}) => {
    h = await startHarness({ deps: { settings: { lookbackMs, ...settings } } });
    await h.run({ mode: 'full', objects: ['contacts'] });
    await sleep(lookbackMs + 50);
  };
  afterEach(() => h.close());

  it('skips the archived list when records were only created and updated, and lists it when one was archived', async () => {
    await start();
    const [first, second] = h.sim.oracle.records('contacts');
    h.sim.admin.updateRecord('contacts', first.id, { firstname: 'Updated' });
    h.sim.admin.createRecord('contacts', { firstname: 'New' });

    const quiet = await incremental(h);
    expect(quiet.swept).toBe(0);
    expect(await changeRows(h, quiet.run.runId)).toEqual(expectedRows(h, quiet.window));

    await sleep(lookbackMs + 50);
    h.sim.admin.archiveRecord('contacts', second.id);
    const busy = await incremental(h);
    expect(busy.swept).toBeGreaterThan(0);
    const rows = await changeRows(h, busy.run.runId);
    expect(rows).toContainEqual({ id: second.id, archived: true });
    expect(rows).toEqual(expectedRows(h, busy.window));
  });

  it('sweeps after a merge, whose merged-away record leaves the count, and publishes the survivor', async () => {
    await start();
    const [survivor, mergedAway] = h.sim.oracle.records('contacts');
    h.sim.admin.mergeRecords('contacts', survivor.id, mergedAway.id);

    const run = await incremental(h);
    expect(run.swept).toBeGreaterThan(0);
    expect(await changeRows(h, run.run.runId)).toEqual(expectedRows(h, run.window));
    expect(h.sim.oracle.records('contacts').some((r) => r.id === mergedAway.id)).toBe(false);
  });

  it('misses an archive cancelled out by a restore only until the forced sweep, which reaches back to the last one', async () => {
    // Prepare: one contact archived before the full run, restored later as another is archived: the count holds.
    // Long enough that a full run and an incremental one fit in it on a loaded machine.
    const everyMs = 10_000;
    h = await startHarness({ deps: { settings: { lookbackMs, archivedSweepEveryMs: everyMs } } });
    const [restored, archived] = h.sim.oracle.records('contacts');
    h.sim.admin.archiveRecord('contacts', restored.id);
    await h.run({ mode: 'full', objects: ['contacts'] });
    await sleep(lookbackMs + 50);
    h.sim.admin.restoreRecord('contacts', restored.id);
    h.sim.admin.archiveRecord('contacts', archived.id);

    // Act 1: the count is unchanged, so the archived list is not read, and the archival is not in the change set.
    const cancelled = await incremental(h);
    expect(cancelled.swept).toBe(0);
    const rows = await changeRows(h, cancelled.run.runId);
    expect(rows).toContainEqual({ id: restored.id, archived: false });
    expect(rows.some((r) => r.id === archived.id)).toBe(false);

    // Act 2: once the last sweep is archivedSweepEveryMs old, the next run sweeps from there and finds it.
    const last = JSON.parse((await h.target.getObject('_state/contacts.json'))!.toString()) as {
      archived: { sweptUntil: string };
    };
    await sleep(Math.max(0, Date.parse(last.archived.sweptUntil) + everyMs - Date.now() + 100));
    const forced = await incremental(h);
    expect(forced.swept).toBeGreaterThan(0);
    const full = await h.target.getObject('_state/contacts.json');
    const sweptFrom = (JSON.parse(full!.toString()) as { archived: { sweptUntil: string } }).archived.sweptUntil;
    expect(sweptFrom).toBe(forced.window.until);
    const forcedRows = await changeRows(h, forced.run.runId);
    expect(forcedRows).toContainEqual({ id: archived.id, archived: true });
    expect(forcedRows).toEqual(expectedRows(h, forced.window, cancelled.window.since));
  });

  it('puts a seen drop off while archivedSweepAtMostEveryMs has not passed, and sweeps it on the first run after', async () => {
    // Long enough that a full run and an incremental one fit in it on a loaded machine.
    const atMostEveryMs = 10_000;
    await start({ archivedSweepAtMostEveryMs: atMostEveryMs });
    const [first] = h.sim.oracle.records('contacts');
    h.sim.admin.archiveRecord('contacts', first.id);

    const deferred = await incremental(h);
    expect(deferred.swept).toBe(0);
    expect((await changeRows(h, deferred.run.runId)).some((r) => r.id === first.id)).toBe(false);
    const state = JSON.parse((await h.target.getObject('_state/contacts.json'))!.toString()) as {
      archived: { pending?: boolean; sweptUntil: string };
    };
    expect(state.archived.pending).toBe(true);
    expect(h.logs.some((m) => m.includes('contacts: records were archived; they are listed by a run from'))).toBe(true);

    // The live count now matches the stored one, but the pending drop still asks for a sweep once allowed.
    await sleep(Math.max(0, Date.parse(state.archived.sweptUntil) + atMostEveryMs - Date.now() + 100));
    const swept = await incremental(h);
    expect(swept.swept).toBeGreaterThan(0);
    expect(await changeRows(h, swept.run.runId)).toContainEqual({ id: first.id, archived: true });
  });

  it('keeps the archived state of the last incremental run across a backfill', async () => {
    await start();
    const before = (await h.target.getObject('_state/contacts.json'))!.toString();
    await h.run({
      mode: 'backfill',
      objects: ['contacts'],
      since: new Date(Date.now() - 60_000).toISOString(),
      until: new Date().toISOString(),
    });
    const after = JSON.parse((await h.target.getObject('_state/contacts.json'))!.toString()) as { archived: unknown };
    expect(after.archived).toEqual((JSON.parse(before) as { archived: unknown }).archived);
  });
});
