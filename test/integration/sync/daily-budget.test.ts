import { RATE_BUDGET_DEFAULTS } from '../../../lib/hubspot';
import type { RunResult } from '../../../lib/sync/types';
import { startHarness, type Harness } from '../../helpers/sync-harness';

const { dailyReserve } = RATE_BUDGET_DEFAULTS;
const DAILY = 'daily API limit reached';

/**
 * The daily budget running out while a run is planned, through the CLI's local driver in one process: the runs after
 * it (the next day's) use the same rate budget, as a library user's long-lived process or a warm Lambda would.
 */
describe('Sync engine: the daily budget running out while planning', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  /** Midnight in the portal's time zone: the day's count starts again, `daily` of it. */
  function newDay(daily = 1_000_000): void {
    h.sim.limits.set({ daily });
    h.sim.limits.resetDaily();
  }
  const outcomesOf = (result: RunResult) => result.outcomes.map((o) => [o.dataset, o.status, o.reason]);
  /** Every lease of the output that no finalize released. */
  async function held(): Promise<string[]> {
    const leases = await h.target.list('_state/locks/');
    const bodies = await Promise.all(leases.map((lease) => h.target.getObject(lease.key)));
    return leases.filter((_, i) => !JSON.parse(String(bodies[i])).releasedAt).map((lease) => lease.key);
  }

  it('fails each object with the daily reason, holds no lease, and the same process runs in full the next day', async () => {
    const objects = ['contacts', 'companies', 'owners'];
    // The plan's first request learns the day's count, down to the reserve: nothing else is sent.
    newDay(dailyReserve + 1);
    const since = h.sim.log.total();

    const stopped = await h.run({ mode: 'full', objects });

    expect(outcomesOf(stopped)).toEqual([
      ['owners', 'failed', DAILY],
      ['contacts', 'failed', DAILY],
      ['companies', 'failed', DAILY],
    ]);
    expect(h.sim.log.total() - since).toBe(1);
    expect(await held()).toEqual([]);
    expect(await h.target.list('_latest/')).toEqual([]);

    newDay();
    const next = await h.run({ mode: 'full', objects });

    expect(next.outcomes.filter((o) => o.status !== 'completed')).toEqual([]);
    expect(next.outcomes.map((o) => o.dataset)).toEqual(expect.arrayContaining(objects));
    expect(await held()).toEqual([]);
  });

  it('fails every type of all, its custom objects too, when HubSpot answers that the day is spent; the next day lists them all', async () => {
    // The day's count is past the limit: the first request, listing the custom objects, gets a 429 DAILY.
    h.sim.limits.set({ daily: 1 });
    const since = h.sim.log.total();

    const stopped = await h.run({ mode: 'full', objects: 'all' });

    expect(
      h.sim.log
        .entries()
        .slice(since)
        .map((e) => [e.route, e.status]),
    ).toEqual([['/crm-object-schemas/{ver}/schemas', 429]]);
    const reasons = new Set(stopped.outcomes.map((o) => `${o.status}: ${o.reason}`));
    expect([...reasons]).toEqual([`failed: ${DAILY}`]);
    const datasets = stopped.outcomes.map((o) => o.dataset);
    expect(datasets).toEqual(expect.arrayContaining(['custom objects', 'contacts', 'owners', 'pipelines']));
    const custom = h.sim.oracle.objectTypes().filter((type) => type.custom);
    expect(custom.length).toBeGreaterThan(0);
    expect(await held()).toEqual([]);

    newDay();
    const next = await h.run({ mode: 'full', objects: 'all' });

    expect(next.outcomes.filter((o) => o.status !== 'completed')).toEqual([]);
    expect(next.outcomes.map((o) => o.dataset)).toEqual(expect.arrayContaining(custom.map((type) => type.name)));
  });
});
