import { StateMachine } from 'aws-local-stepfunctions';
import { makeFinalizeHandler } from '../../../functions/finalize';
import { makePlanHandler } from '../../../functions/plan';
import { makeSyncStepHandler } from '../../../functions/sync-step';
import type { StorageTarget } from '../../../lib/store/target';
import type { SyncRuntime } from '../../../lib/sync/create-deps';
import type { CompletionEvent } from '../../../lib/sync/events';
import { executionRunId } from '../../../lib/sync/run-id';
import type { ObjectFailure } from '../../../lib/sync/types';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver';
import { stateMachineDefinition, synthStack } from '../../helpers/stack';
import { diffAgainstOracle, fetchPublished, parquetList, startHarness, type Harness } from '../../helpers/sync-harness';

type Json = Parameters<StateMachine['run']>[0];
type Handler = (event: unknown) => Promise<unknown>;

/** What an execution ends with: the state plan, the Map and finalize left behind. */
interface ExecutionOutput {
  plan: { runId: string; failures: ObjectFailure[] };
  results: { object: string; rows?: number }[];
  outcome: { ok: boolean };
}

/**
 * A handler as Lambda runs it for Step Functions: JSON in and out; a thrown error fails the task under the error's
 * name (what Retry and Catch match), with Lambda's error JSON as its cause.
 */
function asLambda(handler: Handler, calls: string[], name: string) {
  return async (input: Json): Promise<Json> => {
    calls.push(name);
    try {
      return JSON.parse(JSON.stringify(await handler(input))) as Json;
    } catch (error) {
      const { name: errorType, message } = error as Error;
      const failed = new Error(JSON.stringify({ errorType, errorMessage: message, trace: [] }));
      failed.name = errorType;
      throw failed;
    }
  };
}

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
  const definition = stateMachineDefinition(synthStack());
  const published: CompletionEvent[] = [];

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

  type Handlers = Partial<Record<'plan' | 'step' | 'finalize', Handler>>;

  /** Runs one execution; `handlers` replaces any of the three functions (to inject faults). */
  async function execute(input: Json, handlers: Handlers = {}) {
    const runtime = async () => h.runtime;
    const plan = handlers.plan ?? makePlanHandler(runtime);
    // Each invocation has 60 s left, all of it safety margin: a step reads one page and returns, so items loop.
    const step =
      handlers.step ??
      ((event: unknown) => makeSyncStepHandler(runtime)(event, { getRemainingTimeInMillis: () => 60_000 }));
    const finalize =
      handlers.finalize ??
      makeFinalizeHandler(
        runtime,
        () => async (events) => void published.push(...events),
        () => undefined,
      );
    const calls: string[] = [];
    executions += 1;
    const executionId = `arn:aws:states:eu-west-1:123456789012:execution:Sync:run-${executions}`;
    // What plan was told of its execution (the engine sets the start time as Step Functions does).
    let planned: { execution: { id: string; startTime: string } } | undefined;
    const seenByPlan = (event: unknown) => {
      planned ??= event as typeof planned;
      return plan(event);
    };
    const run = new StateMachine(definition, { validationOptions: { checkArn: false } }).run(input, {
      overrides: {
        taskResourceLocalHandlers: {
          Plan: asLambda(seenByPlan, calls, 'plan'),
          SyncStep: asLambda(step, calls, 'step'),
          Finalize: asLambda(finalize, calls, 'finalize'),
          FinalizeAfterFailure: asLambda(finalize, calls, 'finalize'),
        },
        // Retries without the deployed backoff (seconds to minutes).
        retryIntervalOverrides: { Plan: 0, SyncStep: 0, Finalize: 0, FinalizeAfterFailure: 0 },
      },
      context: { Execution: { Id: executionId, Name: `run-${executions}` } },
    });
    let output = {} as ExecutionOutput;
    let error: Error | undefined;
    try {
      output = (await run.result) as unknown as ExecutionOutput;
    } catch (failed) {
      error = failed as Error;
    }
    expect(planned?.execution.id).toBe(executionId);
    const runId = executionRunId(executionId, new Date(planned!.execution.startTime));
    return { output, error, calls, runId };
  }
  let executions = 0;
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
});
