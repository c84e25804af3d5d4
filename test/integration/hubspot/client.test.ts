import { startSimulator } from '../../../sim';
import type { Simulator } from '../../../sim/types';
import {
  MissingScopesError,
  UnauthorizedError,
  describeAccessError,
  listOwners,
  listPipelines,
  listProperties,
  listRecords,
  listSchemas,
  readAssociations,
  secretsManagerKeyProvider,
  clearSecretCache,
  staticKeyProvider,
  type ClientEvent,
  type ListStrategy,
} from '../../../lib/hubspot';
import { collect, comparable, fakeSecretStore, makeClient } from './helpers';

describe('Integration: HubSpot client against the simulator', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 1,
      scale: 'tiny',
      rateLimit: { maxPerWindow: 400, windowMs: 1000, searchPerSecond: 50, searchWindowMs: 1000 },
    });
  });
  afterAll(async () => sim.close());
  afterEach(() => sim.faults.clear());

  const propertyNames = (type: string) => sim.oracle.properties(type).map((p) => p.name);

  it.each<[string, ListStrategy | undefined, boolean]>([
    ['the default strategy (ids, then batch read)', undefined, false],
    ['property chunks', 'chunks', false],
    ['the default strategy (archived)', undefined, true],
    ['property chunks (archived)', 'chunks', true],
  ])('lists every contact with all 600+ properties via %s', async (_label, strategy, archived) => {
    const client = makeClient(sim.url, { key: sim.serviceKey, maxPerWindow: 400 });
    const properties = propertyNames('contacts');
    expect(properties.length).toBeGreaterThan(600);
    const pages = await collect(listRecords(client, { objectType: 'contacts', properties, archived, strategy }));
    const records = pages.flatMap((p) => p.records).map(comparable);
    const expected = sim.oracle.records('contacts', { archived }).map(comparable);
    expect(expected.length).toBeGreaterThan(0);
    expect(records).toEqual(expected);
    expect(pages.at(-1)?.next).toBeUndefined();
    expect(pages.slice(0, -1).every((p) => p.next !== undefined)).toBe(true);
    await client.close();
  });

  it('resumes listing after a page cursor', async () => {
    const client = makeClient(sim.url, { key: sim.serviceKey, maxPerWindow: 400 });
    const properties = propertyNames('companies');
    const [first] = await collect(listRecords(client, { objectType: 'companies', properties, limit: 30 }));
    const rest = await collect(listRecords(client, { objectType: 'companies', properties, after: first.next }));
    const ids = [...first.records, ...rest.flatMap((p) => p.records)].map((r) => r.id);
    expect(ids).toEqual(sim.oracle.records('companies').map((r) => r.id));
    await client.close();
  });

  it('survives a rotation mid-pagination with a static key function', async () => {
    const key = sim.keys.create({});
    let current = key;
    const client = makeClient(sim.url, { keyProvider: staticKeyProvider(() => current, 'drill') });
    const properties = propertyNames('deals');
    const ids: string[] = [];
    let rotated = false;
    for await (const page of listRecords(client, { objectType: 'deals', properties, limit: 20 })) {
      ids.push(...page.records.map((r) => r.id));
      if (!rotated) {
        current = sim.keys.rotate(key, { expireOldAfterMs: 0 });
        rotated = true;
      }
    }
    expect(ids).toEqual(sim.oracle.records('deals').map((r) => r.id));
    await client.close();
  });

  it('re-reads a rotated secret once after a 401 and completes the pagination', async () => {
    clearSecretCache();
    const key = sim.keys.create({});
    const { store, client: secrets } = fakeSecretStore(key);
    const events: ClientEvent[] = [];
    const client = makeClient(sim.url, {
      keyProvider: secretsManagerKeyProvider({ secretId: 'drill/key', client: secrets }),
      events,
    });
    const properties = propertyNames('deals');
    const ids: string[] = [];
    for await (const page of listRecords(client, { objectType: 'deals', properties, limit: 20 })) {
      ids.push(...page.records.map((r) => r.id));
      if (store.value === key) store.value = sim.keys.rotate(key, { expireOldAfterMs: 0 });
    }
    expect(ids).toEqual(sim.oracle.records('deals').map((r) => r.id));
    expect(events.filter((e) => e.type === 'key-refreshed')).toHaveLength(1);
    expect(store.reads).toBe(2);
    await client.close();
  });

  it('names the key source, never the key, when a revoked key is rejected', async () => {
    const key = sim.keys.create({});
    sim.keys.revoke(key);
    const events: ClientEvent[] = [];
    const client = makeClient(sim.url, { keyProvider: staticKeyProvider(key, 'secret prod/hubspot'), events });
    const error = await listProperties(client, 'contacts').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(describeAccessError(error)).toBe('key rejected (secret prod/hubspot)');
    const texts = [String(error), (error as Error).message, (error as Error).stack, String((error as Error).cause)];
    expect(texts.concat(JSON.stringify(events)).filter((t) => t?.includes(key))).toEqual([]);
    await client.close();
  });

  it('reports a missing scope as MissingScopesError naming it', async () => {
    const key = sim.keys.create({ scopes: ['crm.objects.contacts.read'] });
    const client = makeClient(sim.url, { key });
    const error = await collect(listRecords(client, { objectType: 'deals', properties: ['dealname'] })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MissingScopesError);
    expect((error as MissingScopesError).scopes).toContain('crm.objects.deals.read');
    expect(describeAccessError(error)).toContain('crm.objects.deals.read');
    await client.close();
  });

  it.each([
    ['a 429 burst', { kind: 429 as const, times: 3 }],
    ['423', { kind: 423 as const, times: 2 }],
    ['500', { kind: 500 as const, times: 2 }],
    ['502', { kind: 502 as const, times: 2 }],
    ['503', { kind: 503 as const, times: 2 }],
    ['504', { kind: 504 as const, times: 2 }],
    ['521', { kind: 521 as const, times: 2 }],
    ['523', { kind: 523 as const, times: 2 }],
    ['524', { kind: 524 as const, times: 2 }],
    ['connection resets', { kind: 'reset' as const, times: 2 }],
    ['truncated bodies', { kind: 'truncate' as const, times: 2 }],
    ['malformed JSON', { kind: 'malformed' as const, times: 2 }],
    ['responses slower than the timeout', { kind: 'slow' as const, times: 2, delayMs: 2500 }],
  ])('survives %s', async (_label, fault) => {
    const events: ClientEvent[] = [];
    // The simulator shares this process: a generous timeout, except where a timeout ends the fault (a slow
    // answer; a truncated body whose connection stays open, which only the body timeout ends).
    const requestTimeoutMs = fault.kind === 'slow' || fault.kind === 'truncate' ? 1000 : 10_000;
    const client = makeClient(sim.url, { key: sim.serviceKey, requestTimeoutMs, windowMs: 1000, events });
    const properties = propertyNames('deals');
    sim.faults.add({ ...fault, match: { method: 'GET', path: client.paths.objects('deals') } });
    const pages = await collect(listRecords(client, { objectType: 'deals', properties, limit: 50 }));
    expect(pages.flatMap((p) => p.records).map(comparable)).toEqual(sim.oracle.records('deals').map(comparable));
    const expectedType = fault.kind === 429 ? 'rate-limited' : 'retry';
    expect(events.filter((e) => e.type === expectedType)).toHaveLength(fault.times);
    await client.close();
  });

  it('reads owners, pipelines and schemas exactly as the oracle holds them', async () => {
    const client = makeClient(sim.url, { key: sim.serviceKey });
    expect((await collect(listOwners(client))).flat()).toEqual(sim.oracle.owners());
    expect((await collect(listOwners(client, { archived: true }))).flat()).toEqual(
      sim.oracle.owners({ archived: true }),
    );
    for (const type of ['deals', 'tickets'])
      expect(await listPipelines(client, type)).toEqual(sim.oracle.pipelines(type));
    expect(await listSchemas(client)).toEqual(sim.oracle.schemas());
    expect(await listProperties(client, 'contacts')).toEqual(sim.oracle.properties('contacts'));
    await client.close();
  });

  it.each([
    ['contacts', 'companies'],
    ['deals', 'contacts'],
    ['deals', 'line_items'],
  ])('reads %s -> %s associations exactly as the oracle holds them', async (from, to) => {
    const client = makeClient(sim.url, { key: sim.serviceKey });
    const ids = sim.oracle.records(from).map((r) => r.id);
    const rows = await readAssociations(client, from, to, ids);
    const expected = sim.oracle.associations(from, to).flatMap((a) =>
      a.types.map((t) => ({
        fromId: a.fromId,
        toId: a.toId,
        category: t.category,
        typeId: t.typeId,
        label: t.label,
      })),
    );
    const order = (r: { fromId: string; toId: string; typeId: number }) =>
      `${r.fromId.padStart(20)}|${r.toId.padStart(20)}|${r.typeId}`;
    const sort = <T extends { fromId: string; toId: string; typeId: number }>(list: T[]) =>
      [...list].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
    expect(expected.length).toBeGreaterThan(0);
    expect(sort(rows)).toEqual(sort(expected));
    await client.close();
  });
});
