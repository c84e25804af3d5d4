import { startSimulator, type Simulator } from '../../../sim';
import { call, pageAll } from './sim-http';

describe('Simulator: listing and metadata endpoints', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ scale: 'tiny', rateLimit: { maxPerWindow: 100_000 } });
  });
  afterAll(() => sim.close());

  it.each([
    ['contacts', false],
    ['contacts', true],
    ['companies', false],
    ['deals', true],
    ['2-1001', false],
    ['p1234_projects', true],
    ['quotes', true],
  ])('pages %s (archived=%s) to the end with exactly the oracle ids', async (type, archived) => {
    const { records, pages } = await pageAll(
      sim.url,
      sim.serviceKey,
      `/crm/v3/objects/${type}?limit=7&archived=${archived}`,
    );
    const expected = sim.oracle.records(type, { archived });
    expect(expected.length).toBeGreaterThan(0);
    expect(records.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(pages).toBe(Math.ceil(expected.length / 7));
    expect(records.every((r) => r.archived === archived && (r.archivedAt !== undefined) === archived)).toBe(true);
  });

  it('uses ascending numeric ids with gaps', () => {
    const ids = sim.oracle.records('contacts').map((r) => Number(r.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(ids[ids.length - 1] - ids[0]).toBeGreaterThan(ids.length);
  });

  it('returns only the default properties when none are named', async () => {
    const res = await call(`${sim.url}/crm/v3/objects/contacts?limit=1`, sim.serviceKey);
    expect(Object.keys(res.json.results[0].properties)).toEqual([
      'firstname',
      'lastname',
      'email',
      'createdate',
      'lastmodifieddate',
      'hs_object_id',
    ]);
    expect(res.json.results[0].properties.hs_object_id).toBe(res.json.results[0].id);
  });

  it('returns every requested property as a key, null when unset, and ignores unknown names', async () => {
    const names = sim.oracle
      .properties('contacts')
      .map((p) => p.name)
      .slice(0, 60);
    const res = await call(
      `${sim.url}/crm/v3/objects/contacts?limit=100&properties=${names.join(',')},no_such_property`,
      sim.serviceKey,
    );
    const first = res.json.results[0];
    expect(Object.keys(first.properties).sort()).toEqual([...names].sort());
    const truth = sim.oracle.record('contacts', first.id)!;
    expect(first.properties).toEqual(Object.fromEntries(names.map((n) => [n, truth.properties[n]])));
    expect(Object.values(first.properties)).toContain(null);
  });

  it('starts the page at the first id >= after', async () => {
    const ids = sim.oracle.records('deals').map((r) => r.id);
    const res = await call(`${sim.url}/crm/v3/objects/deals?limit=3&after=${Number(ids[4]) - 1}`, sim.serviceKey);
    expect(res.json.results.map((r: { id: string }) => r.id)).toEqual(ids.slice(4, 7));
    expect(res.json.paging.next.after).toBe(ids[7]);
  });

  it.each([
    ['limit=101', 400],
    ['limit=0', 400],
    ['limit=abc', 400],
    ['after=xyz', 400],
    ['limit=100', 200],
  ])('answers %s with %i', async (query, status) => {
    const res = await call(`${sim.url}/crm/v3/objects/contacts?${query}`, sim.serviceKey);
    expect(res.status).toBe(status);
    if (status === 400) expect(res.json.category).toBe('VALIDATION_ERROR');
  });

  it('answers 414 when the URL passes 16,000 characters (all contact property names)', async () => {
    const names = sim.oracle.properties('contacts').map((p) => p.name);
    expect(names.length).toBeGreaterThan(600);
    expect(names.join(',').length).toBeGreaterThan(16_000);
    const res = await call(`${sim.url}/crm/v3/objects/contacts?properties=${names.join(',')}`, sim.serviceKey);
    expect(res.status).toBe(414);
  });

  it('serves batch read with properties in the body and 207 for unknown ids', async () => {
    const truth = sim.oracle.records('companies').slice(0, 3);
    const ok = await call(`${sim.url}/crm/v3/objects/companies/batch/read`, sim.serviceKey, {
      body: { inputs: truth.map((r) => ({ id: r.id })), properties: ['name', 'domain'] },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.results.map((r: { properties: object }) => r.properties)).toEqual(
      truth.map((r) => ({ name: r.properties.name, domain: r.properties.domain })),
    );
    const partial = await call(`${sim.url}/crm/v3/objects/companies/batch/read`, sim.serviceKey, {
      body: { inputs: [{ id: truth[0].id }, { id: '1' }], properties: ['name'] },
    });
    expect(partial.status).toBe(207);
    expect(partial.json.numErrors).toBe(1);
    expect(partial.json.errors[0].context.ids).toEqual(['1']);
    expect(partial.json.results).toHaveLength(1);
    const tooMany = await call(`${sim.url}/crm/v3/objects/companies/batch/read`, sim.serviceKey, {
      body: { inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i) })) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.category).toBe('VALIDATION_ERROR');
  });

  it('serves property definitions equal to the oracle, including every fieldType', async () => {
    const res = await call(`${sim.url}/crm/v3/properties/contacts`, sim.serviceKey);
    expect(res.json.results).toEqual(sim.oracle.properties('contacts'));
    const pairs = new Set(res.json.results.map((p: { type: string; fieldType: string }) => `${p.type}/${p.fieldType}`));
    expect([...pairs].sort()).toEqual([
      'bool/booleancheckbox',
      'bool/calculation_equation',
      'date/date',
      'datetime/date',
      'enumeration/booleancheckbox',
      'enumeration/calculation_equation',
      'enumeration/checkbox',
      'enumeration/radio',
      'enumeration/select',
      'number/calculation_equation',
      'number/number',
      'phone_number/phonenumber',
      'string/calculation_equation',
      'string/file',
      'string/html',
      'string/phonenumber',
      'string/text',
      'string/textarea',
    ]);
  });

  it.each(['/crm/v3/schemas', '/crm-object-schemas/v3/schemas'])('lists custom schemas at %s', async (path) => {
    const res = await call(`${sim.url}${path}`, sim.serviceKey);
    expect(res.status).toBe(200);
    expect(res.json.results).toEqual(sim.oracle.schemas());
    expect(res.json.results.map((s: { objectTypeId: string }) => s.objectTypeId)).toEqual(['2-1001', '2-1002']);
  });

  it.each([false, true])('pages owners (archived=%s) to the end', async (archived) => {
    const { records, pages } = await pageAll(sim.url, sim.serviceKey, `/crm/v3/owners?limit=4&archived=${archived}`);
    const expected = sim.oracle.owners({ archived });
    expect(records).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 4));
  });

  it.each([
    ['deals', 200],
    ['tickets', 200],
    ['contacts', 400],
  ])('serves pipelines of %s with %i', async (type, status) => {
    const res = await call(`${sim.url}/crm/v3/pipelines/${type}`, sim.serviceKey);
    expect(res.status).toBe(status);
    if (status === 200) expect(res.json.results).toEqual(sim.oracle.pipelines(type));
  });

  it('answers 400 for an unknown object type', async () => {
    const res = await call(`${sim.url}/crm/v3/objects/unicorns`, sim.serviceKey);
    expect(res.status).toBe(400);
    expect(res.json.category).toBe('VALIDATION_ERROR');
  });
});
