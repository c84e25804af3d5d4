import { makePlanHandler } from '../../../functions/plan';
import { makeSyncStepHandler } from '../../../functions/sync-step';
import { CorruptStoredFileError } from '../../../lib/store/errors';
import type { StorageTarget } from '../../../lib/store/target';
import type { SyncRuntime } from '../../../lib/sync/create-deps';
import { deployedRunner, type ExecutionOutput, type Handlers } from '../../helpers/deployed-run';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver';
import { diffAgainstOracle, fetchPublished, parquetList, startHarness, type Harness } from '../../helpers/sync-harness';

/** The runtime with a target whose writes of keys matching `failing` are refused while `times.left` > 0. */
function refusingWrites(runtime: SyncRuntime, failing: RegExp, times: { left: number }): SyncRuntime {
  const target = new Proxy(runtime.deps.target, {
    get(real, name, receiver) {
      if (name !== 'putObject') return Reflect.get(real, name, receiver);
      return async (...args: Parameters<StorageTarget['putObject']>) => {
        if (failing.test(args[0]) && times.left > 0) {
          times.left -= 1;
          throw Object.assign(new Error(`S3 refused ${args[0]}: SlowDown`), { name: 'S3RequestError' });
        }
        return real.putObject(...args);
      };
    },
  });
  return { ...runtime, deps: { ...runtime.deps, target } };
}

/**
 * The synthesized state machine (the definition CloudFormation would deploy) run by aws-local-stepfunctions, an
 * implementation of the Amazon States Language: paths, payload templates, Retry, Catch, Map and Choice as Step
 * Functions applies them. Its tasks call the three Lambda handlers in-process, against the simulator and s3rver.
 */
