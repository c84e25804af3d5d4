import { startSimulator, type Simulator } from '../../../sim';
import { call, type HttpResult } from './sim-http';

/** HubSpot's paths per version (../shared/HUBSPOT_API.md), written out here rather than read from the simulator. */
const pathsOf = (ver: string) =>
  ver === 'v3'
    ? {
        objects: '/crm/v3/objects/contacts',
        search: '/crm/v3/objects/contacts/search',
        batchRead: '/crm/v3/objects/contacts/batch/read',
        properties: '/crm/v3/properties/contacts',
        schemas: '/crm/v3/schemas',
        owners: '/crm/v3/owners',
        pipelines: '/crm/v3/pipelines/deals',
        associations: '/crm/v4/associations/contacts/companies/batch/read',
      }
    : {
        objects: `/crm/objects/${ver}/contacts`,
        search: `/crm/objects/${ver}/contacts/search`,
        batchRead: `/crm/objects/${ver}/contacts/batch/read`,
        properties: `/crm/properties/${ver}/contacts`,
        schemas: `/crm-object-schemas/${ver}/schemas`,
        owners: `/crm/owners/${ver}`,
        pipelines: `/crm/pipelines/${ver}/deals`,
        associations: `/crm/associations/${ver}/contacts/companies/batch/read`,
      };

const DATED = ['2025-09', '2026-03', '2026-09'] as const;
const VERSIONS = ['v3', ...DATED] as const;
const RATE_HEADER = 'x-hubspot-ratelimit-remaining';

/** A body without its timestamps and with the version's paths turned into v3's, to compare answers across versions. */
function comparable(res: HttpResult, ver: string): unknown {
  const text = JSON.stringify({ ...res.json, startedAt: undefined, completedAt: undefined });
  const legacy = text
    .replaceAll(`/crm/objects/${ver}/`, '/crm/v3/objects/')
    .replaceAll(`/crm/owners/${ver}`, '/crm/v3/owners');
  return JSON.parse(ver === 'v3' ? text : legacy);
}

