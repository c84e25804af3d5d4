import { ValidationError } from '../../../lib/hubspot';
import type { HubSpotRecord } from '../../../lib/hubspot/types';
import { fetchPublished, parquetList, startHarness, type Harness } from '../../helpers/sync-harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Ids an incremental window must hold, straight from the oracle: modified in the window, or archived in it. */
function expectedChangeIds(h: Harness, object: string, since: string, until: string, lookbackMs: number): string[] {
  const from = Date.parse(since) - lookbackMs;
  const to = Date.parse(until);
  const inWindow = (iso: string | undefined) => iso !== undefined && Date.parse(iso) >= from && Date.parse(iso) <= to;
  const live = h.sim.oracle.records(object).filter((r: HubSpotRecord) => inWindow(r.updatedAt));
  const archived = h.sim.oracle.records(object, { archived: true }).filter((r) => inWindow(r.archivedAt));
  return [...live, ...archived].map((r) => r.id).sort();
}

async function changeSet(h: Harness, object: string, runId: string, columns = 'id, archived, firstname') {
  const { manifest, files } = await fetchPublished(h, { kind: 'changes', object }, runId);
  const rows = await h.db.query<{ id: string; archived: boolean; firstname: string | null }>(
    `SELECT ${columns} FROM read_parquet(${parquetList(files)}, hive_partitioning = false) ORDER BY id`,
  );
  return { manifest, rows };
}

