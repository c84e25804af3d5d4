import { buildRecordColumns } from '../../../lib/schema/columns';
import { FIELD_TYPE_OVERRIDES, PROPERTY_TYPE_COLUMNS } from '../../../lib/schema/type-map';
import { GlueCatalog, glueColumns, glueTableName, type CatalogPublication } from '../../../lib/store/catalog';
import { CatalogError } from '../../../lib/store/errors';
import type { TableRef } from '../../../lib/store/layout';
import { PROPERTY_METADATA_COLUMNS } from '../../../lib/sync/property-metadata';
import { ASSOCIATION_COLUMNS, OWNER_COLUMNS, PIPELINE_COLUMNS } from '../../../lib/sync/side-tables';
import { FakeGlue } from '../../helpers/fake-glue';

const ROOT = 's3://lake/hubspot/';
const publication = (table: TableRef, runId: string, date = '2026-11-29'): CatalogPublication => ({
  table,
  columns: [
    { name: 'id', type: 'VARCHAR' },
    { name: 'Amount', type: 'DOUBLE' },
    { name: 'hs_tags', type: 'VARCHAR[]' },
  ],
  snapshotDate: date,
  runId,
  manifestUrl: `${ROOT}_manifests/x/${runId}.json`,
});

describe('Function: glueTableName', () => {
  it.each([
    [{ kind: 'snapshot', object: 'contacts' }, '', 'contacts'],
    [{ kind: 'snapshot', object: 'p123-cars' }, '', 'p123_cars'],
    [{ kind: 'changes', object: 'deals' }, 'hubspot_', 'hubspot_deals_changes'],
    [{ kind: 'associations', from: 'contacts', to: 'companies' }, '', 'associations_contacts__companies'],
    [{ kind: 'properties' }, 'hs_', 'hs_metadata_properties'],
  ] as [TableRef, string, string][])('names %j with prefix %j as %s', (table, prefix, name) => {
    expect(glueTableName(table, prefix)).toBe(name);
  });

  it('refuses a prefix Glue cannot hold, naming it', () => {
    expect(() => glueTableName({ kind: 'properties' }, 'my prefix')).toThrow(CatalogError);
    expect(() => glueTableName({ kind: 'properties' }, 'my prefix')).toThrow(/my prefix/);
  });
});

describe('Function: glueColumns', () => {
  it('maps every column type the record and side-table writers produce (an unmapped one throws)', () => {
    const recordTypes = [
      ...Object.values(PROPERTY_TYPE_COLUMNS),
      ...FIELD_TYPE_OVERRIDES.map((o) => o.column),
      ...buildRecordColumns([]).map((c) => c.type),
    ];
    const sideTypes = [ASSOCIATION_COLUMNS, OWNER_COLUMNS, PIPELINE_COLUMNS, PROPERTY_METADATA_COLUMNS]
      .flat()
      .map((c) => c.type);
    const types = [...new Set([...recordTypes, ...sideTypes])];
    const mapped = glueColumns(types.map((type, i) => ({ name: `c${i}`, type })));
    expect(Object.fromEntries(types.map((t, i) => [t, mapped[i].Type]))).toEqual(
      expect.objectContaining({
        VARCHAR: 'string',
        DOUBLE: 'double',
        BOOLEAN: 'boolean',
        DATE: 'date',
        TIMESTAMP: 'timestamp',
        'VARCHAR[]': 'array<string>',
        'MAP(VARCHAR, VARCHAR)': 'map<string,string>',
      }),
    );
  });

  it('lower-cases names and refuses an unknown type, naming the column', () => {
    expect(glueColumns([{ name: 'MyProp', type: 'DOUBLE' }])).toEqual([{ Name: 'myprop', Type: 'double' }]);
    expect(() => glueColumns([{ name: 'odd', type: 'HUGEINT' }])).toThrow(/odd has type HUGEINT/);
  });
});