describe('Simulator: date-versioned API', () => {
  let sim: Simulator;
  let contactIds: { heavy: string; unassociated: string; plain: string[] };
  beforeAll(async () => {
    sim = await startSimulator({ rateLimit: { maxPerWindow: 100_000, searchPerSecond: 100_000 } });
    const counts = new Map<string, number>();
    for (const p of sim.oracle.associations('contacts', 'companies'))
      counts.set(p.fromId, (counts.get(p.fromId) ?? 0) + 1);
    const live = sim.oracle.records('contacts').map((r) => r.id);
    const heavy = [...counts].find(([, n]) => n > 10)![0];
    contactIds = {
      heavy,
      unassociated: live.find((id) => !counts.has(id))!,
      plain: live.filter((id) => (counts.get(id) ?? 0) > 0 && counts.get(id)! <= 10).slice(0, 3),
    };
  });
  afterAll(() => sim.close());

  const request = (ver: string) => {
    const p = pathsOf(ver);
    const key = sim.serviceKey;
    return {
      list: () => call(`${sim.url}${p.objects}?limit=3&properties=email,firstname`, key),
      search: () => call(`${sim.url}${p.search}`, key, { body: { filterGroups: [], limit: 3, properties: ['email'] } }),
      batchRead: () =>
        call(`${sim.url}${p.batchRead}`, key, {
          body: { inputs: contactIds.plain.map((id) => ({ id })), properties: ['email'], propertiesWithHistory: [] },
        }),
      properties: () => call(`${sim.url}${p.properties}`, key),
      schemas: () => call(`${sim.url}${p.schemas}`, key),
      owners: () => call(`${sim.url}${p.owners}?limit=5`, key),
      pipelines: () => call(`${sim.url}${p.pipelines}`, key),
      associations: () =>
        call(`${sim.url}${p.associations}`, key, { body: { inputs: contactIds.plain.map((id) => ({ id })) } }),
    };
  };

  it.each(DATED)(
    'answers every endpoint on the %s paths as v3 does, logged under the versioned templates',
    async (ver) => {
      const legacy = request('v3');
      const dated = request(ver);
      const names = Object.keys(legacy) as (keyof typeof legacy)[];
      const answers: [string, number, unknown, unknown][] = [];
      for (const name of names) {
        const [a, b] = [await legacy[name](), await dated[name]()];
        answers.push([name, b.status, comparable(b, ver), comparable(a, 'v3')]);
      }
      sim.log.reset();
      for (const name of names) await dated[name]();
      expect(answers.map(([name, status, got]) => [name, status, got])).toEqual(
        answers.map(([name, , , want]) => [name, 200, want]),
      );
      expect(sim.log.entries().map((e) => [e.method, e.route, e.apiVersion, e.status])).toEqual([
        ['GET', '/crm/objects/{ver}/{type}', ver, 200],
        ['POST', '/crm/objects/{ver}/{type}/search', ver, 200],
        ['POST', '/crm/objects/{ver}/{type}/batch/read', ver, 200],
        ['GET', '/crm/properties/{ver}/{type}', ver, 200],
        ['GET', '/crm-object-schemas/{ver}/schemas', ver, 200],
        ['GET', '/crm/owners/{ver}', ver, 200],
        ['GET', '/crm/pipelines/{ver}/{type}', ver, 200],
        ['POST', '/crm/associations/{ver}/{from}/{to}/batch/read', ver, 200],
      ]);
    },
  );

  it.each(VERSIONS)('links the next %s list and owners page on the path it was asked on', async (ver) => {
    const list = await request(ver).list();
    const owners = await request(ver).owners();
    const p = pathsOf(ver);
    const after = list.json.paging.next.after;
    expect([list.json.paging.next.link, owners.json.paging.next]).toEqual([
      `${sim.url}${p.objects}?after=${after}`,
      { after: '5', link: `${sim.url}${p.owners}?limit=5&after=5&archived=false` },
    ]);
  });

  it.each([
    ['v3', 207],
    ['2025-09', 207],
    ['2026-03', 207],
    ['2026-09', 200],
  ])('answers a %s objects batch read with a missing id with %i and a StandardError', async (ver, status) => {
    const [found] = contactIds.plain;
    const res = await call(`${sim.url}${pathsOf(ver).batchRead}`, sim.serviceKey, {
      body: { inputs: [{ id: found }, { id: '1' }], properties: ['email'], propertiesWithHistory: [] },
    });
    expect(res.status).toBe(status);
    expect(res.json).toEqual({
      status: 'COMPLETE',
      results: [
        {
          id: found,
          properties: { email: sim.oracle.record('contacts', found)!.properties.email },
          createdAt: sim.oracle.record('contacts', found)!.createdAt,
          updatedAt: sim.oracle.record('contacts', found)!.updatedAt,
          archived: false,
        },
      ],
      numErrors: 1,
      errors: [
        {
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          message: 'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
          errors: [{ message: 'No CONTACT with id 1', context: { ids: ['1'] } }],
          context: { ids: ['1'] },
          links: {},
        },
      ],
      startedAt: expect.any(String),
      completedAt: expect.any(String),
    });
  });

  it.each([
    ['v3', 207, true],
    ['2025-09', 207, true],
    ['2026-03', 207, true],
    ['2026-09', 200, false],
  ])(
    'answers a %s associations batch read with %i, StandardErrors, and paging links: %s',
    async (ver, status, links) => {
      const { heavy, unassociated } = contactIds;
      const url = `${sim.url}${pathsOf(ver).associations}`;
      const res = await call(url, sim.serviceKey, {
        body: { inputs: [{ id: heavy }, { id: unassociated }, { id: '1' }] },
      });
      const objects = ver === 'v3' ? '/crm/v4/objects' : `/crm/objects/${ver}`;
      const context = (id: string) => ({ fromObjectId: [id], fromObjectType: ['contact'], toObjectType: ['company'] });
      expect([res.status, res.json.numErrors, res.json.results.length, 'warnings' in res.json]).toEqual([
        status,
        2,
        1,
        false,
      ]);
      expect(res.json.results[0].paging).toEqual({
        next: links
          ? { after: '10', link: `${sim.url}${objects}/contacts/${heavy}/associations/companies?after=10` }
          : { after: '10' },
      });
      expect(res.json.errors).toEqual([
        {
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          subCategory: { type: 'crm.associations.NO_ASSOCIATIONS_FOUND' },
          message: `No company is associated with contact ${unassociated}.`,
          errors: [
            {
              message: `No company is associated with contact ${unassociated}.`,
              subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
              context: { fromObjectId: [unassociated] },
            },
          ],
          context: context(unassociated),
          links: {},
        },
        {
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          message: 'No CONTACT with id 1',
          errors: [{ message: 'No CONTACT with id 1', context: { fromObjectId: ['1'] } }],
          context: context('1'),
          links: {},
        },
      ]);
      // Following the cursors to the input's last page: that page carries no `paging` at all.
      const targets = new Set<string>(res.json.results[0].to.map((t: { toObjectId: string }) => t.toObjectId));
      let after: string | undefined = res.json.results[0].paging.next.after;
      let last: { paging?: unknown } = res.json.results[0];
      while (after) {
        const page = await call(url, sim.serviceKey, { body: { inputs: [{ id: heavy, after }] } });
        last = page.json.results[0];
        for (const t of page.json.results[0].to) targets.add(t.toObjectId);
        after = page.json.results[0].paging?.next.after;
      }
      const expected = sim.oracle.associations('contacts', 'companies').filter((p) => p.fromId === heavy);
      expect(['paging' in last, targets.size]).toEqual([false, expected.length]);
    },
  );

  it.each([
    ['GET', '/crm/objects/2024-09/contacts'],
    ['GET', '/crm/objects/2027-03/contacts'],
    ['GET', '/crm/objects/v3/contacts'],
    ['POST', '/crm/objects/2026-10/contacts/search'],
    ['GET', '/crm/properties/latest/contacts'],
    ['GET', '/crm/owners/2026'],
    ['POST', '/crm/associations/v4/contacts/companies/batch/read'],
  ] as const)('answers 404 OBJECT_NOT_FOUND on %s %s (a version HubSpot does not have)', async (method, path) => {
    sim.log.reset();
    const res = await call(`${sim.url}${path}`, sim.serviceKey, method === 'POST' ? { body: { inputs: [] } } : {});
    expect([res.status, res.json.category, res.json.message]).toEqual([
      404,
      'OBJECT_NOT_FOUND',
      `No route for ${method} ${path}`,
    ]);
    expect(sim.log.entries().map((e) => [e.route, e.apiVersion])).toEqual([['unknown', undefined]]);
  });

  it.each(VERSIONS)('keeps %s search at limit 200 and a 3,000-character body', async (ver) => {
    const url = `${sim.url}${pathsOf(ver).search}`;
    const padded = { filterGroups: [], limit: 1, properties: ['email', 'x'.repeat(3_000)] };
    const statuses = [
      (await call(url, sim.serviceKey, { body: { filterGroups: [], limit: 200 } })).status,
      (await call(url, sim.serviceKey, { body: { filterGroups: [], limit: 201 } })).status,
      (await call(url, sim.serviceKey, { body: padded })).status,
    ];
    expect(statuses).toEqual([200, 400, 400]);
  });

  it('serves owners with a type and schemas with requiredProperties, as the spec requires', async () => {
    const owners = await call(`${sim.url}/crm/owners/2026-09?limit=100`, sim.serviceKey);
    const schemas = await call(`${sim.url}/crm-object-schemas/2026-09/schemas`, sim.serviceKey);
    const types = owners.json.results.map((o: { type: string }) => o.type);
    expect([types.length, types.filter((t: string) => t === 'QUEUE').length]).toEqual([23, 4]);
    expect(types.filter((t: string) => t !== 'PERSON' && t !== 'QUEUE')).toEqual([]);
    expect(
      schemas.json.results.map((s: { name: string; requiredProperties: string[] }) => [s.name, s.requiredProperties]),
    ).toEqual([
      ['pets', ['pet_name']],
      ['projects', ['project_name']],
    ]);
  });
});

