import type { PropertyDefinition } from '../../../lib/hubspot/types';
import { manifestKey, runPrefix } from '../../../lib/store/layout';
import {
  countsOf,
  datasetRun,
  discardAbandoned,
  discardUnpublished,
  itemsByObject,
  objectDatasets,
  releaseOf,
} from '../../../lib/sync/object-datasets';
import { ASSOCIATION_COLUMNS, OWNER_COLUMNS, PIPELINE_COLUMNS } from '../../../lib/sync/side-tables';
import { writeRunPlan, type Checkpoint, type PartRecord } from '../../../lib/sync/state';
import type { RunPlan, WorkItem } from '../../../lib/sync/types';
import { useUnitDeps } from '../../helpers/unit-deps';

const RUN = '20260301T000000Z-aaaaaa';
const BASE = { runId: RUN, snapshotDate: '2026-03-01', startedAt: '2026-03-01T00:00:00.000Z' };

const DEALS: WorkItem = {
  ...BASE,
  kind: 'records',
  object: 'deals',
  apiName: 'deals',
  mode: 'full',
  associationTargets: ['contacts', 'companies'],
};
const PIPELINES: WorkItem = { ...BASE, kind: 'pipelines', object: 'pipelines', apiName: 'pipelines', mode: 'full' };
const OWNERS: WorkItem = { ...BASE, kind: 'owners', object: 'owners', apiName: 'owners', mode: 'full' };

const property = (name: string, type: PropertyDefinition['type']): PropertyDefinition => ({
  name,
  label: name,
  type,
  fieldType: 'text',
  groupName: 'dealinformation',
  options: [],
});

const PLAN: RunPlan = {
  ...BASE,
  mode: 'full',
  items: [DEALS, OWNERS, PIPELINES],
  failures: [],
  properties: { deals: [property('amount', 'number'), property('dealname', 'string')] },
};

const part = (key: string, rows: number): PartRecord => ({ key, rows, bytes: rows * 10, unparsed: 0 });

const checkpoint = (overrides: Partial<Checkpoint>): Checkpoint => ({
  runId: RUN,
  mode: 'full',
  phase: 'done',
  parts: [],
  associationParts: {},
  notes: {},
  rows: 0,
  unparsed: 0,
  pages: 0,
  requests: 0,
  retries: 0,
  startedAt: '2026-03-01T00:00:10.000Z',
  updatedAt: '2026-03-01T00:01:10.000Z',
  ...overrides,
});

describe('Function: itemsByObject', () => {
  it('groups an object’s slices together, objects in plan order', () => {
    const slice = (index: number): WorkItem => ({ ...DEALS, slice: { index, count: 2 } });
    const plan = { items: [slice(0), OWNERS, slice(1), PIPELINES] };

    expect(itemsByObject(plan).map((group) => group.map((i) => [i.object, i.slice?.index]))).toEqual([
      [
        ['deals', 0],
        ['deals', 1],
      ],
      [['owners', undefined]],
      [['pipelines', undefined]],
    ]);
  });
});

