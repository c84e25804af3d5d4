/**
 * finalize registering datasets in Glue. Glue cannot run here, so the catalog is FakeGlue; what its tables say is
 * checked against the real thing: the S3 folders (s3rver) they point at and the Parquet schema DuckDB reads there.
 */
import { staticKeyProvider } from '../../../lib/hubspot';
import { GLUE_TYPES, glueTableName } from '../../../lib/store/catalog';
import { InvalidKeyError } from '../../../lib/store/errors';
import { runPrefix, type TableRef } from '../../../lib/store/layout';
import { readLatest } from '../../../lib/store/manifest';
import { createSyncRuntime } from '../../../lib/sync/create-deps';
import { finalizeRun } from '../../../lib/sync/finalize';
import type { CompletionEvent } from '../../../lib/sync/events';
import type { ObjectOutcome } from '../../../lib/sync/types';
import { FakeGlue } from '../../helpers/fake-glue';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver';
import { fetchPublished, parquetList, startHarness, type Harness } from '../../helpers/sync-harness';
import { STEP_RETRY_POLICY } from '../../../lib/sync/step-retry';

const DATABASE = 'hubspot';
const PREFIX = 'hs_';

/** The TableRef a dataset name stands for (layout.datasetName read backwards). */
function tableOfDataset(dataset: string): TableRef {
  if (dataset === 'metadata.properties') return { kind: 'properties' };
  if (dataset.endsWith('.changes')) return { kind: 'changes', object: dataset.slice(0, -'.changes'.length) };
  if (dataset.startsWith('associations.')) {
    const [from, to] = dataset.slice('associations.'.length).split('__');
    return { kind: 'associations', from, to };
  }
  return { kind: 'snapshot', object: dataset };
}

