import { readLatest } from '../../../lib/store/manifest';
import { deployedRunner } from '../../helpers/deployed-run';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver';
import { diffAgainstOracle, fetchPublished, startHarness, type Harness } from '../../helpers/sync-harness';

/**
 * A large object exported by several sync-step invocations side by side (the plan splits it into slices the Map runs
 * in parallel), published by finalize as one dataset with one manifest and one `_latest`.
 */
describe('State machine: one object spread over several Lambdas', () => {
  let s3: S3rverHandle;
  let h: Harness;

  beforeAll(async () => {
    s3 = await startS3rver({ bucket: 'lake' });
    h = await startHarness({
      sim: { scale: 1_200, latency: { baseMs: 10, perKbMs: 0, jitter: 0.25 } },
      location: 's3://lake/hubspot',
      s3Client: s3.client,
      deps: { settings: { slicesPerObject: 3, sliceMinRecords: 300, minSplitRecords: 100, partRows: 200 } },
    });
  });
  afterAll(async () => {
    await h?.close();
    await s3?.close();
  });

  it('splits contacts into three slice items and publishes them as one exact dataset, associations too', async () => {
    // Act
    const runner = deployedRunner(async () => h.runtime);
    const { output, runId } = await runner.execute({ mode: 'full', objects: ['contacts', 'companies'] });

    // Assess: three items for contacts, one for companies, each with its slice of the ids.
    const items = (output.plan as unknown as { items: { object: string; slice?: { index: number } }[] }).items;
    expect(items.map((item) => [item.object, item.slice?.index])).toEqual([
      ['contacts', 0],
      ['contacts', 1],
      ['contacts', 2],
      ['companies', undefined],
    ]);
    expect(output.outcome.ok).toBe(true);
    const { manifest, files } = await fetchPublished(h, { kind: 'snapshot', object: 'contacts' }, runId);
    const diff = await diffAgainstOracle(h, 'contacts', files, runId);
    expect({
      rows: manifest.rows,
      missing: diff.missing,
      unexpected: diff.unexpected,
      duplicates: diff.duplicateIds,
    }).toEqual({ rows: diff.expectedRows, missing: 0, unexpected: 0, duplicates: 0 });
    // Each slice numbered its parts from its own block; one manifest names them all, and _latest points at it.
    const blocks = new Set(manifest.entries.map((e) => Math.floor(Number(/part-(\d+)/.exec(e.url)?.[1]) / 1_000)));
    expect([...blocks].sort()).toEqual([0, 1, 2]);
    expect((await readLatest(h.target, { kind: 'snapshot', object: 'contacts' }))?.runId).toBe(runId);
    // Associations read by every slice come together in one dataset holding every pair the oracle has.
    const pairs = await fetchPublished(h, { kind: 'associations', from: 'contacts', to: 'companies' }, runId);
    const expected = new Set(h.sim.oracle.associations('contacts', 'companies').map((a) => `${a.fromId}>${a.toId}`));
    expect(pairs.manifest.rows).toBeGreaterThanOrEqual(expected.size);
    const got = await h.db.query<{ pair: string }>(
      `SELECT DISTINCT from_id || '>' || to_id AS pair FROM read_parquet([${pairs.files.map((f) => `'${f}'`).join(',')}])`,
    );
    expect(new Set(got.map((r) => r.pair))).toEqual(expected);
    // One completion event for the object's dataset, not one per slice.
    expect(runner.published.filter((e) => e.detail.dataset === 'contacts').map((e) => e.detailType)).toEqual([
      'Snapshot Completed',
    ]);
  }, 180_000); // three slices of a few thousand contacts through the state machine: a minute on a busy machine
});
