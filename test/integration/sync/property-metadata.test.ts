/**
 * The property metadata table (metadata/properties) across runs of different objects and modes: every object's
 * definitions as the last run that exported it read them, compared with the simulator's oracle.
 */
import type { StoredDefinitions } from '../../../lib/sync/state';
import { fetchPublished, parquetList, startHarness, type Harness } from '../../helpers/sync-harness';

describe('Sync engine: property metadata across runs', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  /** Rows per object and the run that read them, from the published table. */
  async function publishedMetadata(): Promise<{ runId: string; rows: Record<string, [number, string]> }> {
    const { manifest, files } = await fetchPublished(h, { kind: 'properties' });
    const found = await h.db.query<{ object: string; n: number; run_id: string }>(
      `SELECT object, count(*)::INTEGER AS n, any_value(_run_id) AS run_id
       FROM read_parquet(${parquetList(files)}) GROUP BY object ORDER BY object`,
    );
    return { runId: manifest.runId, rows: Object.fromEntries(found.map((r) => [r.object, [r.n, r.run_id]])) };
  }
  const propertyCount = (object: string) => h.sim.oracle.properties(object).length;

  it('keeps the rows of objects a run did not export, and publishes from incremental runs only on a change', async () => {
    const both = await h.run({ mode: 'full', objects: ['contacts', 'deals'] });
    expect(await publishedMetadata()).toEqual({
      runId: both.runId,
      rows: { contacts: [propertyCount('contacts'), both.runId], deals: [propertyCount('deals'), both.runId] },
    });

    // A full run of one object republishes the table: that object's rows anew, the other's as read before.
    const deals = await h.run({ mode: 'full', objects: ['deals'] });
    expect(await publishedMetadata()).toEqual({
      runId: deals.runId,
      rows: { contacts: [propertyCount('contacts'), both.runId], deals: [propertyCount('deals'), deals.runId] },
    });

    // An incremental run whose definitions did not change adds no snapshot of the table.
    const unchanged = await h.run({ mode: 'incremental', objects: ['deals'] });
    expect(unchanged.outcomes.map((o) => [o.object, o.status])).toEqual([['deals', 'completed']]);
    expect((await publishedMetadata()).runId).toBe(deals.runId);
    expect((await h.target.list('metadata/properties/')).some((o) => o.key.includes(unchanged.runId))).toBe(false);

    // Definitions that differ from the stored ones (as after a property was added in HubSpot) are published.
    const key = '_state/definitions/deals.json';
    const stored = JSON.parse((await h.target.getObject(key))!.toString()) as StoredDefinitions;
    await h.target.putObject(key, JSON.stringify({ ...stored, properties: stored.properties.slice(1) }));
    const changed = await h.run({ mode: 'incremental', objects: ['deals'] });
    expect(changed.outcomes.map((o) => [o.object, o.status])).toEqual([
      ['deals', 'completed'],
      ['properties', 'completed'],
    ]);
    expect(await publishedMetadata()).toEqual({
      runId: changed.runId,
      rows: { contacts: [propertyCount('contacts'), both.runId], deals: [propertyCount('deals'), changed.runId] },
    });
  });
});
