import { makeSyncStepHandler } from '../../../functions/sync-step';
import { RATE_BUDGET_DEFAULTS } from '../../../lib/hubspot';
import { lockKey } from '../../../lib/store/lock';
import type { WorkItem } from '../../../lib/sync/types';
import { deployedRunner, type Handlers } from '../../helpers/deployed-run';
import { diffAgainstOracle, fetchPublished, startHarness, type Harness } from '../../helpers/sync-harness';

const { dailyReserve } = RATE_BUDGET_DEFAULTS;
const DAILY = 'daily API limit reached';

/**
 * The daily budget running out in a deployed run: the synthesized state machine run by aws-local-stepfunctions, its
 * three handlers sharing one runtime, as one warm container would (its rate budget lives on into the next day's
 * execution). The simulator counts the day's requests and answers with what is left of them.
 */
describe('State machine: the daily budget running out', () => {
  let h: Harness;
  const runner = deployedRunner(async () => h.runtime);
  const realStep = (event: unknown) =>
    makeSyncStepHandler(async () => h.runtime)(event, { getRemainingTimeInMillis: () => 60_000 });

  beforeAll(async () => {
    h = await startHarness({ deps: { settings: { partRows: 50 } } });
  });
  afterAll(() => h?.close());

  /** Midnight in the portal's time zone: the day's count starts again, `daily` of it. */
  function newDay(daily = 1_000_000): void {
    h.sim.limits.set({ daily });
    h.sim.limits.resetDaily();
  }
  /** Requests the simulator counted against the day (search counts against its own window only). */
  const countedToday = (since: number) =>
    h.sim.log
      .entries()
      .slice(since)
      .filter((e) => !e.route.endsWith('/search')).length;

  async function execute(objects: string[], handlers: Handlers = {}) {
    const before = runner.published.length;
    const result = await runner.execute({ mode: 'full', objects }, handlers);
    const events = runner.published.slice(before).map((e) => [e.detailType, e.detail.dataset, e.detail.reason]);
    return { ...result, events };
  }

  /** Objects whose lease is still held (not released by finalize). */
  async function held(objects: string[]): Promise<string[]> {
    const leases = await Promise.all(objects.map((object) => h.target.getObject(lockKey(object))));
    return objects.filter((_, i) => leases[i] && !JSON.parse(leases[i].toString()).releasedAt);
  }

  async function expectPublished(object: string, runId: string): Promise<void> {
    const expectedRows = h.sim.oracle.count(object) + h.sim.oracle.count(object, { archived: true });
    const { files } = await fetchPublished(h, { kind: 'snapshot', object }, runId);
    expect(await diffAgainstOracle(h, object, files, runId)).toMatchObject({
      expectedRows,
      missing: 0,
      unexpected: 0,
      duplicateIds: 0,
    });
  }

  it('ends a run whose budget runs out while planning with a failure per object, no lease held, and runs in full the next day', async () => {
    const objects = ['companies', 'contacts', 'deals', 'owners'];
    // The plan's first request learns the day's count: down to the reserve, nothing else is sent.
    newDay(dailyReserve + 1);
    const since = h.sim.log.total();

    const stopped = await execute(objects);

    expect(stopped.error).toBeUndefined();
    // Owners need no request to plan: leased, their one step stops on the budget, and finalize releases them.
    expect(stopped.calls).toEqual(['plan', 'step', 'finalize']);
    // In the order of HubSpot's types, as plan resolves them; finalize announces the planned items first.
    expect(stopped.output.plan.failures).toEqual(
      ['contacts', 'companies', 'deals'].map((object) => ({ object, reason: DAILY })),
    );
    expect(stopped.events).toEqual([
      ['Snapshot Failed', 'owners', DAILY],
      ['Snapshot Failed', 'contacts', DAILY],
      ['Snapshot Failed', 'companies', DAILY],
      ['Snapshot Failed', 'deals', DAILY],
    ]);
    expect(h.sim.log.total() - since).toBe(1);
    expect(await held(objects)).toEqual([]);
    expect(await h.target.list('_latest/')).toEqual([]);

    // The next day, in the same warm containers: the budget asks for the new day's count at the run's first request.
    newDay();
    const next = await execute(objects);

    expect(next.error).toBeUndefined();
    expect(next.output.plan.failures).toEqual([]);
    expect(next.events.filter(([type]) => type === 'Snapshot Failed')).toEqual([]);
    for (const object of ['companies', 'contacts', 'deals']) await expectPublished(object, next.runId);
    expect(await held(objects)).toEqual([]);
  });

  it('publishes the objects that finished before the budget ran out mid-run, fails the rest with the reason, and runs them the next day', async () => {
    const objects = ['companies', 'contacts'];
    newDay();
    const since = h.sim.log.total();
    const watermark = async (object: string) => {
      const state = await h.target.getObject(`_state/${object}.json`);
      return state ? (JSON.parse(state.toString()) as { watermark: string | null }).watermark : undefined;
    };
    const contactsWatermark = await watermark('contacts');
    // contacts' second step waits for companies to finish; then the day's requests run down to the reserve.
    let companiesDone = () => undefined as void;
    const companiesFinished = new Promise<void>((resolve) => (companiesDone = resolve));
    let contactsSteps = 0;
    const step = async (event: unknown) => {
      const { object } = (event as { item: WorkItem }).item;
      if (object === 'contacts' && ++contactsSteps === 2) {
        await companiesFinished;
        h.sim.limits.set({ daily: countedToday(since) + dailyReserve });
      }
      const result = (await realStep(event)) as { done: boolean };
      if (object === 'companies' && result.done) companiesDone();
      return result;
    };

    const stopped = await execute(objects, { step });

    expect(stopped.error).toBeUndefined();
    expect(stopped.events).toEqual([
      ['Snapshot Failed', 'contacts', DAILY],
      ['Snapshot Completed', 'companies', undefined],
      ['Snapshot Completed', 'metadata.properties', undefined],
    ]);
    await expectPublished('companies', stopped.runId);
    expect(await held(objects)).toEqual([]);
    // contacts' watermark stays where its last published run left it: nothing past it was exported.
    expect(await watermark('contacts')).toBe(contactsWatermark);

    newDay();
    const next = await execute(objects);

    expect(next.error).toBeUndefined();
    expect(next.events.filter(([type]) => type === 'Snapshot Failed')).toEqual([]);
    for (const object of objects) await expectPublished(object, next.runId);
  });

  it('runs the next day in a sync-step container that last saw the day spent: the steps wait for the recheck, none refused', async () => {
    // Another container planned the run; the one running the objects' steps at once still holds yesterday's spent
    // count. The first request asks HubSpot again, and the others sent meanwhile (every step's pages) wait for it.
    const objects = ['companies', 'contacts', 'deals'];
    newDay();
    let steps = 0;
    const budget = h.runtime.deps.client.budget;
    const step = async (event: unknown) => {
      if (++steps === 1) {
        budget.beginRun('20260101T000000Z-yester');
        budget.markDailyExhausted();
      }
      return realStep(event);
    };

    const next = await execute(objects, { step });

    expect(next.error).toBeUndefined();
    expect(next.events.filter(([type]) => type === 'Snapshot Failed')).toEqual([]);
    for (const object of objects) await expectPublished(object, next.runId);
  });
});