describe('Sync engine: incremental runs', () => {
  const lookbackMs = 2_000;
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ deps: { settings: { lookbackMs } } });
  });
  afterEach(() => h.close());

  it('captures exactly the records created, updated and archived since the last run', async () => {
    // Prepare: a full run sets the watermark.
    const full = await h.run({ mode: 'full', objects: ['contacts'] });
    const [first, second, third] = h.sim.oracle.records('contacts');
    await new Promise((resolve) => setTimeout(resolve, lookbackMs + 50));
    const created = h.sim.admin.createRecord('contacts', { firstname: 'Zoë 🚀', email: 'zoe@example.com' });
    h.sim.admin.updateRecord('contacts', first.id, { firstname: 'Renamed' });
    h.sim.admin.updateRecord('contacts', second.id, { firstname: null });
    h.sim.admin.archiveRecord('contacts', third.id);

    // Act
    const incremental = await h.run({ mode: 'incremental', objects: ['contacts'] });

    // Assess
    const outcome = incremental.outcomes.find((o) => o.dataset === 'contacts.changes');
    expect(outcome?.status).toBe('completed');
    const { manifest, rows } = await changeSet(h, 'contacts', incremental.runId);
    expect(rows).toEqual(
      [
        { id: created.id, archived: false, firstname: 'Zoë 🚀' },
        { id: first.id, archived: false, firstname: 'Renamed' },
        { id: second.id, archived: false, firstname: null },
        { id: third.id, archived: true, firstname: third.properties.firstname },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    expect(rows.map((r) => r.id)).toEqual(
      expectedChangeIds(h, 'contacts', full.startedAt, manifest.window!.until!, lookbackMs),
    );
    expect(manifest).toMatchObject({ mode: 'incremental', rows: 4, window: { since: full.startedAt } });
    const state = JSON.parse((await h.target.getObject('_state/contacts.json'))!.toString());
    expect(state.watermark).toBe(manifest.window!.until);
  });

  it('catches records changed while a full run was in progress on the next incremental run', async () => {
    // Prepare: change a contact the full run has already paged past, mid-run.
    const target = h.sim.oracle.records('contacts')[0];
    let changed = false;
    h.deps.onProgress = (event) => {
      if (!changed && event.object === 'contacts' && event.pages === 2) {
        changed = true;
        h.sim.admin.updateRecord('contacts', target.id, { firstname: 'Changed mid-run' });
      }
    };
    await h.run({ mode: 'full', objects: ['contacts'] });
    expect(changed).toBe(true);
    h.deps.onProgress = undefined;

    // Act
    const incremental = await h.run({ mode: 'incremental', objects: ['contacts'] });

    // Assess
    const { rows } = await changeSet(h, 'contacts', incremental.runId);
    expect(rows.filter((r) => r.id === target.id)).toEqual([
      { id: target.id, archived: false, firstname: 'Changed mid-run' },
    ]);
  });

  it('keeps a record archived during a full run once in the snapshot, and reports the archival next time', async () => {
    // Prepare: archive a contact of the first page once the run has read past it.
    const [victim] = h.sim.oracle.records('contacts');
    h.deps.onProgress = (event) => {
      if (event.object === 'contacts' && event.pages === 2 && !h.sim.oracle.record('contacts', victim.id)?.archived) {
        h.sim.admin.archiveRecord('contacts', victim.id);
      }
    };
    const full = await h.run({ mode: 'full', objects: ['contacts'] });
    h.deps.onProgress = undefined;

    // Assess: once, as it was when the run started; then archived in the next change set.
    const { files } = await fetchPublished(h, { kind: 'snapshot', object: 'contacts' }, full.runId);
    const copies = await h.db.query<{ archived: boolean }>(
      `SELECT archived FROM read_parquet(${parquetList(files)}, hive_partitioning = false) WHERE id = '${victim.id}'`,
    );
    expect(copies).toEqual([{ archived: false }]);
    const incremental = await h.run({ mode: 'incremental', objects: ['contacts'] });
    const { rows } = await changeSet(h, 'contacts', incremental.runId, 'id, archived');
    expect(rows.filter((r) => r.id === victim.id)).toEqual([{ id: victim.id, archived: true }]);
  });

  it('runs a full snapshot when an object has no watermark yet, and a backfill leaves the watermark alone', async () => {
    const first = await h.run({ mode: 'incremental', objects: ['companies'] });
    expect(first.outcomes.find((o) => o.object === 'companies')).toMatchObject({
      dataset: 'companies',
      mode: 'full',
      status: 'completed',
    });
    const watermark = JSON.parse((await h.target.getObject('_state/companies.json'))!.toString()).watermark;

    const since = '2000-01-01T00:00:00.000Z';
    const backfill = await h.run({ mode: 'backfill', objects: ['companies'], since: '2000-01-01T01:00+01:00' });
    const { manifest, rows } = await changeSet(h, 'companies', backfill.runId, 'id, archived');
    expect(manifest.window!.since).toBe(since);
    // A backfill's since is the user's: no lookback before it.
    expect(rows.map((r) => r.id)).toEqual(expectedChangeIds(h, 'companies', since, manifest.window!.until!, 0));
    expect(JSON.parse((await h.target.getObject('_state/companies.json'))!.toString()).watermark).toBe(watermark);
  });

  it("catches a change when HubSpot's clock runs 10 minutes behind this machine's, and says so", async () => {
    const skewed = await startHarness({
      sim: { now: () => Date.now() - 10 * 60_000 },
      deps: { settings: { lookbackMs } },
    });
    try {
      await skewed.run({ mode: 'full', objects: ['contacts'] });
      await sleep(50);
      const [changed] = skewed.sim.oracle.records('contacts');
      // Stamped by HubSpot's clock: 10 minutes before the full run's watermark, which this machine's clock set.
      skewed.sim.admin.updateRecord('contacts', changed.id, { firstname: 'Changed on a slow clock' });

      const run = await skewed.run({ mode: 'incremental', objects: ['contacts'] });

      const { rows } = await changeSet(skewed, 'contacts', run.runId);
      expect(rows).toEqual([{ id: changed.id, archived: false, firstname: 'Changed on a slow clock' }]);
      expect(skewed.logs.filter((l) => l.includes("HubSpot's clock is"))).toEqual([
        expect.stringMatching(/^warn: HubSpot's clock is 60\d s behind this machine's: check this machine's time; /),
        expect.stringMatching(/^warn: HubSpot's clock is 60\d s behind/),
      ]);
    } finally {
      await skewed.close();
    }
  });

  it('starts an incremental run at the watermark when its since is later, so no change is skipped', async () => {
    await h.run({ mode: 'full', objects: ['contacts'] });
    await sleep(lookbackMs + 50);
    const [inGap, afterSince] = h.sim.oracle.records('contacts');
    h.sim.admin.updateRecord('contacts', inGap.id, { firstname: 'Changed before since' });
    await sleep(lookbackMs + 200);
    const since = new Date().toISOString();
    await sleep(50);
    h.sim.admin.updateRecord('contacts', afterSince.id, { firstname: 'Changed after since' });

    const run = await h.run({ mode: 'incremental', objects: ['contacts'], since });

    const { rows } = await changeSet(h, 'contacts', run.runId);
    expect(rows.map((r) => r.id)).toEqual(expect.arrayContaining([inGap.id, afterSince.id]));
    expect(h.logs.some((l) => l.includes(`since ${since} is not used: it is after the watermark`))).toBe(true);
  });

  it('takes a full snapshot first when an incremental run names a since but the object has no watermark', async () => {
    const run = await h.run({ mode: 'incremental', objects: ['companies'], since: '2026-01-01' });
    expect(run.outcomes.filter((o) => o.object === 'companies').map((o) => [o.dataset, o.mode, o.rows])).toEqual([
      ['companies', 'full', h.sim.oracle.count('companies') + h.sim.oracle.count('companies', { archived: true })],
    ]);
  });

  it('keeps a backfill to records modified from its since on, with no lookback', async () => {
    await sleep(50);
    const [before, after] = h.sim.oracle.records('contacts');
    h.sim.admin.updateRecord('contacts', before.id, { firstname: 'Just before since' });
    await sleep(200);
    const since = new Date().toISOString();
    await sleep(50);
    h.sim.admin.updateRecord('contacts', after.id, { firstname: 'After since' });

    const run = await h.run({ mode: 'backfill', objects: ['contacts'], since });

    const { manifest, rows } = await changeSet(h, 'contacts', run.runId);
    expect(manifest.window!.since).toBe(since);
    expect(rows.map((r) => r.id)).toEqual([after.id]);
  });

  it('fails owners and pipelines named in a backfill, which have no window, and backfills the rest', async () => {
    const run = await h.run({ mode: 'backfill', objects: ['companies', 'owners', 'pipelines'], since: '2020-01-01' });
    expect(run.outcomes.filter((o) => o.object !== 'properties').map((o) => [o.dataset, o.status, o.reason])).toEqual([
      ['companies.changes', 'completed', undefined],
      ['owners', 'failed', 'owners has no last-modified window to backfill; export it with mode full'],
      ['pipelines', 'failed', 'pipelines has no last-modified window to backfill; export it with mode full'],
    ]);
    expect(await h.target.list('snapshots/')).toEqual([]);
  });

  it('fails a backfill of a type search does not serve, leaving its snapshot and watermark alone', async () => {
    await h.run({ mode: 'full', objects: ['companies'] });
    const before = await Promise.all(
      ['_state/companies.json', '_latest/companies.json'].map((k) => h.target.getObject(k)),
    );
    const client = h.deps.client;
    const request = client.request.bind(client);
    // As HubSpot answers a search of a type it does not index.
    client.request = ((req: Parameters<typeof request>[0]) =>
      req.method === 'POST' && req.path.endsWith('/companies/search')
        ? Promise.reject(new ValidationError('Search is not supported for this object type'))
        : request(req)) as typeof client.request;
    try {
      const run = await h.run({ mode: 'backfill', objects: ['companies'], since: '2020-01-01' });
      expect(run.outcomes.map((o) => [o.object, o.status, o.reason])).toEqual([
        [
          'companies',
          'failed',
          'HubSpot search does not serve this type, and a backfill needs it; export it with mode full',
        ],
      ]);
    } finally {
      client.request = request;
    }
    const after = await Promise.all(
      ['_state/companies.json', '_latest/companies.json'].map((k) => h.target.getObject(k)),
    );
    expect(after.map(String)).toEqual(before.map(String));
  });

  it.each([
    ['is not JSON', '{"object": "contacts", "watermark": ', 'is not valid JSON; fix or delete it to continue'],
    [
      'holds a watermark that is no instant',
      JSON.stringify({ object: 'contacts', watermark: 'yesterday' }),
      'holds watermark "yesterday", not an ISO 8601 instant; fix it or delete the file',
    ],
  ])('fails only the object whose state file %s, naming the file, and frees it', async (_case, body, message) => {
    await h.run({ mode: 'full', objects: ['contacts', 'companies'] });
    await h.target.putObject('_state/contacts.json', body);

    const run = await h.run({ mode: 'incremental', objects: ['contacts', 'companies'] });

    const status = Object.fromEntries(run.outcomes.map((o) => [o.dataset, [o.status, o.reason ?? '']]));
    expect(status['companies.changes']).toEqual(['completed', '']);
    // Named by the change set it would have written: the unreadable state file was an earlier export's.
    const contacts = status['contacts.changes'];
    expect(contacts[0]).toBe('failed');
    expect(contacts[1]).toContain(`${h.target.url('_state/contacts.json')} `);
    expect(contacts[1]).toContain(message);
    // The file is left as it was for the user to look at; the lease is free for the run after the fix.
    expect((await h.target.getObject('_state/contacts.json'))!.toString()).toBe(body);
    const lease = JSON.parse((await h.target.getObject('_state/locks/contacts.json'))!.toString());
    expect(lease).toMatchObject({ runId: run.runId, releasedAt: expect.any(String) });
    await h.target.putObject('_state/contacts.json', JSON.stringify({ object: 'contacts', watermark: null }));
    const fixed = await h.run({ mode: 'incremental', objects: ['contacts'] });
    expect(fixed.outcomes.map((o) => [o.dataset, o.status])).toEqual([['contacts', 'completed']]);
  });
});