describe('Function: objectDatasets', () => {
  it('gives a records object its table, then one per association pair', () => {
    const datasets = objectDatasets(PLAN, DEALS);

    expect(datasets.map((ds) => [ds.table, ds.object, ds.ownsRequests])).toEqual([
      [{ kind: 'snapshot', object: 'deals' }, 'deals', true],
      [{ kind: 'associations', from: 'deals', to: 'contacts' }, 'deals__contacts', false],
      [{ kind: 'associations', from: 'deals', to: 'companies' }, 'deals__companies', false],
    ]);
    expect(datasets[0].columns).toEqual([
      { name: 'id', type: 'VARCHAR' },
      { name: 'created_at', type: 'TIMESTAMP' },
      { name: 'updated_at', type: 'TIMESTAMP' },
      { name: 'archived', type: 'BOOLEAN' },
      { name: 'archived_at', type: 'TIMESTAMP' },
      { name: 'amount', type: 'DOUBLE' },
      { name: 'dealname', type: 'VARCHAR' },
      { name: '_unparsed', type: 'MAP(VARCHAR, VARCHAR)' },
      { name: '_run_id', type: 'VARCHAR' },
      { name: '_synced_at', type: 'TIMESTAMP' },
    ]);
    expect(datasets[1].columns).toBe(ASSOCIATION_COLUMNS);
  });

  it('writes a change set for an incremental item, and side tables their own columns', () => {
    const incremental = { ...DEALS, mode: 'incremental' as const, associationTargets: undefined };

    expect(objectDatasets(PLAN, incremental).map((ds) => ds.table)).toEqual([{ kind: 'changes', object: 'deals' }]);
    expect(objectDatasets(PLAN, OWNERS).map((ds) => [ds.table, ds.columns])).toEqual([
      [{ kind: 'snapshot', object: 'owners' }, OWNER_COLUMNS],
    ]);
    expect(objectDatasets(PLAN, PIPELINES)[0].columns).toBe(PIPELINE_COLUMNS);
  });

  it('gives an object missing from the plan’s properties the fixed columns alone', () => {
    const columns = objectDatasets(PLAN, { ...DEALS, object: 'tickets', associationTargets: [] })[0].columns;

    expect(columns.map((c) => c.name)).toEqual([
      'id',
      'created_at',
      'updated_at',
      'archived',
      'archived_at',
      '_unparsed',
      '_run_id',
      '_synced_at',
    ]);
  });

  it('gathers each dataset’s parts from every slice, and a pair’s note from whichever slice wrote it', () => {
    const [main, contacts, companies] = objectDatasets(PLAN, DEALS);
    const checkpoints = [
      checkpoint({ parts: [part('a', 1)], associationParts: { contacts: [part('c1', 2)] } }),
      checkpoint({
        parts: [part('b', 3)],
        associationParts: { contacts: [part('c2', 4)] },
        notes: { companies: 'missing scope crm.objects.companies.read' },
      }),
    ];

    expect(main.parts(checkpoints).map((p) => p.key)).toEqual(['a', 'b']);
    expect(contacts.parts(checkpoints).map((p) => p.key)).toEqual(['c1', 'c2']);
    expect(companies.parts(checkpoints)).toEqual([]);
    expect([main.note(checkpoints), contacts.note(checkpoints), companies.note(checkpoints)]).toEqual([
      undefined,
      undefined,
      'missing scope crm.objects.companies.read',
    ]);
  });

  it.each([
    [{}, undefined],
    [
      { tickets: 'missing scope tickets' },
      "tickets pipelines: missing scope tickets (to export the others' alone: --objects deals,pipelines)",
    ],
    [
      { deals: 'missing scope deals', tickets: 'missing scope tickets' },
      'deals pipelines: missing scope deals; tickets pipelines: missing scope tickets',
    ],
  ])('fails the pipelines table whole when any object’s pipelines went unread: %j', (notes, expected) => {
    const [pipelines] = objectDatasets(PLAN, PIPELINES);

    expect(pipelines.note([checkpoint({ notes })])).toBe(expected);
  });
});

describe('Function: releaseOf', () => {
  it('starts the release at its earliest slice, with every part, and the watermark given', () => {
    const [main] = objectDatasets(PLAN, DEALS);
    const checkpoints = [
      checkpoint({ startedAt: '2026-03-01T00:00:30.000Z', parts: [part('b', 3)] }),
      checkpoint({ startedAt: '2026-03-01T00:00:05.000Z', parts: [part('a', 1)] }),
    ];

    expect(releaseOf(DEALS, main, checkpoints, BASE.startedAt)).toEqual({
      table: { kind: 'snapshot', object: 'deals' },
      runId: RUN,
      snapshotDate: '2026-03-01',
      object: 'deals',
      mode: 'full',
      startedAt: '2026-03-01T00:00:05.000Z',
      columns: main.columns,
      parts: [part('b', 3), part('a', 1)],
      watermark: BASE.startedAt,
    });
  });

  it('carries a change set’s window, and starts at the item’s start with no checkpoint', () => {
    const item: WorkItem = {
      ...DEALS,
      mode: 'backfill',
      since: '2026-01-01T00:00:00.000Z',
      until: '2026-02-01T00:00:00.000Z',
    };
    const [main] = objectDatasets(PLAN, item);

    expect(releaseOf(item, main, [], null)).toMatchObject({
      table: { kind: 'changes', object: 'deals' },
      startedAt: BASE.startedAt,
      parts: [],
      watermark: null,
      window: { since: '2026-01-01T00:00:00.000Z', until: '2026-02-01T00:00:00.000Z' },
    });
    expect(releaseOf(DEALS, objectDatasets(PLAN, DEALS)[0], [], null)).not.toHaveProperty('window');
  });

  it('names whose pipelines the pipelines table holds: the item’s, or every type with pipelines', () => {
    const named = { ...PIPELINES, pipelineObjects: ['deals'] };

    expect(releaseOf(named, objectDatasets(PLAN, named)[0], [], null).pipelineObjects).toEqual(['deals']);
    expect(releaseOf(PIPELINES, objectDatasets(PLAN, PIPELINES)[0], [], null).pipelineObjects).toEqual([
      'deals',
      'tickets',
    ]);
    expect(releaseOf(DEALS, objectDatasets(PLAN, DEALS)[0], [], null)).not.toHaveProperty('pipelineObjects');
  });
});

