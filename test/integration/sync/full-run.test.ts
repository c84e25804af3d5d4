import { DEFAULT_ASSOCIATION_PAIRS } from '../../../lib/hubspot/object-types';
import { diffAgainstOracle, fetchPublished, parquetList, startHarness, type Harness } from '../../helpers/sync-harness';

describe('Sync engine: a full run of every object', () => {
  let h: Harness;
  let result: Awaited<ReturnType<Harness['run']>>;

  /** The default pairs and one to a custom object, which the API addresses by its objectTypeId. */
  const PAIRS = [...DEFAULT_ASSOCIATION_PAIRS, ['contacts', 'pets']] as const;

  beforeAll(async () => {
    h = await startHarness({ deps: { settings: { associationPairs: PAIRS } } });
    result = await h.run({ mode: 'full', objects: 'all' });
  });
  afterAll(() => h.close());

  it('completes every dataset', () => {
    expect(result.outcomes.filter((o) => o.status !== 'completed')).toEqual([]);
    const datasets = result.outcomes.map((o) => o.dataset).sort();
    const objects = h.sim.oracle.objectTypes().map((t) => t.name);
    const pairs = PAIRS.map(([from, to]) => `associations.${from}__${to}`);
    expect(datasets).toEqual([...objects, ...pairs, 'owners', 'pipelines', 'metadata.properties'].sort());
  });

  it('exports each object exactly as the oracle holds it, archived records included', async () => {
    for (const { name } of h.sim.oracle.objectTypes()) {
      const { manifest, files } = await fetchPublished(h, { kind: 'snapshot', object: name });
      const diff = await diffAgainstOracle(h, name, files, result.runId);
      expect({ name, ...diff, rows: manifest.rows, unparsedInManifest: manifest.unparsed }).toEqual({
        name,
        expectedRows: diff.expectedRows,
        unparsed: diff.unparsed,
        missing: 0,
        unexpected: 0,
        duplicateIds: 0,
        rows: diff.expectedRows,
        unparsedInManifest: diff.unparsed,
      });
    }
  });

  it('keeps edge-case values intact, e.g. the 65,536-character string and emoji', async () => {
    const { files } = await fetchPublished(h, { kind: 'snapshot', object: 'contacts' });
    const longest = h.sim.oracle
      .records('contacts')
      .flatMap((r) => Object.values(r.properties))
      .reduce((max, v) => Math.max(max, v?.length ?? 0), 0);
    expect(longest).toBe(65_536);
    const columns = (
      await h.db.query<{ column_name: string; column_type: string }>(
        `DESCRIBE SELECT * FROM read_parquet(${parquetList(files)})`,
      )
    )
      .filter((c) => c.column_type === 'VARCHAR')
      .map((c) => `coalesce(length("${c.column_name}"), 0)`);
    const [{ n }] = await h.db.query<{ n: number }>(
      `SELECT max(greatest(${columns.join(', ')})) AS n FROM read_parquet(${parquetList(files)})`,
    );
    expect(Number(n)).toBe(65_536);
  });

  it('reads associations to a custom object by its objectTypeId', () => {
    const paths = new Set(h.sim.log.entries().map((e) => e.path.split('?')[0]));
    const pets = h.sim.oracle.objectTypes().find((t) => t.name === 'pets');
    expect(pets?.objectTypeId).toMatch(/^2-\d+$/);
    const { associationsBatchRead } = h.deps.client.paths;
    expect(paths).toContain(associationsBatchRead('contacts', pets?.objectTypeId ?? ''));
    expect(paths).not.toContain(associationsBatchRead('contacts', 'pets'));
  });

  it('exports every association pair the oracle holds', async () => {
    for (const [from, to] of PAIRS) {
      const { files } = await fetchPublished(h, { kind: 'associations', from, to });
      const rows = await h.db.query<{ from_id: string; to_id: string; type_id: number; label: string | null }>(
        `SELECT from_id, to_id, type_id, label FROM read_parquet(${parquetList(files)}) ORDER BY from_id::BIGINT, to_id::BIGINT, type_id`,
      );
      const expected = h.sim.oracle
        .associations(from, to)
        .flatMap((a) => a.types.map((t) => ({ from_id: a.fromId, to_id: a.toId, type_id: t.typeId, label: t.label })))
        .sort(
          (a, b) => Number(a.from_id) - Number(b.from_id) || Number(a.to_id) - Number(b.to_id) || a.type_id - b.type_id,
        );
      expect(expected.length).toBeGreaterThan(0);
      expect(rows).toEqual(expected);
    }
  });

  it('writes association parts under associations/<from>__<to>/, one folder per pair', async () => {
    const folders = new Set((await h.target.list('associations/')).map((o) => o.key.split('/').slice(0, 2).join('/')));
    expect([...folders].sort()).toEqual(PAIRS.map(([from, to]) => `associations/${from}__${to}`).sort());
  });

  it('exports owners (live and archived) and one row per pipeline stage', async () => {
    const owners = await fetchPublished(h, { kind: 'snapshot', object: 'owners' });
    const ownerIds = (
      await h.db.query<{ id: string }>(`SELECT id FROM read_parquet(${parquetList(owners.files)}) ORDER BY id`)
    ).map((r) => r.id);
    const expectedOwners = [...h.sim.oracle.owners(), ...h.sim.oracle.owners({ archived: true })]
      .map((o) => o.id)
      .sort();
    expect(ownerIds).toEqual(expectedOwners);

    const pipelines = await fetchPublished(h, { kind: 'snapshot', object: 'pipelines' });
    const stages = await h.db.query<{ object_type: string; stage_id: string; stage_label: string }>(
      `SELECT object_type, stage_id, stage_label FROM read_parquet(${parquetList(pipelines.files)}) ORDER BY object_type, stage_id`,
    );
    const expectedStages = ['deals', 'tickets']
      .flatMap((type) =>
        h.sim.oracle
          .pipelines(type)
          .flatMap((p) => p.stages.map((s) => ({ object_type: type, stage_id: s.id, stage_label: s.label }))),
      )
      .sort(
        (a, b) =>
          a.object_type.localeCompare(b.object_type) ||
          (a.stage_id < b.stage_id ? -1 : a.stage_id > b.stage_id ? 1 : 0),
      );
    expect(stages).toEqual(expectedStages);
  });

  it('writes property metadata that decodes enumeration values to labels', async () => {
    const { files } = await fetchPublished(h, { kind: 'properties' });
    const enumeration = h.sim.oracle.properties('deals').find((p) => p.type === 'enumeration' && p.options.length > 0)!;
    const option = enumeration.options[0];
    const [row] = await h.db.query<{ label: string }>(
      `SELECT options['${option.value}'] AS label FROM read_parquet(${parquetList(files)}) WHERE object = 'deals' AND name = '${enumeration.name}'`,
    );
    expect(row.label).toBe(option.label);
  });

  it('sets the watermark to the run start, counts the live records for the next run, and releases every lease', async () => {
    const state = JSON.parse((await h.target.getObject('_state/contacts.json'))!.toString());
    const ids = h.sim.oracle.ids('contacts');
    expect(state).toEqual({
      object: 'contacts',
      watermark: result.startedAt,
      lastRunId: result.runId,
      lastPublishedAt: expect.any(String),
      // Every live record up to the highest id, archivals published until the run's start (archived-sweep.ts).
      archived: { sweptUntil: result.startedAt, countedBelow: ids[ids.length - 1], live: ids.length },
    });
    const leases = await h.target.list('_state/locks/');
    expect(leases.length).toBe(result.outcomes.filter((o) => !o.dataset.includes('.')).length);
    for (const { key } of leases) {
      const lease = JSON.parse((await h.target.getObject(key))!.toString());
      expect({ key, runId: lease.runId, released: typeof lease.releasedAt }).toEqual({
        key,
        runId: result.runId,
        released: 'string',
      });
    }
  });
});

describe('Sync engine: association pairs whose target fails planning', () => {
  it('reads no pair whose target object failed planning after its source was planned', async () => {
    const h = await startHarness({ deps: { settings: { associationPairs: [['contacts', 'pets']] } } });
    try {
      // pets is planned after contacts (standard objects first) and fails on its corrupt state file.
      await h.target.putObject('_state/pets.json', '{"object": "pets", "watermark": ');

      const result = await h.run({ mode: 'full', objects: ['contacts', 'pets'] });

      expect(result.outcomes.map((o) => [o.dataset, o.status])).toEqual([
        ['contacts', 'completed'],
        ['metadata.properties', 'completed'],
        ['pets', 'failed'],
      ]);
      // Any API version: /crm/v4/associations/... or the dated /crm/associations/{ver}/...
      expect(h.sim.log.entries().filter((e) => /^\/crm\/(v4\/)?associations\//.test(e.path))).toEqual([]);
      // Association parts live under associations/<from>__<to>/ (the full run above checks that path is written).
      expect(await h.target.list('associations/')).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