describe('Class: GlueCatalog', () => {
  it('creates a snapshot table at the run folder, then moves it to the next run', async () => {
    const glue = new FakeGlue();
    const catalog = new GlueCatalog({ client: glue, database: 'hubspot', location: 's3://lake/hubspot' });
    const table = { kind: 'snapshot', object: 'deals' } as const;

    expect(await catalog.publish(publication(table, 'run-1'))).toBe('hubspot.deals');
    expect(glue.table('hubspot', 'deals')?.input).toEqual({
      Name: 'deals',
      TableType: 'EXTERNAL_TABLE',
      Parameters: {
        EXTERNAL: 'TRUE',
        classification: 'parquet',
        'hubspot_s3_sync.dataset': 'deals',
        'hubspot_s3_sync.run_id': 'run-1',
        'hubspot_s3_sync.snapshot_date': '2026-11-29',
        'hubspot_s3_sync.manifest': `${ROOT}_manifests/x/run-1.json`,
      },
      StorageDescriptor: {
        Columns: [
          { Name: 'id', Type: 'string' },
          { Name: 'amount', Type: 'double' },
          { Name: 'hs_tags', Type: 'array<string>' },
        ],
        Location: `${ROOT}snapshots/deals/snapshot_date=2026-11-29/run_id=run-1/`,
        InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
      },
    });

    await catalog.publish(publication(table, 'run-2', '2026-11-30'));
    const moved = glue.table('hubspot', 'deals');
    expect(moved?.updates).toBe(1);
    expect(moved?.input.StorageDescriptor?.Location).toBe(
      `${ROOT}snapshots/deals/snapshot_date=2026-11-30/run_id=run-2/`,
    );
    expect(moved?.input.Parameters?.['hubspot_s3_sync.run_id']).toBe('run-2');
  });

  it('keeps change sets in one table partitioned by change_date and run_id, and tolerates a retried publish', async () => {
    const glue = new FakeGlue();
    const catalog = new GlueCatalog({
      client: glue,
      database: 'hubspot',
      tablePrefix: 'hs_',
      location: 's3://lake/hubspot/',
    });
    const table = { kind: 'changes', object: 'contacts' } as const;

    await catalog.publish(publication(table, 'run-1'));
    await catalog.publish(publication(table, 'run-2', '2026-11-30'));
    await catalog.publish(publication(table, 'run-2', '2026-11-30'));

    const found = glue.table('hubspot', 'hs_contacts_changes');
    expect(found?.input.PartitionKeys).toEqual([
      { Name: 'change_date', Type: 'string' },
      { Name: 'run_id', Type: 'string' },
    ]);
    expect(found?.input.StorageDescriptor?.Location).toBe(`${ROOT}changes/contacts/`);
    expect([...(found?.partitions.entries() ?? [])].map(([v, p]) => [v, p.StorageDescriptor?.Location])).toEqual([
      ['2026-11-29/run-1', `${ROOT}changes/contacts/change_date=2026-11-29/run_id=run-1/`],
      ['2026-11-30/run-2', `${ROOT}changes/contacts/change_date=2026-11-30/run_id=run-2/`],
    ]);
  });

  it('never repoints a table it did not make, or one that holds another dataset', async () => {
    // Prepare: an analyst's own `contacts` table, and a custom object whose name maps onto a change table.
    const glue = new FakeGlue();
    const catalog = new GlueCatalog({ client: glue, database: 'hubspot', location: 's3://lake/hubspot' });
    glue.tables.set('hubspot.contacts', {
      input: { Name: 'contacts', StorageDescriptor: { Location: 's3://elsewhere/' } },
      updates: 0,
      partitions: new Map(),
    });
    await catalog.publish(publication({ kind: 'changes', object: 'deals' }, 'run-1'));

    // Act
    const mine = catalog.publish(publication({ kind: 'snapshot', object: 'contacts' }, 'run-1'));
    const clash = catalog.publish(publication({ kind: 'snapshot', object: 'deals_changes' }, 'run-1'));

    // Assess
    await expect(mine).rejects.toThrow(
      'Glue table hubspot.contacts not updated: a table of that name exists and was not made by hubspot-s3-sync; ' +
        'drop it or set a table prefix',
    );
    await expect(clash).rejects.toThrow(
      'Glue table hubspot.deals_changes not updated: the table holds dataset deals.changes, not deals_changes',
    );
    expect(glue.table('hubspot', 'contacts')).toMatchObject({
      updates: 0,
      input: { StorageDescriptor: { Location: 's3://elsewhere/' } },
    });
    expect(glue.table('hubspot', 'deals_changes')?.input.Parameters?.['hubspot_s3_sync.dataset']).toBe('deals.changes');
  });

  it('refuses a change table with a column named like its partition keys, naming it', async () => {
    const catalog = new GlueCatalog({ client: new FakeGlue(), database: 'hubspot', location: 's3://lake/hubspot' });
    const withRunId = { ...publication({ kind: 'changes', object: 'deals' }, 'run-1') };
    withRunId.columns = [...withRunId.columns, { name: 'run_id', type: 'VARCHAR' }];
    await expect(catalog.publish(withRunId)).rejects.toThrow(
      'Glue table hubspot.deals_changes not updated: column run_id has the name of a partition key of change tables',
    );
  });

  it('says which table Glue refused and why', async () => {
    const catalog = new GlueCatalog({
      client: new FakeGlue(['other']),
      database: 'hubspot',
      location: 's3://lake/hubspot',
    });
    const refused = catalog.publish(publication({ kind: 'snapshot', object: 'deals' }, 'run-1'));
    await expect(refused).rejects.toThrow(CatalogError);
    await expect(refused).rejects.toThrow('Glue table hubspot.deals not updated: Database hubspot not found.');
  });
});