describe('Sync engine: Glue tables for published datasets', () => {
  let s3: S3rverHandle;
  let glue: FakeGlue;
  let h: Harness;

  beforeAll(async () => {
    s3 = await startS3rver({ bucket: 'lake' });
  });
  afterAll(() => s3.close());
  beforeEach(async () => {
    glue = new FakeGlue([DATABASE]);
    h = await startHarness({
      location: `s3://lake/run-${Date.now()}`,
      s3Client: s3.client,
      deps: { glue: { database: DATABASE, tablePrefix: PREFIX, client: glue } },
    });
  });
  afterEach(() => h.close());

  /** The S3 URL of a folder (ending in '/') under the export's root. */
  const folderUrl = (prefix: string) => h.target.url(`${prefix}x`).slice(0, -1);

  /** The Glue table of a completed dataset, checked against the real folder it points at and the Parquet there. */
  async function expectTableReadsRun(outcome: ObjectOutcome, runId: string) {
    const table = tableOfDataset(outcome.dataset);
    const name = glueTableName(table, PREFIX);
    expect({ dataset: outcome.dataset, table: outcome.catalogTable, error: outcome.catalogError }).toEqual({
      dataset: outcome.dataset,
      table: `${DATABASE}.${name}`,
      error: undefined,
    });
    const { manifest, files } = await fetchPublished(h, table, runId);
    const found = glue.table(DATABASE, name);
    const partition = found?.partitions.get(`${manifest.snapshotDate}/${runId}`);
    const descriptor = table.kind === 'changes' ? partition?.StorageDescriptor : found?.input.StorageDescriptor;
    const runFolder = runPrefix(table, manifest.snapshotDate, runId);
    expect(descriptor?.Location).toBe(folderUrl(runFolder));
    // The folder holds exactly the manifest's parts: nothing unpublished for Athena to pick up.
    const stored = await h.target.list(runFolder);
    expect(stored.map((o) => h.target.url(o.key)).sort()).toEqual(manifest.entries.map((e) => e.url).sort());
    const described = await h.db.query<{ column_name: string; column_type: string }>(
      `DESCRIBE SELECT * FROM read_parquet(${parquetList(files)}, hive_partitioning = false)`,
    );
    expect({ dataset: outcome.dataset, columns: descriptor?.Columns }).toEqual({
      dataset: outcome.dataset,
      columns: described.map((c) => ({
        Name: c.column_name.toLowerCase(),
        Type: (GLUE_TYPES as Record<string, string>)[c.column_type],
      })),
    });
  }

  it('registers every dataset of a full run at its run folder with the schema of its parts, and moves them with the next run', async () => {
    // Act
    const first = await h.run({ mode: 'full', objects: ['contacts', 'deals', 'owners', 'pipelines'] });
    const second = await h.run({ mode: 'full', objects: ['contacts', 'deals', 'owners', 'pipelines'] });

    // Assess
    expect(second.outcomes.filter((o) => o.status !== 'completed')).toEqual([]);
    const datasets = second.outcomes.map((o) => o.dataset).sort();
    expect(datasets).toEqual(
      expect.arrayContaining([
        'associations.deals__contacts',
        'contacts',
        'deals',
        'metadata.properties',
        'owners',
        'pipelines',
      ]),
    );
    expect([...glue.tables.keys()].sort()).toEqual(
      datasets.map((d) => `${DATABASE}.${glueTableName(tableOfDataset(d), PREFIX)}`).sort(),
    );
    for (const outcome of second.outcomes) {
      await expectTableReadsRun(outcome, second.runId);
      expect(glue.table(DATABASE, glueTableName(tableOfDataset(outcome.dataset), PREFIX))?.updates).toBe(1);
    }
    expect(first.runId).not.toBe(second.runId);
  });

  it("adds one partition per change set to the object's changes table", async () => {
    // Prepare
    await h.run({ mode: 'full', objects: ['contacts'] });
    const [record] = h.sim.oracle.records('contacts');
    h.sim.admin.updateRecord('contacts', record.id, { firstname: 'Changed' });

    // Act
    const first = await h.run({ mode: 'incremental', objects: ['contacts'] });
    const second = await h.run({ mode: 'incremental', objects: ['contacts'] });

    // Assess
    const table = glue.table(DATABASE, 'hs_contacts_changes');
    expect(table?.input.PartitionKeys?.map((k) => k.Name)).toEqual(['change_date', 'run_id']);
    expect(table?.input.StorageDescriptor?.Location).toBe(folderUrl('changes/contacts/'));
    expect([...(table?.partitions.keys() ?? [])].sort()).toEqual(
      [first, second].map((r) => `${r.snapshotDate}/${r.runId}`).sort(),
    );
    for (const run of [first, second]) {
      const outcome = run.outcomes.find((o) => o.dataset === 'contacts.changes');
      await expectTableReadsRun(outcome!, run.runId);
    }
  });

  it('publishes the data when Glue refuses, and says so on the outcome and in the log', async () => {
    // Prepare
    glue.failWith = 'AccessDeniedException';

    // Act
    const result = await h.run({ mode: 'full', objects: ['deals'] });

    // Assess
    const deals = result.outcomes.find((o) => o.dataset === 'deals');
    expect(deals).toMatchObject({
      status: 'completed',
      catalogError: `Glue table hubspot.hs_deals not updated: User is not authorized to perform this Glue action`,
    });
    expect(deals?.catalogTable).toBeUndefined();
    expect((await readLatest(h.target, { kind: 'snapshot', object: 'deals' }))?.runId).toBe(result.runId);
    expect(h.logs).toContain(
      'warn: deals published, but not in the catalog: Glue table hubspot.hs_deals not updated: User is not authorized to perform this Glue action',
    );

    // A finalize retried once Glue lets it in registers the table it could not before.
    glue.failWith = undefined;
    const retried = await finalizeRun(h.deps, result.runId);
    expect(retried.outcomes.find((o) => o.dataset === 'deals')).toMatchObject({
      status: 'completed',
      catalogTable: 'hubspot.hs_deals',
    });
    await expectTableReadsRun(
      retried.outcomes.find((o) => o.dataset === 'deals')!,
      result.runId,
    );
  });

  it('announces what a failing finalize published, and a retry after a later run neither denies it nor rolls it back', async () => {
    // Prepare: watermarks, then run A, whose finalize publishes contacts and fails on every write of companies.
    await h.run({ mode: 'full', objects: ['contacts', 'companies'] });
    const events: CompletionEvent[] = [];
    const publishEvents = async (sent: CompletionEvent[]) => void events.push(...sent);
    const put = h.target.putObject.bind(h.target);
    h.target.putObject = (key, ...rest) =>
      key.startsWith('_manifests/companies.changes/') ? Promise.reject(new Error('S3 is down')) : put(key, ...rest);
    try {
      await expect(
        h.run({ mode: 'incremental', objects: ['contacts', 'companies'] }, { publishEvents }),
      ).rejects.toThrow('S3 is down');
    } finally {
      h.target.putObject = put;
    }
    const runA = JSON.parse((await h.target.getObject('_state/contacts.json'))!.toString()).lastRunId as string;
    const contactsChanges = { kind: 'changes', object: 'contacts' } as const;
    // Each attempt of A's finalize (the first, then the driver's retries) announced it: events are at least once.
    expect(events.map((e) => [e.detailType, e.detail.dataset, e.detail.runId])).toEqual(
      Array(1 + STEP_RETRY_POLICY.maxRetries).fill(['Snapshot Completed', 'contacts.changes', runA]),
    );

    // Act: run B publishes contacts' next change set; then A's finalize is retried.
    const runB = await h.run({ mode: 'incremental', objects: ['contacts'] });
    const glueBefore = JSON.stringify(glue.table(DATABASE, 'hs_contacts_changes')?.input);
    events.length = 0;
    const retried = await finalizeRun(h.deps, runA, { publishEvents });

    // Assess: A's contacts change set is reported (and announced again) as published; B stays current.
    expect(retried.outcomes.map((o) => [o.dataset, o.status])).toEqual(
      expect.arrayContaining([
        ['contacts.changes', 'completed'],
        ['companies.changes', 'completed'],
      ]),
    );
    expect(events.filter((e) => e.detail.dataset === 'contacts.changes').map((e) => e.detailType)).toEqual([
      'Snapshot Completed',
    ]);
    expect((await readLatest(h.target, contactsChanges))?.runId).toBe(runB.runId);
    expect(JSON.stringify(glue.table(DATABASE, 'hs_contacts_changes')?.input)).toBe(glueBefore);
    expect(glueBefore).toContain(runB.runId);
  });
});

describe('createSyncRuntime with a Glue database', () => {
  it('refuses a local output folder, since Glue tables need S3 locations', async () => {
    const created = createSyncRuntime({
      keyProvider: staticKeyProvider('unused', 'test key'),
      location: '/tmp/hubspot-data',
      log: { info: () => undefined, warn: () => undefined },
      glue: { database: DATABASE, client: new FakeGlue() },
    });
    await expect(created).rejects.toThrow(InvalidKeyError);
    await expect(created).rejects.toThrow(
      'A Glue database (hubspot) needs an s3:// output location, not /tmp/hubspot-data',
    );
  });
});