describe('Simulator: budgets on the date-versioned paths', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({
      rateLimit: { maxPerWindow: 10, windowMs: 60_000, searchPerSecond: 2, searchWindowMs: 60_000 },
    });
  });
  afterAll(() => sim.close());

  it.each(DATED)(
    'spares the ten-second window on %s search and associations; search sends no rate headers',
    async (ver) => {
      const key = sim.keys.create();
      const p = pathsOf(ver);
      const [contact] = sim.oracle.associations('contacts', 'companies');
      const search = () => call(`${sim.url}${p.search}`, key, { body: { filterGroups: [], limit: 1 } });
      const associations = await call(`${sim.url}${p.associations}`, key, {
        body: { inputs: [{ id: contact.fromId }] },
      });
      const searches = [await search(), await search(), await search()];
      const list = await call(`${sim.url}${p.objects}?limit=1`, key);
      expect(searches.map((r) => [r.status, r.headers[RATE_HEADER], r.json.policyName])).toEqual([
        [200, undefined, undefined],
        [200, undefined, undefined],
        [429, undefined, 'SECONDLY'],
      ]);
      expect([associations.status, associations.headers[RATE_HEADER], list.headers[RATE_HEADER]]).toEqual([
        200,
        '10',
        '9',
      ]);
    },
  );
});
