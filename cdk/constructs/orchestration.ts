import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { STOPPED_STATUSES } from '../../lib/sync/events';
import { FINAL_ERROR, STEP_RETRY_POLICY } from '../../lib/sync/step-retry';

export interface OrchestrationProps {
  readonly plan: lambda.IFunction;
  readonly syncStep: lambda.IFunction;
  readonly finalize: lambda.IFunction;
  /** Objects synced at once; they share the key's rate budget. */
  readonly maxConcurrency?: number;
}

/** Longer than the longest Lambda timeout (sync-step, 15 minutes): a stop does not end a running invocation. */
const STOPPED_RUN_DELAY = Duration.minutes(16);

/** Items (objects, and slices of large ones) synced at once unless the stack says otherwise. */
export const DEFAULT_MAX_CONCURRENCY = 6;

// Our own list instead of CDK's default retrier, so the order of retriers below is ours.
const LAMBDA_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/**
 * Lambda service hiccups retry quickly; everything else (S3 throttling, HubSpot 5xx after the
 * client's own retries, a Lambda timeout) retries with a longer backoff, except `final` errors.
 */
function withRetries(task: tasks.LambdaInvoke, final: string[] = []): tasks.LambdaInvoke {
  task.addRetry({ errors: LAMBDA_ERRORS, maxAttempts: 4, interval: Duration.seconds(2), backoffRate: 2 });
  if (final.length) task.addRetry({ errors: final, maxAttempts: 0 });
  // The CLI's local driver retries failed steps the same way (lib/sync/step-retry.ts).
  task.addRetry({
    errors: ['States.ALL'],
    maxAttempts: STEP_RETRY_POLICY.maxRetries,
    interval: Duration.millis(STEP_RETRY_POLICY.firstIntervalMs),
    backoffRate: STEP_RETRY_POLICY.backoffRate,
  });
  return task;
}

/**
 * The Standard state machine: plan -> Map over objects (each loops sync-step until done; a
 * failure is caught per object) -> finalize. Built in named phases.
 */
