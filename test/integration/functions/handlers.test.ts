import { makeFinalizeHandler } from '../../../functions/finalize';
import { makePlanHandler } from '../../../functions/plan';
import { makeSyncStepHandler } from '../../../functions/sync-step';
import { staticKeyProvider } from '../../../lib/hubspot';
import { createSyncRuntime, type SyncRuntime } from '../../../lib/sync/create-deps';
import type { CompletionEvent } from '../../../lib/sync/events';
import type { MetricPoint } from '../../../lib/sync/run-metrics';
import { InvalidInputError } from '../../../lib/sync/run-input';
import type { WorkItem } from '../../../lib/sync/types';
import { startSimulator, type Simulator } from '../../../sim';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver';
import { FAST_LIMITS } from '../../helpers/sync-harness';

describe('Lambda handlers: plan -> sync-step loop -> finalize, as the state machine drives them', () => {
  let sim: Simulator;
  let s3: S3rverHandle;
  let runtime: SyncRuntime;
  const published: CompletionEvent[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ seed: 5, scale: 'tiny', rateLimit: FAST_LIMITS });
    s3 = await startS3rver({ bucket: 'lake' });
    runtime = await createSyncRuntime({
      keyProvider: staticKeyProvider(sim.serviceKey),
      location: 's3://lake/hubspot',
      s3Client: s3.client,
      baseUrl: sim.url,
      log: { info: () => undefined, warn: () => undefined },
      settings: { partRows: 100 },
    });
  });
  afterAll(async () => {
    await runtime.close();
    await s3.close();
    await sim.close();
  });

  it('exports an object through the three handlers and publishes its completion event', async () => {
    const plan = makePlanHandler(async () => runtime);
    const step = makeSyncStepHandler(async () => runtime);
    const points: MetricPoint[] = [];
    const finalize = makeFinalizeHandler(
      async () => runtime,
      () => async (events) => void published.push(...events),
      (emitted) => void points.push(...emitted),
    );

    // A Backfill Requested / scheduler event carries the run input in `detail`.
    const planned = await plan({ 'detail-type': 'Scheduled Event', detail: { mode: 'full', objects: ['companies'] } });
    expect(planned.items.map((i: WorkItem) => i.object)).toEqual(['companies']);

    // Each invocation has 60 s left: all of it is the safety margin, so it reads one page and returns.
    let invocations = 0;
    const results = [];
    for (const item of planned.items) {
      let state = { item, done: false };
      while (!state.done) {
        state = await step(JSON.parse(JSON.stringify({ item: state.item })), {
          getRemainingTimeInMillis: () => 60_000,
        });
        invocations += 1;
      }
      results.push({ object: item.object, rows: (state as unknown as { rows: number }).rows });
    }
    const outcome = await finalize({ runId: planned.runId, results });

    const total = sim.oracle.count('companies') + sim.oracle.count('companies', { archived: true });
    expect(invocations).toBe(2);
    expect(outcome.ok).toBe(true);
    expect(published.map((e) => [e.source, e.detailType, e.detail.object, e.detail.rows])).toEqual([
      ['hubspot-s3-sync', 'Snapshot Completed', 'companies', total],
      ['hubspot-s3-sync', 'Snapshot Completed', 'properties', sim.oracle.properties('companies').length],
    ]);
    expect(published[0].detail.manifestUrl).toBe(`s3://lake/hubspot/_manifests/companies/${planned.runId}.json`);
    const metric = (name: string, dataset?: string) =>
      points.find((p) => p.name === name && p.dimensions.Dataset === dataset)?.value;
    expect([metric('RunsSucceeded'), metric('DatasetsFailed'), metric('DatasetRows', 'companies')]).toEqual([
      1,
      0,
      total,
    ]);
    expect(metric('RowsExported')).toBe(total + sim.oracle.properties('companies').length);
  });

  it('turns a Map-caught error into a Snapshot Failed event with its cause', async () => {
    published.length = 0;
    const planned = await makePlanHandler(async () => runtime)({ mode: 'full', objects: ['tickets'] });
    const finalize = makeFinalizeHandler(
      async () => runtime,
      () => async (events) => void published.push(...events),
      () => undefined,
    );
    // What Step Functions hands over once retries ran out: the Lambda's error JSON, stack trace included.
    const cause = JSON.stringify({
      errorType: 'TransientError',
      errorMessage: 'HubSpot answered 503 six times',
      trace: ['at x', 'at y'],
    });
    const outcome = await finalize({
      runId: planned.runId,
      results: [{ object: 'tickets', error: { Error: 'TransientError', Cause: cause } }],
    });
    expect(outcome.ok).toBe(false);
    expect(published.map((e) => [e.detailType, e.detail.object, e.detail.reason])).toEqual([
      ['Snapshot Failed', 'tickets', 'HubSpot answered 503 six times'],
    ]);
  });

  it('ends an item whose key HubSpot rejects with a short failure instead of a retried error', async () => {
    const planned = await makePlanHandler(async () => runtime)({ mode: 'full', objects: ['products'] });
    const rejected = await createSyncRuntime({
      keyProvider: staticKeyProvider('pat-na1-11111111-2222-3333-4444-555555555555', 'secret test/bad'),
      location: 's3://lake/hubspot',
      s3Client: s3.client,
      baseUrl: sim.url,
      log: { info: () => undefined, warn: () => undefined },
    });
    try {
      const result = await makeSyncStepHandler(async () => rejected)(
        { item: planned.items[0] },
        { getRemainingTimeInMillis: () => 900_000 },
      );
      expect(result).toMatchObject({ done: true, rows: 0, failure: { error: 'UnauthorizedError' } });
      expect(result.failure?.message).toContain('secret test/bad');
      expect(JSON.stringify(result)).not.toContain('pat-na1-11111111');
    } finally {
      await rejected.close();
      await makeFinalizeHandler(
        async () => runtime,
        () => async () => undefined,
        () => undefined,
      )({ runId: planned.runId, results: [] });
    }
  });

  it('finalizes an execution stopped by hand: publishes what finished, frees the rest for the next run', async () => {
    published.length = 0;
    const execution = { id: 'arn:aws:states:eu-west-1:123456789012:execution:Sync:stopped', startTime: Date.now() };
    const planned = await makePlanHandler(async () => runtime)({
      input: { mode: 'full', objects: ['companies', 'products'] },
      execution: { id: execution.id, startTime: new Date(execution.startTime).toISOString() },
    });
    const step = makeSyncStepHandler(async () => runtime);
    const [companies, products] = ['companies', 'products'].map((o) => planned.items.find((i) => i.object === o)!);
    // companies ran to the end; products got one page in (60 s left: all of it margin) when the execution was aborted.
    for (let done = false; !done;)
      done = (await step({ item: companies }, { getRemainingTimeInMillis: () => 900_000 })).done;
    expect((await step({ item: products }, { getRemainingTimeInMillis: () => 60_000 })).done).toBe(false);

    // What the FinalizeStoppedRuns rule hands finalize: the status event's execution ARN, start (epoch ms) and status.
    const outcome = await makeFinalizeHandler(
      async () => runtime,
      () => async (events) => void published.push(...events),
      () => undefined,
    )({ execution: { ...execution, status: 'ABORTED' } });

    expect(outcome.runId).toBe(planned.runId);
    expect(published.map((e) => [e.detailType, e.detail.dataset])).toEqual([
      ['Snapshot Completed', 'companies'],
      ['Snapshot Failed', 'products'],
      ['Snapshot Completed', 'metadata.properties'],
    ]);
    const target = runtime.deps.target;
    const leases = await Promise.all(
      ['companies', 'products'].map(async (o) =>
        JSON.parse((await target.getObject(`_state/locks/${o}.json`))!.toString()),
      ),
    );
    expect(leases.map((l) => [l.runId, typeof l.releasedAt])).toEqual([
      [planned.runId, 'string'],
      [planned.runId, 'string'],
    ]);
    expect(await target.list(`snapshots/products/`)).toEqual([]);
  });

  it('does not finalize again a failed execution whose own finalize got through', async () => {
    published.length = 0;
    const execution = { id: 'arn:aws:states:eu-west-1:123456789012:execution:Sync:failed', startTime: Date.now() };
    const planned = await makePlanHandler(async () => runtime)({
      input: { mode: 'full', objects: ['companies'] },
      execution: { id: execution.id, startTime: new Date(execution.startTime).toISOString() },
    });
    const finalize = makeFinalizeHandler(
      async () => runtime,
      () => async (events) => void published.push(...events),
      () => undefined,
    );
    // FinalizeAfterFailure ran (the Map failed), then the execution ended FAILED and the rule fires.
    await finalize({ runId: planned.runId, results: [] });
    const announced = published.length;
    const again = await finalize({ execution: { ...execution, status: 'FAILED' } });
    expect(again).toEqual({ runId: planned.runId, ok: false, outcomes: [] });
    expect(published).toHaveLength(announced);
  });

  it('has nothing to finalize for an execution stopped before its plan was stored', async () => {
    const stopped = {
      id: 'arn:aws:states:eu-west-1:123456789012:execution:Sync:early',
      startTime: Date.now(),
      status: 'TIMED_OUT',
    };
    const outcome = await makeFinalizeHandler(
      async () => runtime,
      () => async () => undefined,
      () => undefined,
    )({ execution: stopped });
    expect(outcome).toEqual({ runId: expect.stringMatching(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/), ok: false, outcomes: [] });
  });

  it.each([
    [
      'plan',
      { mode: 'weekly' },
      'invalid run input: mode: must be one of full, incremental, backfill, compact, not "weekly"',
    ],
    [
      'plan',
      { mode: 'backfill', since: '2026-02-30' },
      'invalid run input: since: "2026-02-30" is not a real date or time',
    ],
    [
      'plan',
      { detail: { mode: 'backfill', since: '2999-01-01' } },
      'invalid run input: since: 2999-01-01T00:00:00.000Z is not before now (',
    ],
    ['sync-step', { item: { object: 'contacts' } }, 'invalid sync-step event: item.runId'],
    ['finalize', { results: [] }, 'invalid finalize event: runId'],
    [
      'finalize',
      { execution: { id: 'x', startTime: 1, status: 'SUCCEEDED' } },
      'invalid finalize event: execution.status',
    ],
  ])('rejects a bad %s event before touching anything', async (name, event, message) => {
    const handlers: Record<string, (e: unknown) => Promise<unknown>> = {
      plan: makePlanHandler(async () => runtime),
      'sync-step': (e) => makeSyncStepHandler(async () => runtime)(e, { getRemainingTimeInMillis: () => 1000 }),
      finalize: makeFinalizeHandler(
        async () => runtime,
        () => async () => undefined,
        () => undefined,
      ),
    };
    await expect(handlers[name](event)).rejects.toThrow(InvalidInputError);
    await expect(handlers[name](event)).rejects.toThrow(message);
  });
});