describe('State machine: the deployed definition drives plan -> sync-step -> finalize', () => {
  let s3: S3rverHandle;
  let h: Harness;
  const runner = deployedRunner(async () => h.runtime);
  const { published } = runner;

  beforeAll(async () => {
    s3 = await startS3rver({ bucket: 'lake' });
    h = await startHarness({
      location: 's3://lake/hubspot',
      s3Client: s3.client,
      deps: { settings: { partRows: 50 } },
    });
  });
  afterAll(async () => {
    await h?.close();
    await s3?.close();
  });

  /** Runs one execution (deployed-run.ts); plan must be told of the execution the state machine runs. */
  async function execute(input: Parameters<typeof runner.execute>[0], handlers: Handlers = {}) {
    const result = await runner.execute(input, handlers);
    expect(result.planned.id).toBe(result.executionId);
    return result;
  }
  const total = (object: string) => h.sim.oracle.count(object) + h.sim.oracle.count(object, { archived: true });
  const rowsOf = (output: ExecutionOutput) => Object.fromEntries(output.results.map((r) => [r.object, r.rows]));

  async function expectPublished(object: string, runId: string) {
    const { manifest, files } = await fetchPublished(h, { kind: 'snapshot', object }, runId);
    expect(manifest.rows).toBe(total(object));
    expect(await diffAgainstOracle(h, object, files, runId)).toMatchObject({
      expectedRows: total(object),
      missing: 0,
      unexpected: 0,
      duplicateIds: 0,
    });
  }

  it('runs a scheduled full run end to end and publishes what the oracle holds', async () => {
    const { output, calls, runId } = await execute({ mode: 'full', objects: ['companies', 'deals', 'pipelines'] });

    expect(output.outcome.ok).toBe(true);
    expect(output.plan.runId).toBe(runId);
    const dealStages = h.sim.oracle.pipelines('deals').flatMap((p) => p.stages);
    expect(rowsOf(output)).toEqual({
      companies: total('companies'),
      deals: total('deals'),
      pipelines: dealStages.length,
    });
    expect(calls.filter((c) => c === 'plan')).toHaveLength(1);
    expect(calls.filter((c) => c === 'step').length).toBeGreaterThan(2);
    for (const object of ['companies', 'deals']) await expectPublished(object, runId);
    // Pipelines named beside deals hold the deals' pipelines alone, as the plan said (the step's event keeps that).
    const { files, manifest } = await fetchPublished(h, { kind: 'snapshot', object: 'pipelines' }, runId);
    expect(manifest.pipelineObjects).toEqual(['deals']);
    const stages = await h.db.query<{ object_type: string; stage_id: string }>(
      `SELECT object_type, stage_id FROM read_parquet(${parquetList(files)}) ORDER BY stage_id`,
    );
    expect(stages).toEqual(
      dealStages
        .map((stage) => ({ object_type: 'deals', stage_id: stage.id }))
        .sort((a, b) => (a.stage_id < b.stage_id ? -1 : a.stage_id > b.stage_id ? 1 : 0)),
    );
  });

  it('retries a plan whose answer was lost under the same run id, and gets the stored plan back', async () => {
    // The first attempt plans (leases, stored plan) and then dies as a Lambda timing out does.
    let attempts = 0;
    const plan = async (event: unknown) => {
      const planned = await makePlanHandler(async () => h.runtime)(event);
      attempts += 1;
      if (attempts === 1)
        throw Object.assign(new Error('Task timed out after 300.00 seconds'), { name: 'Sandbox.Timedout' });
      return planned;
    };
    const { output, calls, runId } = await execute({ mode: 'full', objects: ['companies'] }, { plan });

    expect(calls.filter((c) => c === 'plan')).toHaveLength(2);
    expect(output.plan).toMatchObject({ runId, failures: [] });
    expect(output.outcome.ok).toBe(true);
    expect(rowsOf(output)).toEqual({ companies: total('companies') });
    await expectPublished('companies', runId);
  });

  it('retries a plan that failed holding leases, and a plan failing for good leaves no lease behind', async () => {
    const planKey = /^_state\/runs\/.*\/plan\.json$/;
    const once = { left: 1 };
    const flaky = makePlanHandler(async () => refusingWrites(h.runtime, planKey, once));
    const first = await execute({ mode: 'full', objects: ['companies'] }, { plan: flaky });
    expect([once.left, first.calls.filter((c) => c === 'plan').length, first.output.outcome.ok]).toEqual([0, 2, true]);
    await expectPublished('companies', first.runId);

    // Every attempt fails: the execution fails, and the next one finds the objects free.
    const always = { left: Infinity };
    const broken = await execute(
      { mode: 'full', objects: ['companies', 'owners'] },
      { plan: makePlanHandler(async () => refusingWrites(h.runtime, planKey, always)) },
    );
    expect(broken.error?.message).toContain('S3 refused _state/runs/');
    expect(broken.calls).toEqual(['plan', 'plan', 'plan', 'plan']);
    const next = await execute({ mode: 'full', objects: ['companies', 'owners'] });
    expect(next.output.plan.failures).toEqual([]);
    expect(next.output.outcome.ok).toBe(true);
  });

  it('does not retry a plan that fails for good: bad run input, a runtime that cannot start', async () => {
    const bad = await execute({ mode: 'fortnightly', objects: ['companies'] });
    expect(bad.calls).toEqual(['plan']);
    expect(bad.error?.message).toContain(
      '"errorType":"FinalError","errorMessage":"InvalidInputError: invalid run input: mode',
    );

    // A failure classify() calls final from anywhere in the handler, here the runtime it starts from.
    const broken = new CorruptStoredFileError('s3://lake/hubspot/_state/secret-cache.json is not valid JSON');
    const stuck = await execute(
      { mode: 'full', objects: ['companies'] },
      { plan: makePlanHandler(() => Promise.reject(broken)) },
    );
    expect(stuck.calls).toEqual(['plan']);
    expect(stuck.error?.message).toContain('"errorType":"FinalError","errorMessage":"CorruptStoredFileError: s3://');
  });

  it('retries a failed step from its checkpoint, and reports an object whose steps keep failing', async () => {
    published.length = 0;
    const real = (event: unknown) =>
      makeSyncStepHandler(async () => h.runtime)(event, { getRemainingTimeInMillis: () => 60_000 });
    const stepsOf: Record<string, number> = {};
    const step = async (event: unknown) => {
      const { object } = (event as { item: { object: string } }).item;
      stepsOf[object] = (stepsOf[object] ?? 0) + 1;
      const fail = object === 'deals' || (object === 'companies' && stepsOf[object] === 2);
      if (fail) throw Object.assign(new Error(`HubSpot answered 503 for ${object}`), { name: 'ServerError' });
      return real(event);
    };
    const { output, runId } = await execute({ mode: 'full', objects: ['companies', 'deals'] }, { step });

    expect(output.outcome.ok).toBe(false);
    expect(stepsOf.deals).toBe(4);
    await expectPublished('companies', runId);
    const failed = published.filter((e) => e.detailType === 'Snapshot Failed');
    expect(failed.map((e) => [e.detail.object, e.detail.reason])).toEqual([
      ['deals', 'HubSpot answered 503 for deals'],
    ]);
  });
  it('runs a scheduled compact run: a snapshot built from the last one and the change sets, as a full run finds it', async () => {
    await execute({ mode: 'full', objects: ['companies'] });
    const [changed] = h.sim.oracle.records('companies');
    h.sim.admin.updateRecord('companies', changed.id, { name: 'Built from change sets' });
    const before = published.length;

    const { output, runId } = await execute({ mode: 'compact', objects: ['companies'] });

    expect(output.outcome.ok).toBe(true);
    const events = published.slice(before).map((e) => [e.detail.dataset, e.detail.mode, e.detail.rows]);
    expect(events).toEqual(
      expect.arrayContaining([
        ['companies', 'compact', total('companies')],
        ['companies.changes', 'incremental', expect.any(Number)],
        ['companies.merges', 'compact', 0],
      ]),
    );
    const full = await execute({ mode: 'full', objects: ['companies'] });
    const read = async (id: string) => {
      const { files } = await fetchPublished(h, { kind: 'snapshot', object: 'companies' }, id);
      return `(SELECT * EXCLUDE (_run_id, _synced_at) FROM read_parquet(${parquetList(files)}))`;
    };
    const [built, taken] = [await read(runId), await read(full.runId)];
    const differing = await h.db.query<{ n: string }>(
      `SELECT count(*)::BIGINT AS n FROM (SELECT * FROM ${built} EXCEPT ALL SELECT * FROM ${taken} ` +
        `UNION ALL SELECT * FROM ${taken} EXCEPT ALL SELECT * FROM ${built})`,
    );
    expect(Number(differing[0].n)).toBe(0);
    const names = await h.db.query<{ name: string }>(`SELECT name FROM ${built} WHERE id = '${changed.id}'`);
    expect(names).toEqual([{ name: 'Built from change sets' }]);
  });
});
