import { startSimulator } from '../../../sim';
import type { Simulator } from '../../../sim/types';
import { searchModifiedRecords, type SearchCursor } from '../../../lib/hubspot';
import type { HubSpotRecord } from '../../../lib/hubspot';
import { collect, makeClient } from './helpers';

/** Deals scale as contacts / 4: 12,000 deals, 11,000 of them on one millisecond (~10,250 not archived). */
const SAME_COUNT = 11_000;
const CONTACTS = 48_000;

describe('Integration: incremental search against the simulator', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 2,
      scale: CONTACTS,
      rateLimit: { maxPerWindow: 5000, windowMs: 1000, searchPerSecond: 100, searchWindowMs: 1000 },
      sameMillisecond: { objectType: 'deals', count: SAME_COUNT },
    });
  });
  afterAll(async () => sim.close());

  const lastModified = (record: { properties: Record<string, string | null> }) =>
    Date.parse(record.properties.hs_lastmodifieddate ?? '');

  it('returns each of >10,000 records sharing one millisecond exactly once', async () => {
    const client = makeClient(sim.url, { key: sim.serviceKey, maxPerWindow: 5000, searchPerSecond: 100 });
    const all = sim.oracle.records('deals');
    const counts = new Map<number, number>();
    for (const record of all) counts.set(lastModified(record), (counts.get(lastModified(record)) ?? 0) + 1);
    const [busiest, count] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
    expect(count).toBeGreaterThan(10_000); // more than one search query may return
    const properties = ['dealname', 'hs_lastmodifieddate'];
    const pages = await collect(
      searchModifiedRecords(client, {
        objectType: 'deals',
        lastModifiedProperty: 'hs_lastmodifieddate',
        since: new Date(busiest),
        until: new Date(busiest),
        properties,
        lookbackMs: 0,
      }),
    );
    const records = pages.flatMap((p) => p.records);
    const expected = all.filter((r) => lastModified(r) === busiest);
    const pick = (r: HubSpotRecord) => [r.id, r.properties.dealname, r.properties.hs_lastmodifieddate];
    expect(records.map(pick)).toEqual(expected.map(pick));
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    await client.close();
  });

  it('returns the records modified in [since - lookback, until] and resumes from a cursor', async () => {
    const client = makeClient(sim.url, { key: sim.serviceKey, maxPerWindow: 5000, searchPerSecond: 100 });
    const since = new Date('2024-06-01T00:01:00.000Z');
    const until = new Date('2024-09-30T00:00:00.000Z');
    const properties = ['name', 'hs_lastmodifieddate'];
    const options = {
      objectType: 'companies',
      lastModifiedProperty: 'hs_lastmodifieddate',
      since,
      until,
      properties,
      lookbackMs: 60_000,
    };
    const expected = sim.oracle
      .records('companies')
      .filter((r) => lastModified(r) >= since.getTime() - 60_000 && lastModified(r) <= until.getTime())
      .map((r) => r.id);
    expect(expected.length).toBeGreaterThan(200); // more than one page

    let cursor: SearchCursor | undefined;
    const firstPass: string[] = [];
    for await (const page of searchModifiedRecords(client, options)) {
      firstPass.push(...page.records.map((r) => r.id));
      cursor = page.cursor;
      break; // stop after one page, resume below
    }
    const rest = await collect(searchModifiedRecords(client, { ...options, cursor }));
    const ids = [...firstPass, ...rest.flatMap((p) => p.records.map((r) => r.id))];
    expect(ids).toEqual(expected);
    await client.close();
  });
});
