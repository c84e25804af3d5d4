import type { HubSpotRecord } from '../../../lib/hubspot/types';
import { startSimulator, type Simulator } from '../../../sim';
import { call, pageAll } from './sim-http';

describe('Simulator: generated data', () => {
  it('generates identical data for one seed and different data for another', async () => {
    const [a, b, c] = await Promise.all([
      startSimulator({ seed: 3 }),
      startSimulator({ seed: 3 }),
      startSimulator({ seed: 4 }),
    ]);
    try {
      expect(a.oracle.records('deals')).toEqual(b.oracle.records('deals'));
      expect(a.oracle.associations('deals', 'contacts')).toEqual(b.oracle.associations('deals', 'contacts'));
      expect(a.oracle.records('deals')).not.toEqual(c.oracle.records('deals'));
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it.each([
    'Zoë 🦄 Ünïcødé — 日本語 ✓',
    'O\'Brien "The \\ Hammer"',
    'line one\nline two\r\n\tline "three" \\ end',
    '',
    '12abc',
    'N/A',
    '2020-02-29T03:30:17.000Z',
    '1582947017000',
    '2020-02-29',
    'a;b;c',
    'yes',
  ])('serves the awkward value %j over HTTP exactly', async (value) => {
    const sim = await startSimulator({ rateLimit: { maxPerWindow: 100_000 } });
    try {
      const names = sim.oracle
        .properties('contacts')
        .map((p) => p.name)
        .slice(0, 45);
      const { records } = await pageAll(
        sim.url,
        sim.serviceKey,
        `/crm/v3/objects/contacts?limit=100&properties=${names.join(',')}`,
      );
      const found = records.find((r: HubSpotRecord) => Object.values(r.properties).includes(value));
      expect(found).toBeDefined();
      const truth = sim.oracle.record('contacts', found.id)!;
      expect(found.properties).toEqual(Object.fromEntries(names.map((n) => [n, truth.properties[n]])));
    } finally {
      await sim.close();
    }
  });

  it('holds a 65,536-character string', async () => {
    const sim = await startSimulator();
    try {
      const lengths = sim.oracle
        .records('contacts')
        .flatMap((r) => Object.values(r.properties).map((v) => v?.length ?? 0));
      expect(lengths.reduce((a, b) => Math.max(a, b), 0)).toBe(65_536);
    } finally {
      await sim.close();
    }
  });

  it('keeps hs_object_id equal to id and the last-modified property equal to updatedAt', async () => {
    const sim = await startSimulator();
    try {
      for (const type of sim.oracle.objectTypes()) {
        for (const r of sim.oracle.records(type.name)) {
          expect([r.properties.hs_object_id, r.properties[type.lastModifiedProperty]]).toEqual([r.id, r.updatedAt]);
        }
        expect(sim.oracle.count(type.name, { archived: true })).toBeGreaterThan(0);
      }
      expect(sim.oracle.objectTypes()).toHaveLength(24);
    } finally {
      await sim.close();
    }
  });
});

describe('Simulator: admin changes during a run', () => {
  let sim: Simulator;
  let clock = Date.UTC(2030, 0, 1);
  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock, rateLimit: { maxPerWindow: 100_000, searchPerSecond: 1000 } });
  });
  afterAll(() => sim.close());

  const searchSince = async (ms: number) =>
    call(`${sim.url}/crm/v3/objects/contacts/search`, sim.serviceKey, {
      body: {
        filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(ms) }] }],
        properties: ['email', 'firstname'],
        limit: 100,
      },
    });

  it('creates, updates and archives records visible in list, search and the oracle', async () => {
    const created = sim.admin.createRecord('contacts', { email: 'new@example.com', firstname: 'New' });
    const ids = sim.oracle.records('contacts').map((r) => r.id);
    expect(ids[ids.length - 1]).toBe(created.id);
    expect(created.updatedAt).toBe('2030-01-01T00:00:00.000Z');

    clock += 1000;
    const target = sim.oracle.records('contacts')[10];
    const updated = sim.admin.updateRecord('contacts', target.id, { firstname: 'Changed' });
    expect(updated.properties.lastmodifieddate).toBe('2030-01-01T00:00:01.000Z');
    expect(updated.properties.email).toBe(target.properties.email);

    const found = await searchSince(Date.UTC(2030, 0, 1));
    expect(found.json.results.map((r: HubSpotRecord) => [r.id, r.properties.firstname])).toEqual([
      [target.id, 'Changed'],
      [created.id, 'New'],
    ]);

    sim.admin.archiveRecord('contacts', target.id);
    const archived = sim.oracle.record('contacts', target.id)!;
    expect([archived.archived, archived.archivedAt, archived.updatedAt]).toEqual([
      true,
      '2030-01-01T00:00:01.000Z',
      updated.updatedAt,
    ]);
    expect((await searchSince(Date.UTC(2030, 0, 1))).json.total).toBe(1);
    const { records } = await pageAll(sim.url, sim.serviceKey, '/crm/v3/objects/contacts?limit=100&archived=true');
    expect(records.map((r: HubSpotRecord) => r.id)).toContain(target.id);
  });

  it('gives same-clock updates strictly later modification times', () => {
    const [a, b] = sim.oracle.records('companies');
    const first = sim.admin.updateRecord('companies', a.id, { name: 'A' });
    const second = sim.admin.updateRecord('companies', b.id, { name: 'B' });
    expect(Date.parse(second.updatedAt) - Date.parse(first.updatedAt)).toBe(1);
  });

  it('applies changes through the HTTP admin API', async () => {
    const created = await call(`${sim.url}/_sim/objects/deals`, undefined, {
      body: { properties: { dealname: 'Big' } },
    });
    expect(created.status).toBe(201);
    const patched = await call(`${sim.url}/_sim/objects/deals/${created.json.id}`, undefined, {
      method: 'PATCH',
      body: { properties: { amount: '42' } },
    });
    expect(patched.json.properties).toMatchObject({ dealname: 'Big', amount: '42' });
    const deleted = await call(`${sim.url}/_sim/objects/deals/${created.json.id}`, undefined, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(sim.oracle.record('deals', created.json.id)?.archived).toBe(true);
    expect((await call(`${sim.url}/_sim/objects/deals/1`, undefined, { method: 'DELETE' })).status).toBe(404);
  });
});

