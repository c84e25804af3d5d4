import type { HubSpotRecord } from '../../../lib/hubspot/types';
import { startSimulator, type Simulator } from '../../../sim';
import { call } from './sim-http';

const FAST_SEARCH = { maxPerWindow: 100_000, searchPerSecond: 100_000 };

describe('Simulator: search', () => {
  let sim: Simulator;
  let deals: HubSpotRecord[];
  beforeAll(async () => {
    sim = await startSimulator({ rateLimit: FAST_SEARCH });
    deals = sim.oracle.records('deals');
  });
  afterAll(() => sim.close());

  const search = (body: object, type = 'deals') =>
    call(`${sim.url}/crm/v3/objects/${type}/search`, sim.serviceKey, { body });
  const ms = (r: HubSpotRecord) => Date.parse(r.properties.hs_lastmodifieddate as string);

  it.each<[string, (r: HubSpotRecord, pivot: HubSpotRecord) => boolean, (pivot: HubSpotRecord) => object]>([
    ['GT on hs_object_id', (r, p) => Number(r.id) > Number(p.id), (p) => ({ operator: 'GT', value: p.id })],
    ['LTE on hs_object_id', (r, p) => Number(r.id) <= Number(p.id), (p) => ({ operator: 'LTE', value: p.id })],
    ['EQ on hs_object_id', (r, p) => r.id === p.id, (p) => ({ operator: 'EQ', value: p.id })],
    ['NEQ on hs_object_id', (r, p) => r.id !== p.id, (p) => ({ operator: 'NEQ', value: p.id })],
    ['IN on hs_object_id', (r, p) => r.id === p.id, (p) => ({ operator: 'IN', values: [p.id, '1'] })],
    ['NOT_IN on hs_object_id', (r, p) => r.id !== p.id, (p) => ({ operator: 'NOT_IN', values: [p.id] })],
  ])('filters with %s', async (_, expected, filter) => {
    const pivot = deals[40];
    const res = await search({
      filterGroups: [{ filters: [{ propertyName: 'hs_object_id', ...filter(pivot) }] }],
      limit: 200,
      sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
    });
    const want = deals.filter((r) => expected(r, pivot)).map((r) => r.id);
    expect(res.json.total).toBe(want.length);
    expect(res.json.results.map((r: HubSpotRecord) => r.id)).toEqual(want);
  });

  it('filters the last-modified property numerically (GTE ms, BETWEEN ISO) and sorts by it with an id tiebreak', async () => {
    const sorted = [...deals].sort((a, b) => ms(a) - ms(b) || Number(a.id) - Number(b.id));
    const low = ms(sorted[20]);
    const high = ms(sorted[60]);
    const res = await search({
      filterGroups: [
        {
          filters: [
            { propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(low) },
            {
              propertyName: 'hs_lastmodifieddate',
              operator: 'BETWEEN',
              value: new Date(low).toISOString(),
              highValue: new Date(high).toISOString(),
            },
          ],
        },
      ],
      sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }],
      limit: 200,
      properties: ['dealname', 'hs_lastmodifieddate'],
    });
    const want = sorted.filter((r) => ms(r) >= low && ms(r) <= high);
    expect(res.json.results.map((r: HubSpotRecord) => r.id)).toEqual(want.map((r) => r.id));
    expect(Object.keys(res.json.results[0].properties).sort()).toEqual(['dealname', 'hs_lastmodifieddate']);
  });

  it('ORs groups, ANDs filters, and handles HAS_PROPERTY / NOT_HAS_PROPERTY / text EQ', async () => {
    const stage = deals[0].properties.dealstage as string;
    const res = await search({
      filterGroups: [
        {
          filters: [
            { propertyName: 'dealstage', operator: 'EQ', value: stage.toUpperCase() },
            { propertyName: 'description', operator: 'HAS_PROPERTY' },
          ],
        },
        { filters: [{ propertyName: 'amount', operator: 'NOT_HAS_PROPERTY' }] },
      ],
      limit: 200,
    });
    const has = (v: string | null) => v !== null && v !== '';
    const want = deals.filter(
      (r) => (r.properties.dealstage === stage && has(r.properties.description)) || !has(r.properties.amount),
    );
    expect(want.length).toBeGreaterThan(0);
    expect(res.json.results.map((r: HubSpotRecord) => r.id)).toEqual(want.map((r) => r.id));
  });

  it('pages with an offset cursor and never returns archived records', async () => {
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const res = await search({ limit: 50, after });
      ids.push(...res.json.results.map((r: HubSpotRecord) => r.id));
      after = res.json.paging?.next?.after;
    } while (after);
    expect(ids).toEqual(deals.map((r) => r.id));
    expect(sim.oracle.count('deals', { archived: true })).toBeGreaterThan(0);
  });

  it.each([
    ['limit over 200', { limit: 201 }],
    ['two sorts', { sorts: [{ propertyName: 'amount' }, { propertyName: 'dealname' }] }],
    ['six groups', { filterGroups: Array.from({ length: 6 }, () => ({ filters: [] })) }],
    [
      'seven filters in a group',
      {
        filterGroups: [
          { filters: Array.from({ length: 7 }, () => ({ propertyName: 'amount', operator: 'HAS_PROPERTY' })) },
        ],
      },
    ],
    [
      '19 filters in all',
      {
        filterGroups: [5, 5, 5, 4].map((n) => ({
          filters: Array.from({ length: n }, () => ({ propertyName: 'amount', operator: 'HAS_PROPERTY' })),
        })),
      },
    ],
    ['an unknown property', { filterGroups: [{ filters: [{ propertyName: 'nope', operator: 'EQ', value: '1' }] }] }],
    ['a body over 3,000 characters', { properties: Array.from({ length: 200 }, (_, i) => `custom_property_${i}`) }],
  ])('answers 400 VALIDATION_ERROR for %s', async (_, body) => {
    const res = await search(body);
    expect(res.status).toBe(400);
    expect(res.json.category).toBe('VALIDATION_ERROR');
  });
});