describe('Function: countsOf', () => {
  it('adds the slices’ requests and retries, and times them from the first start to the last checkpoint', () => {
    const checkpoints = [
      checkpoint({
        requests: 10,
        retries: 1,
        startedAt: '2026-03-01T00:00:10.000Z',
        updatedAt: '2026-03-01T00:01:00.000Z',
      }),
      checkpoint({
        requests: 5,
        retries: 2,
        startedAt: '2026-03-01T00:00:00.000Z',
        updatedAt: '2026-03-01T00:02:30.500Z',
      }),
    ];

    expect(countsOf(checkpoints)).toEqual({ requests: 15, retries: 3, seconds: 150.5 });
    expect(countsOf([])).toEqual({ requests: 0, retries: 0, seconds: 0 });
  });
});

describe('Function: datasetRun', () => {
  it('is where the dataset’s parts of the item’s run live', () => {
    expect(datasetRun(DEALS, { table: { kind: 'snapshot', object: 'deals' } })).toEqual({
      table: { kind: 'snapshot', object: 'deals' },
      runId: RUN,
      snapshotDate: '2026-03-01',
    });
  });
});

describe('Functions: discardUnpublished, discardAbandoned', () => {
  const unit = useUnitDeps();
  const deals = { kind: 'snapshot', object: 'deals' } as const;
  const contacts = { kind: 'associations', from: 'deals', to: 'contacts' } as const;
  const companies = { kind: 'associations', from: 'deals', to: 'companies' } as const;

  /** Parts of every dataset of deals, with only the pair deals->contacts published. */
  async function uploadParts() {
    for (const table of [deals, contacts, companies]) {
      await unit.target.putObject(`${runPrefix(table, '2026-03-01', RUN)}part-00000.parquet`, 'x');
    }
    await unit.target.putObject(manifestKey(contacts, RUN), '{"runId":"x"}');
  }

  it('removes the parts of the datasets the run did not publish, and leaves a published one alone', async () => {
    await uploadParts();

    await discardUnpublished(unit.deps, PLAN, DEALS);

    expect((await unit.target.list('')).map((o) => o.key)).toEqual([
      manifestKey(contacts, RUN),
      `${runPrefix(contacts, '2026-03-01', RUN)}part-00000.parquet`,
    ]);
    expect(unit.logs).toEqual([
      `warn: removing unpublished part ${runPrefix(deals, '2026-03-01', RUN)}part-00000.parquet (deals is not published by this run)`,
      `warn: removing unpublished part ${runPrefix(companies, '2026-03-01', RUN)}part-00000.parquet (associations.deals__companies is not published by this run)`,
    ]);
  });

  it('removes what an abandoned run uploaded for an object its stored plan names, and nothing without a plan', async () => {
    await uploadParts();
    await discardAbandoned(unit.deps, 'deals', 'no-such-run');
    expect(await unit.target.list('snapshots/')).toHaveLength(1);

    await writeRunPlan(unit.target, PLAN);
    await discardAbandoned(unit.deps, 'owners', RUN);
    await discardAbandoned(unit.deps, 'deals', RUN);

    expect(await unit.target.list('snapshots/')).toEqual([]);
    expect(await unit.target.list('associations/')).toEqual([
      { key: `${runPrefix(contacts, '2026-03-01', RUN)}part-00000.parquet`, size: 1 },
    ]);
  });
});