describe("Simulator: the portal's schema changed between runs", () => {
  it('creates a property that records show as null until a write sets it, in list pages, search and the oracle', async () => {
    const sim = await startSimulator({ rateLimit: { maxPerWindow: 100_000, searchPerSecond: 1000 } });
    try {
      const def = sim.admin.createProperty('companies', 'custom_added_score', 'number');
      expect([def.name, def.type, def.fieldType, def.archived]).toEqual([
        'custom_added_score',
        'number',
        'number',
        false,
      ]);
      const listed = await call(`${sim.url}/crm/v3/properties/companies`, sim.serviceKey);
      expect(listed.json.results.map((p: { name: string }) => p.name)).toContain('custom_added_score');
      const [first, second] = sim.oracle.ids('companies');
      sim.admin.updateRecord('companies', first, { custom_added_score: '42' });
      const { records } = await pageAll(
        sim.url,
        sim.serviceKey,
        '/crm/v3/objects/companies?limit=100&properties=custom_added_score',
      );
      const values = new Map(records.map((r: HubSpotRecord) => [r.id, r.properties.custom_added_score]));
      expect([values.get(first), values.get(second)]).toEqual(['42', null]);
      expect([...values.values()].filter((v) => v !== null)).toEqual(['42']);
      expect(sim.oracle.record('companies', second)?.properties).toHaveProperty('custom_added_score', null);
      const found = await call(`${sim.url}/crm/v3/objects/companies/search`, sim.serviceKey, {
        body: {
          filterGroups: [{ filters: [{ propertyName: 'custom_added_score', operator: 'GT', value: '40' }] }],
          properties: ['custom_added_score'],
          limit: 10,
        },
      });
      expect(found.json.results.map((r: HubSpotRecord) => r.id)).toEqual([first]);
      expect(() => sim.admin.createProperty('companies', 'custom_added_score', 'text')).toThrow(/already has/);
    } finally {
      await sim.close();
    }
  });

  it('knows a custom object defined later only once it is defined, records and all', async () => {
    const sim = await startSimulator({ customObjectsDefinedLater: ['projects'] });
    try {
      const before = await call(`${sim.url}/crm/v3/objects/projects?limit=10`, sim.serviceKey);
      expect(before.status).toBe(400);
      const schemas = async () =>
        (await call(`${sim.url}/crm/v3/schemas`, sim.serviceKey)).json.results.map((s: { name: string }) => s.name);
      expect(await schemas()).toEqual(['pets']);
      expect(sim.oracle.objectTypes().map((t) => t.name)).not.toContain('projects');
      sim.admin.defineCustomObject('projects');
      expect(await schemas()).toEqual(['pets', 'projects']);
      const { records } = await pageAll(sim.url, sim.serviceKey, '/crm/v3/objects/projects?limit=100');
      expect(records.length).toBe(sim.oracle.count('projects'));
      expect(records.length).toBeGreaterThan(0);
      expect(() => sim.admin.defineCustomObject('projects')).toThrow(/not a custom object waiting/);
    } finally {
      await sim.close();
    }
  });

  it('refuses to hold back an object that is not one of its custom objects', async () => {
    await expect(startSimulator({ customObjectsDefinedLater: ['contacts'] })).rejects.toThrow(
      'customObjectsDefinedLater: contacts is not one of the custom objects (pets, projects)',
    );
  });
});

