import type { HubSpotRecord } from '../../../lib/hubspot/types';
import { startSimulator, type Simulator } from '../../../sim';
import { call } from './sim-http';

const LAG_MS = 1_000;
const T0 = Date.UTC(2030, 0, 1);

describe('Simulator: search lags writes', () => {
  let sim: Simulator;
  let clock = T0;
  beforeEach(async () => {
    clock = T0;
    sim = await startSimulator({
      now: () => clock,
      searchLagMs: LAG_MS,
      rateLimit: { maxPerWindow: 100_000, searchPerSecond: 100_000 },
    });
  });
  afterEach(() => sim.close());

  const search = async (filters: object[], sorts: object[] = []) => {
    const res = await call(`${sim.url}/crm/v3/objects/contacts/search`, sim.serviceKey, {
      body: {
        filterGroups: filters.length ? [{ filters }] : [],
        sorts,
        properties: ['firstname'],
        limit: 200,
        after: '0',
      },
    });
    expect(res.status).toBe(200);
    return res.json as { total: number; results: HubSpotRecord[] };
  };
  const byId = (id: string) => search([{ propertyName: 'hs_object_id', operator: 'EQ', value: id }]);
  const listed = async (id: string, archived = false) => {
    const res = await call(
      `${sim.url}/crm/v3/objects/contacts?limit=1&after=${id}&archived=${archived}`,
      sim.serviceKey,
    );
    return res.json.results[0]?.id === id ? res.json.results[0] : undefined;
  };
  const batchRead = async (id: string) =>
    (
      await call(`${sim.url}/crm/v3/objects/contacts/batch/read`, sim.serviceKey, {
        body: { inputs: [{ id }], properties: ['firstname'], propertiesWithHistory: [] },
      })
    ).json.results[0];

  it('finds a created record only once the lag has passed; list, batch read and the oracle see it at once', async () => {
    const created = sim.admin.createRecord('contacts', { firstname: 'Neu' });
    const seen = [];
    for (const after of [0, LAG_MS - 1, LAG_MS]) {
      clock = T0 + after;
      seen.push([after, (await byId(created.id)).total]);
    }
    expect(seen).toEqual([
      [0, 0],
      [LAG_MS - 1, 0],
      [LAG_MS, 1],
    ]);
    clock = T0;
    expect([
      (await listed(created.id))?.id,
      (await batchRead(created.id))?.id,
      sim.oracle.record('contacts', created.id)?.id,
    ]).toEqual([created.id, created.id, created.id]);
  });

  it('finds an updated record with its old values and old last-modified time until the lag has passed', async () => {
    const target = sim.oracle.records('contacts')[7];
    const updated = sim.admin.updateRecord('contacts', target.id, { firstname: 'Renamed' });
    const old = { id: target.id, firstname: target.properties.firstname, updatedAt: target.updatedAt };
    const shape = (r: HubSpotRecord) => ({ id: r.id, firstname: r.properties.firstname, updatedAt: r.updatedAt });
    const sinceWrite = [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(T0) }];
    const newest = [{ propertyName: 'lastmodifieddate', direction: 'DESCENDING' }];
    const renamed = [{ propertyName: 'firstname', operator: 'EQ', value: 'Renamed' }];

    const before = [
      (await byId(target.id)).results.map(shape),
      (await search(sinceWrite)).total,
      (await search(renamed)).total,
    ];
    const topBefore = (await search([], newest)).results[0].id;
    // The old last-modified time is also the one search returns in the properties.
    const oldProperties = await call(`${sim.url}/crm/v3/objects/contacts/search`, sim.serviceKey, {
      body: {
        filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'EQ', value: target.id }] }],
        properties: ['lastmodifieddate', 'firstname'],
      },
    });
    clock = T0 + LAG_MS;
    const after = [
      (await byId(target.id)).results.map(shape),
      (await search(sinceWrite)).total,
      (await search(renamed)).total,
    ];
    const topAfter = (await search([], newest)).results[0].id;

    expect(before).toEqual([[old], 0, 0]);
    expect(oldProperties.json.results[0].properties).toEqual({
      firstname: target.properties.firstname,
      lastmodifieddate: target.updatedAt,
    });
    expect(after).toEqual([[{ id: target.id, firstname: 'Renamed', updatedAt: updated.updatedAt }], 1, 1]);
    expect([topBefore === target.id, topAfter]).toEqual([false, target.id]);
    expect((await batchRead(target.id)).properties.firstname).toBe('Renamed');
  });

  it('still finds a just-archived record, as not archived, until the lag has passed', async () => {
    const target = sim.oracle.records('contacts')[3];
    sim.admin.archiveRecord('contacts', target.id);
    const during = (await byId(target.id)).results.map((r) => [r.id, r.archived]);
    const archivedList = (await listed(target.id, true))?.archived;
    clock = T0 + LAG_MS;
    expect([during, archivedList, (await byId(target.id)).total]).toEqual([[[target.id, false]], true, 0]);
  });

  it('shows a record created then updated within the lag as each write reaches search', async () => {
    const created = sim.admin.createRecord('contacts', { firstname: 'First' });
    clock = T0 + 500;
    sim.admin.updateRecord('contacts', created.id, { firstname: 'Second' });
    const seen = [];
    for (const at of [T0 + 999, T0 + 1_000, T0 + 1_499, T0 + 1_500]) {
      clock = at;
      seen.push([at - T0, (await byId(created.id)).results.map((r) => r.properties.firstname)]);
    }
    expect(seen).toEqual([
      [999, []],
      [1_000, ['First']],
      [1_499, ['First']],
      [1_500, ['Second']],
    ]);
  });

  it('changes the lag over POST /_sim/search-lag; raising it does not hide what search already showed', async () => {
    const created = sim.admin.createRecord('contacts', { firstname: 'Now' });
    const cleared = await call(`${sim.url}/_sim/search-lag`, undefined, { body: { ms: 0 } });
    const found = (await byId(created.id)).total;
    const raised = await call(`${sim.url}/_sim/search-lag`, undefined, { body: { ms: 5_000 } });
    const still = (await byId(created.id)).total;
    const later = sim.admin.createRecord('contacts', { firstname: 'Later' });
    const read = await call(`${sim.url}/_sim/search-lag`, undefined);
    expect([cleared.json, found, raised.json, still, (await byId(later.id)).total, read.json]).toEqual([
      { ms: 0 },
      1,
      { ms: 5_000 },
      1,
      0,
      { ms: 5_000 },
    ]);
    expect(sim.searchLag.get()).toBe(5_000);
  });

  it.each([
    [{ ms: -1 }, 'searchLagMs must be a number from 0 to 3600000, got -1'],
    [{ ms: '100' }, 'searchLagMs must be a number from 0 to 3600000, got "100"'],
    [{ lag: 100 }, 'search-lag takes {"ms": N}, got {"lag":100}'],
  ])('refuses %j naming the bad value', async (body, message) => {
    const res = await call(`${sim.url}/_sim/search-lag`, undefined, { body });
    expect([res.status, res.json, sim.searchLag.get()]).toEqual([400, { status: 'error', message }, LAG_MS]);
  });
});
