import type { TableRef } from '../../../lib/store/layout';
import { readLatest } from '../../../lib/store/manifest';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver';
import { fetchPublished, parquetList, startHarness, type Harness } from '../../helpers/sync-harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const snapshot = (object: string): TableRef => ({ kind: 'snapshot', object });

/** A published dataset's rows as a DuckDB relation over local copies of its parts. */
async function relation(h: Harness, table: TableRef, runId: string): Promise<string> {
  const { files } = await fetchPublished(h, table, runId);
  return `read_parquet(${parquetList(files)}, hive_partitioning = false, union_by_name = true)`;
}

async function count(h: Harness, sql: string): Promise<number> {
  return Number((await h.db.query<{ n: string }>(`SELECT count(*)::BIGINT AS n FROM (${sql})`))[0].n);
}

/** Rows in one relation and not the other, both ways, over the given columns. */
async function difference(h: Harness, left: string, right: string, columns: string) {
  return {
    missing: await count(h, `SELECT ${columns} FROM ${right} EXCEPT ALL SELECT ${columns} FROM ${left}`),
    extra: await count(h, `SELECT ${columns} FROM ${left} EXCEPT ALL SELECT ${columns} FROM ${right}`),
  };
}

describe.each(['a local folder', 'S3 (s3rver)'])(
  'Sync engine: compact runs (snapshots built from change sets), to %s',
  (to) => {
    const lookbackMs = 2_000;
    let h: Harness;
    let s3: S3rverHandle | undefined;
    beforeAll(async () => {
      if (to.startsWith('S3')) s3 = await startS3rver({ bucket: 'lake' });
    });
    afterAll(() => s3?.close());
    beforeEach(async () => {
      const at = s3 ? { location: `s3://lake/compact-${Date.now()}`, s3Client: s3.client } : {};
      h = await startHarness({ ...at, deps: { settings: { lookbackMs } } });
    });
    afterEach(() => h.close());

    /** Lets the last changes age past the lookback, so the next window's start is clear of them. */
    const settle = () => sleep(lookbackMs + 50);

    it('builds the snapshot a full run would take, row for row, from the last one and the change sets since', async () => {
      // Prepare: a full run without jobtitle (added later) and with city (removed later).
      h.deps.settings = { ...h.deps.settings, excludeProperties: [{ object: 'contacts', property: 'jobtitle' }] };
      const base = await h.run({ mode: 'full', objects: ['contacts', 'companies'] });
      await settle();
      const [, renamed, archived, survivor, merged, linked, ...rest] = h.sim.oracle.records('contacts');
      const company = h.sim.oracle.records('companies')[0];
      const unlinked = h.sim.oracle.associations('contacts', 'companies')[0];
      h.sim.admin.createRecord('contacts', { firstname: 'New', jobtitle: 'Engineer' });
      h.sim.admin.updateRecord('contacts', renamed.id, { firstname: 'Renamed', jobtitle: 'CEO' });
      h.sim.admin.archiveRecord('contacts', archived.id);
      h.sim.admin.mergeRecords('contacts', survivor.id, merged.id);
      h.sim.admin.setAssociation('contacts', linked.id, 'companies', company.id, true);
      h.sim.admin.setAssociation('contacts', unlinked.fromId, 'companies', unlinked.toId, false);
      const first = await h.run({ mode: 'incremental', objects: ['contacts', 'companies'] });
      await settle();
      h.sim.admin.updateRecord('contacts', rest[0].id, { firstname: 'Later' });
      const restored = h.sim.admin.restoreRecord(
        'contacts',
        h.sim.oracle.records('contacts', { archived: true })[0].id,
      );
      await settle();
      // jobtitle is exported from now on, city no longer.
      h.deps.settings = { ...h.deps.settings, excludeProperties: [{ object: 'contacts', property: 'city' }] };

      // Act
      h.sim.log.reset();
      const compact = await h.run({ mode: 'compact', objects: ['contacts', 'companies'] });
      const compactLog = h.sim.log.entries();
      const full = await h.run({ mode: 'full', objects: ['contacts', 'companies'] });

      // Assess: published as a snapshot, with its own change set, merges and pairs.
      const outcomes = Object.fromEntries(compact.outcomes.map((o) => [o.dataset, o]));
      expect(outcomes.contacts).toMatchObject({ status: 'completed', mode: 'compact' });
      expect(outcomes['contacts.changes']).toMatchObject({ status: 'completed', mode: 'incremental' });
      expect(outcomes['contacts.merges']).toMatchObject({ status: 'completed', rows: 1 });
      expect(outcomes['associations.contacts__companies']).toMatchObject({ status: 'completed' });
      expect(await readLatest(h.target, snapshot('contacts'))).toMatchObject({ runId: full.runId });
      const { manifest } = await fetchPublished(h, snapshot('contacts'), compact.runId);
      expect(manifest.built).toEqual({
        base: base.runId,
        changeSets: [first.runId, compact.runId],
        nullUntilChanged: ['jobtitle'],
        removed: ['city'],
        retyped: [],
        mergedAway: 1,
        goneFromHubSpot: 0,
      });
      // Sources that fit one part together are written as one: change sets leave no trail of tiny parts.
      expect(manifest.files).toBe(1);
      // No record is listed again: only the change set's searches (and lists of archived ids), and the pairs.
      const listed = compactLog.filter(
        (e) => e.method === 'GET' && /\/objects\/[^/]+\/contacts$/.test(e.path) && !/archived=true/.test(e.query ?? ''),
      );
      expect(listed).toEqual([]);
      expect(compactLog.some((e) => /\/contacts\/search$/.test(e.path))).toBe(true);

      // The built snapshot equals the full one taken right after, but for jobtitle of records unchanged since the base.
      const built = await relation(h, snapshot('contacts'), compact.runId);
      const taken = await relation(h, snapshot('contacts'), full.runId);
      const columns = '* EXCLUDE (_run_id, _synced_at, jobtitle)';
      expect(await difference(h, built, taken, columns)).toEqual({ missing: 0, extra: 0 });
      expect(await count(h, `SELECT id FROM ${built} GROUP BY id HAVING count(*) > 1`)).toBe(0);
      expect(await count(h, `SELECT * FROM ${built} WHERE id = '${merged.id}'`)).toBe(0);
      // jobtitle holds values only for rows read since it is exported: this run's change set, equal to the full run's.
      const fresh = await h.db.query<{ id: string; same: boolean }>(
        `SELECT b.id, b.jobtitle IS NOT DISTINCT FROM t.jobtitle AS same FROM ${built} b JOIN ${taken} t USING (id) ` +
          `WHERE b._run_id = '${compact.runId}' ORDER BY b.id`,
      );
      expect(fresh.map((r) => r.id)).toEqual([rest[0].id, restored.id].sort());
      expect(fresh.every((r) => r.same)).toBe(true);
      expect(
        await count(h, `SELECT * FROM ${built} WHERE jobtitle IS NOT NULL AND _run_id <> '${compact.runId}'`),
      ).toBe(0);
      const described = await h.db.query<{ column_name: string }>(`DESCRIBE SELECT * FROM ${built}`);
      expect(described.map((c) => c.column_name)).toEqual(
        (await h.db.query<{ column_name: string }>(`DESCRIBE SELECT * FROM ${taken}`)).map((c) => c.column_name),
      );

      // Associations read afresh: the link added and the one removed show, as in the full run's.
      const pair: TableRef = { kind: 'associations', from: 'contacts', to: 'companies' };
      const links = 'from_id, to_id, category, type_id, label';
      expect(
        await difference(h, await relation(h, pair, compact.runId), await relation(h, pair, full.runId), links),
      ).toEqual({ missing: 0, extra: 0 });
      const merges = await h.db.query<{ merged_id: string; surviving_id: string }>(
        `SELECT merged_id, surviving_id FROM ${await relation(h, { kind: 'merges', object: 'contacts' }, compact.runId)}`,
      );
      expect(merges).toEqual([{ merged_id: merged.id, surviving_id: survivor.id }]);
    });

    it('follows the current definitions: a property HubSpot deleted is left out, a text one whose type changed is cast', async () => {
      const base = await h.run({ mode: 'full', objects: ['contacts'] });
      await settle();
      h.sim.admin.archiveProperty('contacts', 'zip');
      h.sim.admin.changePropertyType('contacts', 'city', 'number', 'number');
      const changed = h.sim.oracle.records('contacts')[5];
      h.sim.admin.updateRecord('contacts', changed.id, { city: '42' });
      await settle();

      const compact = await h.run({ mode: 'compact', objects: ['contacts'] });
      const full = await h.run({ mode: 'full', objects: ['contacts'] });

      const { manifest } = await fetchPublished(h, snapshot('contacts'), compact.runId);
      expect(manifest.built).toMatchObject({
        base: base.runId,
        nullUntilChanged: [],
        removed: ['zip'],
        retyped: ['city'],
      });
      expect(manifest.columns.find((c) => c.name === 'city')?.type).toBe('DOUBLE');
      const built = await relation(h, snapshot('contacts'), compact.runId);
      const taken = await relation(h, snapshot('contacts'), full.runId);
      // Stored words no number reads go to _unparsed, as the writer puts HubSpot's; the new value is a number.
      expect(await difference(h, built, taken, '* EXCLUDE (_run_id, _synced_at)')).toEqual({ missing: 0, extra: 0 });
      expect(await count(h, `SELECT * FROM ${built} WHERE city = 42`)).toBe(1);
      expect(await count(h, `SELECT * FROM ${built} WHERE _unparsed['city'] IS NOT NULL`)).toBeGreaterThan(10);
      const types = await h.db.query<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${built}`);
      expect(types.some((c) => c.column_name === 'zip')).toBe(false);
    });

    it("reads an object afresh when a number property became text: the stored DOUBLE has lost HubSpot's text", async () => {
      await h.run({ mode: 'full', objects: ['contacts', 'companies'] });
      await settle();
      h.sim.admin.changePropertyType('companies', 'annualrevenue', 'string', 'text');
      await settle();

      const compact = await h.run({ mode: 'compact', objects: ['contacts', 'companies'] });
      const full = await h.run({ mode: 'full', objects: ['companies'] });

      const companies = await fetchPublished(h, snapshot('companies'), compact.runId);
      expect([companies.manifest.mode, companies.manifest.built]).toEqual(['full', undefined]);
      expect((await fetchPublished(h, snapshot('contacts'), compact.runId)).manifest.mode).toBe('compact');
      expect(h.logs).toContainEqual(
        expect.stringMatching(
          /^companies: this compact run takes a full snapshot: properties changed type, and their text is not in the stored rows: annualrevenue \(DOUBLE in run \S+, VARCHAR now\)$/,
        ),
      );
      const built = await relation(h, snapshot('companies'), compact.runId);
      const taken = await relation(h, snapshot('companies'), full.runId);
      expect(await difference(h, built, taken, '* EXCLUDE (_run_id, _synced_at)')).toEqual({ missing: 0, extra: 0 });
      // HubSpot's text as it is: trailing zeros and all.
      const records = [...h.sim.oracle.records('companies'), ...h.sim.oracle.records('companies', { archived: true })];
      const oracle = records.map((r) => r.properties.annualrevenue);
      expect(oracle.some((v) => typeof v === 'string' && v.endsWith('0'))).toBe(true);
      const exported = await h.db.query<{ v: string | null }>(`SELECT annualrevenue AS v FROM ${built}`);
      expect(exported.map((r) => r.v).sort()).toEqual(oracle.map((v) => v ?? null).sort());
    });

    it('says how many records HubSpot deleted without reporting them archived, and keeps them until a full run', async () => {
      await h.run({ mode: 'full', objects: ['contacts'] });
      await settle();
      const [deleted] = h.sim.oracle.records('contacts');
      h.sim.admin.deleteRecord('contacts', deleted.id);
      await settle();

      const compact = await h.run({ mode: 'compact', objects: ['contacts'] });

      const { manifest } = await fetchPublished(h, snapshot('contacts'), compact.runId);
      expect(manifest.built).toMatchObject({ goneFromHubSpot: 1, mergedAway: 0 });
      expect(h.logs).toContainEqual(expect.stringMatching(/holds 1 live record\(s\) HubSpot no longer counts/));
      const built = await relation(h, snapshot('contacts'), compact.runId);
      expect(await count(h, `SELECT * FROM ${built} WHERE id = '${deleted.id}' AND NOT archived`)).toBe(1);
      const full = await h.run({ mode: 'full', objects: ['contacts'] });
      const taken = await relation(h, snapshot('contacts'), full.runId);
      expect(await count(h, `SELECT * FROM ${taken} WHERE id = '${deleted.id}'`)).toBe(0);
    });

    it('builds every object of a compact run of all, and takes the small tables and the metadata afresh', async () => {
      await h.run({ mode: 'full', objects: 'all' });
      await settle();

      const compact = await h.run({ mode: 'compact', objects: 'all' });

      const byDataset = new Map(compact.outcomes.map((o) => [o.dataset, o]));
      expect([...byDataset.values()].filter((o) => o.status !== 'completed')).toEqual([]);
      for (const object of ['contacts', 'companies', 'deals']) expect(byDataset.get(object)?.mode).toBe('compact');
      for (const table of ['owners', 'pipelines']) expect(byDataset.get(table)?.mode).toBe('full');
      expect(byDataset.get('metadata.properties')).toMatchObject({ status: 'completed', mode: 'compact' });
    });

    it('takes a full snapshot when there is none to build on', async () => {
      const run = await h.run({ mode: 'compact', objects: ['contacts'] });
      expect(run.outcomes.find((o) => o.dataset === 'contacts')).toMatchObject({ status: 'completed', mode: 'full' });
      expect(h.logs.some((line) => /takes a full snapshot/.test(line))).toBe(true);
    });

    it('resumes a build stopped by deadlines and a failed upload, publishing it whole and once', async () => {
      await h.run({ mode: 'full', objects: ['contacts'] });
      await settle();
      h.sim.admin.updateRecord('contacts', h.sim.oracle.records('contacts')[3].id, { firstname: 'Resumed' });
      await settle();
      let failed = false;
      h.deps.settings = { ...h.deps.settings, partRows: 50, deadlineMarginMs: 0 };
      h.deps.hooks = {
        afterPartUpload: (key) => {
          if (!failed && key.startsWith('snapshots/contacts/') && key.endsWith('part-00002.parquet')) {
            failed = true;
            throw Object.assign(new Error('lost the connection after the upload'), { retryable: true });
          }
        },
      };
      // Every step stops after its first part: the build runs over many steps.
      let steps = 0;
      const compact = await h.run(
        { mode: 'compact', objects: ['contacts'] },
        { stepDeadline: () => (steps++, Date.now() + 1) },
      );
      h.deps.hooks = undefined;
      expect(failed).toBe(true);
      expect(steps).toBeGreaterThan(4);
      const full = await h.run({ mode: 'full', objects: ['contacts'] });
      const built = await relation(h, snapshot('contacts'), compact.runId);
      const taken = await relation(h, snapshot('contacts'), full.runId);
      expect(await difference(h, built, taken, '* EXCLUDE (_run_id, _synced_at)')).toEqual({ missing: 0, extra: 0 });
      const stored = await h.target.list('snapshots/contacts/');
      const { manifest } = await fetchPublished(h, snapshot('contacts'), compact.runId);
      expect(stored.filter((o) => o.key.includes(`run_id=${compact.runId}/`)).length).toBe(manifest.files);
      expect(await h.target.list(`_state/runs/${compact.runId}/build/`)).toEqual([]);
    });

    it('publishes nothing when the build cannot finish, and leaves the watermark and _latest alone', async () => {
      const base = await h.run({ mode: 'full', objects: ['contacts'] });
      const before = JSON.parse((await h.target.getObject('_state/contacts.json'))!.toString());
      const [part] = (await h.target.list('snapshots/contacts/')).filter((o) => o.key.includes(base.runId));
      await h.target.deleteObject(part.key);
      await settle();

      const compact = await h.run({ mode: 'compact', objects: ['contacts'] });

      const outcome = compact.outcomes.find((o) => o.dataset === 'contacts');
      expect(outcome).toMatchObject({ status: 'failed', mode: 'compact' });
      expect(outcome?.reason).toMatch(/is missing, though a published manifest names it/);
      expect(await readLatest(h.target, snapshot('contacts'))).toMatchObject({ runId: base.runId });
      const after = JSON.parse((await h.target.getObject('_state/contacts.json'))!.toString());
      expect(after.watermark).toBe(before.watermark);
      expect(
        (await h.target.list('')).filter((o) => o.key.includes(compact.runId) && !o.key.startsWith('_state/')),
      ).toEqual([]);
    });
  },
);