describe('Simulator: associations v4', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ rateLimit: { maxPerWindow: 100_000 } });
  });
  afterAll(() => sim.close());

  const readAll = async (from: string, to: string, ids: string[]) => {
    const pairs: { fromId: string; toId: string; types: unknown }[] = [];
    let pending: { id: string; after?: string }[] = ids.map((id) => ({ id }));
    let requests = 0;
    while (pending.length > 0) {
      const res = await call(`${sim.url}/crm/v4/associations/${from}/${to}/batch/read`, sim.serviceKey, {
        body: { inputs: pending },
      });
      requests++;
      pending = [];
      for (const r of res.json.results) {
        for (const t of r.to) pairs.push({ fromId: r.from.id, toId: t.toObjectId, types: t.associationTypes });
        if (r.paging?.next?.after) pending.push({ id: r.from.id, after: r.paging.next.after });
      }
    }
    pairs.sort((a, b) => Number(a.fromId) - Number(b.fromId) || Number(a.toId) - Number(b.toId));
    return { pairs, requests };
  };

  it.each([
    ['contacts', 'companies'],
    ['companies', 'contacts'],
    ['deals', 'contacts'],
    ['deals', 'companies'],
    ['tickets', 'contacts'],
    ['deals', 'line_items'],
    ['line_items', 'deals'],
  ])('reads every %s -> %s pair with per-input paging', async (from, to) => {
    const ids = sim.oracle.records(from).map((r) => r.id);
    const { pairs, requests } = await readAll(from, to, ids);
    expect(pairs).toEqual(sim.oracle.associations(from, to));
    expect(requests).toBeGreaterThan(1);
  });

  it('keeps both directions consistent and labels some pairs', () => {
    const forward = sim.oracle.associations('contacts', 'companies');
    const reverse = sim.oracle.associations('companies', 'contacts');
    expect(reverse.map((p) => `${p.toId}-${p.fromId}`).sort()).toEqual(
      forward.map((p) => `${p.fromId}-${p.toId}`).sort(),
    );
    const labels = new Set(forward.flatMap((p) => p.types.map((t) => t.label)));
    expect(labels).toEqual(new Set([null, 'Primary']));
  });

  it('answers 400 over 1,000 inputs and 207 for unknown ids', async () => {
    const url = `${sim.url}/crm/v4/associations/contacts/companies/batch/read`;
    const tooMany = await call(url, sim.serviceKey, {
      body: { inputs: Array.from({ length: 1001 }, (_, i) => ({ id: String(i) })) },
    });
    expect(tooMany.status).toBe(400);
    const partial = await call(url, sim.serviceKey, { body: { inputs: [{ id: '1' }] } });
    expect([partial.status, partial.json.numErrors]).toEqual([207, 1]);
  });

  it('associates and dissociates two records in both directions over the HTTP admin, new records too', async () => {
    // Prepare: a simulator of its own, since this changes its associations.
    const own = await startSimulator({ rateLimit: { maxPerWindow: 100_000 } });
    try {
      const [linked] = own.oracle.associations('contacts', 'companies');
      const created = own.admin.createRecord('contacts', { firstname: 'New' });
      const [company] = own.oracle.ids('companies');
      const admin = (method: 'PUT' | 'DELETE', from: string, fromId: string, to: string, toId: string) =>
        call(`${own.url}/_sim/associations/${from}/${fromId}/${to}/${toId}`, undefined, { method });

      // Act
      const added = await admin('PUT', 'contacts', created.id, 'companies', company);
      const removed = await admin('DELETE', 'companies', linked.toId, 'contacts', linked.fromId);
      const noPair = await admin('PUT', 'contacts', created.id, 'products', own.oracle.ids('products')[0]);
      const read = await call(`${own.url}/crm/associations/2026-09/contacts/companies/batch/read`, own.serviceKey, {
        body: { inputs: [{ id: created.id }, { id: '1' }] },
      });

      // Assess
      expect([added.status, removed.status, noPair.status]).toEqual([204, 204, 404]);
      const has = (from: string, to: string, fromId: string, toId: string) =>
        own.oracle.associations(from, to).some((a) => a.fromId === fromId && a.toId === toId);
      expect([
        has('contacts', 'companies', created.id, company),
        has('companies', 'contacts', company, created.id),
        has('contacts', 'companies', linked.fromId, linked.toId),
        has('companies', 'contacts', linked.toId, linked.fromId),
      ]).toEqual([true, true, false, false]);
      const results = read.json.results as { from: { id: string }; to: { toObjectId: string }[] }[];
      expect(results.map((r) => [r.from.id, r.to.map((t) => t.toObjectId)])).toEqual([[created.id, [company]]]);
      // The unknown id is reported in the 200 (2026-09), and the log says how many inputs failed.
      expect(own.log.entries().map((e) => [e.status, e.numErrors])).toEqual([[200, 1]]);
    } finally {
      await own.close();
    }
  });
});
