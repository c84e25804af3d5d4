import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

export interface OrchestrationProps {
  readonly plan: lambda.IFunction;
  readonly syncStep: lambda.IFunction;
  readonly finalize: lambda.IFunction;
  /** Objects synced at once; they share the key's rate budget. */
  readonly maxConcurrency?: number;
}

const LAMBDA_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/**
 * The Standard state machine: plan -> Map over objects (each loops sync-step until done; a
 * failure is caught per object) -> finalize. Built in named phases.
 */
export class Orchestration extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: OrchestrationProps) {
    super(scope, id);
    const plan = new tasks.LambdaInvoke(this, 'Plan', {
      lambdaFunction: props.plan,
      payloadResponseOnly: true,
      resultPath: '$.plan',
    }).addRetry({ errors: LAMBDA_ERRORS, maxAttempts: 3, backoffRate: 2 });

    const finalize = new tasks.LambdaInvoke(this, 'Finalize', {
      lambdaFunction: props.finalize,
      payload: sfn.TaskInput.fromObject({
        runId: sfn.JsonPath.stringAt('$.plan.runId'),
        results: sfn.JsonPath.objectAt('$.results'),
      }),
      payloadResponseOnly: true,
      resultPath: '$.outcome',
    }).addRetry({ errors: LAMBDA_ERRORS, maxAttempts: 3, backoffRate: 2 });

    const definition = plan.next(this.syncObjects(props)).next(finalize);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(24),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH }),
        level: sfn.LogLevel.ERROR,
      },
    });
  }

  /** Map phase: one iteration per work item, looping sync-step until it reports done. */
  private syncObjects(props: OrchestrationProps): sfn.Map {
    const step = new tasks.LambdaInvoke(this, 'SyncStep', {
      lambdaFunction: props.syncStep,
      payload: sfn.TaskInput.fromObject({ item: sfn.JsonPath.objectAt('$.item') }),
      payloadResponseOnly: true,
      resultSelector: { 'item.$': '$.item', 'done.$': '$.done', 'rows.$': '$.rows', 'parts.$': '$.parts' },
    })
      // A crashed or timed-out step resumes from its last checkpoint: retrying is always safe.
      .addRetry({
        errors: [...LAMBDA_ERRORS, 'States.Timeout', 'Sandbox.Timedout'],
        maxAttempts: 4,
        interval: Duration.seconds(5),
        backoffRate: 2,
      })
      .addRetry({
        errors: ['TransientError', 'RateLimitedError'],
        maxAttempts: 3,
        interval: Duration.seconds(30),
        backoffRate: 2,
      });

    const failed = new sfn.Pass(this, 'ObjectFailed', {
      parameters: { 'object.$': '$.item.object', 'error.$': '$.error' },
    });
    const succeeded = new sfn.Pass(this, 'ObjectDone', {
      parameters: { 'object.$': '$.item.object', 'rows.$': '$.rows' },
    });
    const loop = new sfn.Choice(this, 'ObjectFinished?')
      .when(sfn.Condition.booleanEquals('$.done', true), succeeded)
      .otherwise(step);
    step.addCatch(failed, { resultPath: '$.error' }).next(loop);

    return new sfn.Map(this, 'SyncObjects', {
      itemsPath: '$.plan.items',
      itemSelector: { 'item.$': '$$.Map.Item.Value' },
      maxConcurrency: props.maxConcurrency ?? 4,
      resultPath: '$.results',
    }).itemProcessor(step);
  }
}