export class Orchestration extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly stoppedRunRule: events.Rule;
  /** Waits out a stopped execution's Lambdas, then finalizes its run. */
  readonly stoppedRunFinalizer: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: OrchestrationProps) {
    super(scope, id);
    const syncObjects = this.syncObjects(props);
    // If the Map itself fails, finalize still runs (each item reports 'did not finish') so leases are released.
    syncObjects.addCatch(
      this.finalize(props, 'FinalizeAfterFailure', '$.noResults').next(
        new sfn.Fail(this, 'RunFailed', { error: 'SyncObjectsFailed' }),
      ),
      { resultPath: '$.mapError' },
    );
    const definition = new sfn.Pass(this, 'Start', { result: sfn.Result.fromArray([]), resultPath: '$.noResults' })
      .next(this.plan(props))
      .next(syncObjects)
      .next(this.finalize(props, 'Finalize', '$.results'));
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(24),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH }),
        // Every state transition, without payloads: they hold record counts and ids, never the key.
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    this.stoppedRunFinalizer = this.stoppedRunFinalizerMachine(props);
    this.stoppedRunRule = this.finalizeStoppedRuns(this.stoppedRunFinalizer);
  }

  /**
   * An execution stopped by hand, timed out, or failed before (or in) finalize never gets a finalize that holds: one
   * runs from its status event, so its finished objects are published and its leases released instead of locking
   * out runs for 24 hours. It waits out the Lambdas the execution had started, which a stop does not end (a plan
   * storing its plan and taking leases, a sync-step uploading a part): 16 minutes, past their longest timeout.
   * finalize is idempotent; after a failed run it announces its outcomes again (events are at least once).
   */
  private stoppedRunFinalizerMachine(props: OrchestrationProps): sfn.StateMachine {
    const invoke = withRetries(
      new tasks.LambdaInvoke(this, 'FinalizeStopped', {
        lambdaFunction: props.finalize,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
      }),
    );
    return new sfn.StateMachine(this, 'FinalizeStoppedRun', {
      definitionBody: sfn.DefinitionBody.fromChainable(
        new sfn.Wait(this, 'WaitForStartedLambdas', { time: sfn.WaitTime.duration(STOPPED_RUN_DELAY) }).next(invoke),
      ),
      timeout: Duration.hours(2),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'StoppedRunLogs', { retention: logs.RetentionDays.ONE_MONTH }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
  }

  private finalizeStoppedRuns(delayed: sfn.IStateMachine): events.Rule {
    return new events.Rule(this, 'FinalizeStoppedRuns', {
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [this.stateMachine.stateMachineArn], status: [...STOPPED_STATUSES] },
      },
      description: 'Finalizes a hubspot-s3-sync run whose execution stopped, timed out or failed before finalize.',
      targets: [
        new targets.SfnStateMachine(delayed, {
          input: events.RuleTargetInput.fromObject({
            execution: {
              id: events.EventField.fromPath('$.detail.executionArn'),
              startTime: events.EventField.fromPath('$.detail.startDate'),
              status: events.EventField.fromPath('$.detail.status'),
            },
          }),
          retryAttempts: 8,
        }),
      ],
    });
  }

  /**
   * Plan phase: a failure no retry fixes (invalid input, a corrupt stored file, HubSpot refusing the key) is final;
   * anything else is retried. Plan gets the execution's own input (the run
   * input, whatever the states around it add) and its id and start time, which name the run: a retried plan takes
   * back its own leases, and returns the stored plan if an attempt got that far.
   */
  private plan(props: OrchestrationProps): tasks.LambdaInvoke {
    const task = new tasks.LambdaInvoke(this, 'Plan', {
      lambdaFunction: props.plan,
      payload: sfn.TaskInput.fromObject({
        input: sfn.JsonPath.objectAt(sfn.JsonPath.executionInput),
        execution: { id: sfn.JsonPath.executionId, startTime: sfn.JsonPath.executionStartTime },
      }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: '$.plan',
    });
    return withRetries(task, [FINAL_ERROR]);
  }

  /** Finalize phase: idempotent, so every error is retried. */
  private finalize(props: OrchestrationProps, id: string, resultsPath: string): tasks.LambdaInvoke {
    const task = new tasks.LambdaInvoke(this, id, {
      lambdaFunction: props.finalize,
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({
        runId: sfn.JsonPath.stringAt('$.plan.runId'),
        results: sfn.JsonPath.listAt(resultsPath),
      }),
      payloadResponseOnly: true,
      resultPath: '$.outcome',
    });
    return withRetries(task);
  }

  /** Map phase: one iteration per work item, looping sync-step until it reports done. */
  private syncObjects(props: OrchestrationProps): sfn.Map {
    // A crashed or timed-out step resumes from its last checkpoint: retrying any error is safe.
    // Errors a retry cannot fix come back as a result with `failure` set, not as errors; an event that is not a
    // step's fails final.
    const step = withRetries(
      new tasks.LambdaInvoke(this, 'SyncStep', {
        lambdaFunction: props.syncStep,
        retryOnServiceExceptions: false,
        payload: sfn.TaskInput.fromObject({ item: sfn.JsonPath.objectAt('$.item') }),
        payloadResponseOnly: true,
        resultSelector: {
          'item.$': '$.item',
          'done.$': '$.done',
          'rows.$': '$.rows',
          'parts.$': '$.parts',
          'failure.$': '$.failure',
        },
      }),
      [FINAL_ERROR],
    );
    const failed = new sfn.Pass(this, 'ObjectFailed', {
      parameters: { 'object.$': '$.item.object', 'error.$': '$.error' },
    });
    const succeeded = new sfn.Pass(this, 'ObjectDone', {
      parameters: { 'object.$': '$.item.object', 'rows.$': '$.rows', 'failure.$': '$.failure' },
    });
    const loop = new sfn.Choice(this, 'ObjectFinished?')
      .when(sfn.Condition.booleanEquals('$.done', true), succeeded)
      .otherwise(step);
    step.addCatch(failed, { resultPath: '$.error' }).next(loop);

    return new sfn.Map(this, 'SyncObjects', {
      itemsPath: '$.plan.items',
      itemSelector: { 'item.$': '$$.Map.Item.Value' },
      maxConcurrency: props.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
      resultPath: '$.results',
    }).itemProcessor(step);
  }
}