describe('Simulator: search 10,000-result cap and shared millisecond', () => {
  it('shares one last-modified millisecond across the requested block, all live', async () => {
    const sim = await startSimulator({ sameMillisecond: { objectType: 'companies', count: 50 } });
    try {
      const live = sim.oracle.records('companies');
      const counts = new Map<string, number>();
      for (const r of live) counts.set(r.updatedAt, (counts.get(r.updatedAt) ?? 0) + 1);
      expect(Math.max(...counts.values())).toBe(50);
    } finally {
      await sim.close();
    }
  });

  it('puts 10,050 contacts on one millisecond by default and caps search at offset+limit = 10,000', async () => {
    const sim = await startSimulator({ scale: 30_000, rateLimit: FAST_SEARCH });
    try {
      const url = `${sim.url}/crm/v3/objects/contacts/search`;
      const newest = await call(url, sim.serviceKey, {
        body: { sorts: [{ propertyName: 'lastmodifieddate', direction: 'DESCENDING' }], limit: 1 },
      });
      const shared = newest.json.results[0].properties.lastmodifieddate as string;
      const body = (after: number, limit: number) => ({
        filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'EQ', value: shared }] }],
        sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
        properties: ['hs_object_id', 'lastmodifieddate'],
        after: String(after),
        limit,
      });
      const last = await call(url, sim.serviceKey, { body: body(9_900, 100) });
      expect(last.status).toBe(200);
      expect(last.json.total).toBe(10_050);
      expect(last.json.results).toHaveLength(100);
      expect(last.json.paging.next.after).toBe('10000');
      expect(new Set(last.json.results.map((r: HubSpotRecord) => r.properties.lastmodifieddate))).toEqual(
        new Set([shared]),
      );
      const beyond = await call(url, sim.serviceKey, { body: body(9_950, 100) });
      expect(beyond.status).toBe(400);
      expect(beyond.json.category).toBe('VALIDATION_ERROR');
      const tiebreak = await call(url, sim.serviceKey, {
        body: {
          ...body(0, 200),
          filterGroups: [
            {
              filters: [
                { propertyName: 'lastmodifieddate', operator: 'EQ', value: shared },
                { propertyName: 'hs_object_id', operator: 'GT', value: last.json.results[99].id },
              ],
            },
          ],
        },
      });
      expect(tiebreak.json.total).toBe(50);
    } finally {
      await sim.close();
    }
  });
});
