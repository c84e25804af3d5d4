import { isDeepStrictEqual } from 'node:util';
import type { HubSpotRecord } from '../../../lib/hubspot/types';
import { chunkProperties } from '../../../lib/hubspot/property-chunks';
import { startSimulator, type Simulator } from '../../../sim';
import { BufferPool } from '../../../sim/data/buffer-pool';
import { QUIRK_FIRST_INDEX, QUIRKS } from '../../../sim/data/quirks';
import { call } from './sim-http';

describe('Simulator: 100-record pages with every property in URL chunks', () => {
  let sim: Simulator;
  let chunks: string[][];
  /** Live and archived contacts in id order, i.e. record index order. */
  let byIndex: HubSpotRecord[];
  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', rateLimit: { maxPerWindow: 100_000 } });
    chunks = chunkProperties(sim.oracle.properties('contacts').map((p) => p.name));
    const [first, second] = sim.oracle.records('contacts');
    sim.admin.updateRecord('contacts', first.id, { firstname: 'Überschrieben "x"', custom_note: 'ignored' });
    sim.admin.updateRecord('contacts', second.id, { lastname: null, email: '' });
    sim.admin.createRecord('contacts', { firstname: 'New', city: 'Köln\n' });
    byIndex = [...sim.oracle.records('contacts'), ...sim.oracle.records('contacts', { archived: true })];
    byIndex.sort((a, b) => Number(a.id) - Number(b.id));
  });
  afterAll(() => sim.close());

  it('splits the contact properties into 2 URL chunks', () => {
    expect(chunks.length).toBe(2);
  });

  it('serves every record of every page (quirks, overlays, created) equal to the oracle, many pages at once', async () => {
    // Concurrent pages share pooled buffers: each body must still be exactly its own page.
    const afters = [undefined, ...sim.oracle.records('contacts').filter((_, n) => n % 100 === 0 && n > 0)];
    const requests = afters.flatMap((after) =>
      chunks.map(async (chunk) => {
        const cursor = after ? `&after=${after.id}` : '';
        const res = await call(
          `${sim.url}/crm/v3/objects/contacts?limit=100&properties=${chunk.join(',')}${cursor}`,
          sim.serviceKey,
        );
        return { chunk, results: res.json.results as { id: string; properties: Record<string, unknown> }[] };
      }),
    );
    const pages = await Promise.all(requests);
    const truth = new Map(sim.oracle.records('contacts').map((r) => [r.id, r]));
    let compared = 0;
    const mismatched: string[] = [];
    for (const { chunk, results } of pages) {
      for (const record of results) {
        const expected = truth.get(record.id)!;
        const properties = Object.fromEntries(chunk.map((name) => [name, expected.properties[name]]));
        // isDeepStrictEqual: jest's toEqual takes seconds on 1,000 records of 311 properties.
        if (!isDeepStrictEqual(record, { ...expected, properties })) mismatched.push(record.id);
        compared++;
      }
    }
    expect(mismatched).toEqual([]);
    expect(compared).toBe(2 * sim.oracle.count('contacts'));
  });

  it.each(QUIRKS.map((quirk, n) => [n, quirk.value.slice(0, 24), quirk.value] as const))(
    'serves quirk %i (%j) byte-exactly on a record page',
    async (n, _, value) => {
      const record = byIndex[QUIRK_FIRST_INDEX + n];
      const properties: Record<string, unknown> = {};
      for (const chunk of chunks) {
        const res = await call(
          `${sim.url}/crm/v3/objects/contacts?limit=1&after=${record.id}&archived=${record.archived}` +
            `&properties=${chunk.join(',')}`,
          sim.serviceKey,
        );
        expect(res.json.results[0].id).toBe(record.id);
        Object.assign(properties, res.json.results[0].properties);
      }
      expect(Object.values(properties)).toContain(value);
      expect(properties).toEqual(record.properties);
    },
  );
});

describe('Class: BufferPool', () => {
  it('reuses released buffers and drops too small, too large or surplus ones', () => {
    const pool = new BufferPool(16, 1, 64);
    const a = pool.acquire();
    expect(a.length).toBe(16);
    pool.release(Buffer.alloc(8));
    pool.release(Buffer.alloc(128));
    expect(pool.acquire()).not.toBe(a);
    pool.release(a);
    pool.release(Buffer.alloc(32));
    expect(pool.acquire()).toBe(a);
  });
});
