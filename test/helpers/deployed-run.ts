/**
 * A deployed run without AWS: the synthesized state machine (the definition CloudFormation would deploy) run by
 * aws-local-stepfunctions, an implementation of the Amazon States Language (paths, payload templates, Retry, Catch,
 * Map, Choice), whose tasks call the three Lambda handlers in-process.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { makeFinalizeHandler } from '../../functions/finalize';
import { makePlanHandler } from '../../functions/plan';
import { makeSyncStepHandler } from '../../functions/sync-step';
import type { SyncRuntime } from '../../lib/sync/create-deps';
import type { CompletionEvent } from '../../lib/sync/events';
import { executionRunId } from '../../lib/sync/run-id';
import type { ObjectFailure } from '../../lib/sync/types';
import { stateMachineDefinition, synthStack } from './stack';

type Json = Parameters<StateMachine['run']>[0];
export type Handler = (event: unknown) => Promise<unknown>;
export type Handlers = Partial<Record<'plan' | 'step' | 'finalize', Handler>>;

/** What an execution ends with: the state plan, the Map and finalize left behind. */
export interface ExecutionOutput {
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

/** One execution: what it ended with (or its error), the tasks it called in order, and its run id. */
export interface ExecutionResult {
  output: ExecutionOutput;
  error?: Error;
  calls: string[];
  runId: string;
  /** The execution's id, and the execution as the state machine told plan of it (the same id, its start time). */
  executionId: string;
  planned: { id: string; startTime: string };
}

export interface DeployedRunner {
  /** Runs one execution; `handlers` replaces any of the three functions (to inject faults). */
  execute(input: Json, handlers?: Handlers): Promise<ExecutionResult>;
  /** Every completion event finalize sent so far. */
  readonly published: CompletionEvent[];
}

/** A runner of executions against `runtime` (its simulator and target), numbering its executions. */
export function deployedRunner(runtime: () => Promise<SyncRuntime>): DeployedRunner {
  const definition = stateMachineDefinition(synthStack());
  const published: CompletionEvent[] = [];
  let executions = 0;
  return {
    published,
    async execute(input, handlers = {}) {
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
      if (!planned) throw new Error(`execution ${executionId} never reached plan`);
      const runId = executionRunId(executionId, new Date(planned.execution.startTime));
      return { output, error, calls, runId, executionId, planned: planned.execution };
    },
  };
}
