import { Duration, TimeZone, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DETAIL_TYPES, EVENT_SOURCE } from '../../lib/sync/events';
import { parseRunInput, type RunInput } from '../../lib/sync/run-input';

export interface ScheduleSpec {
  /** e.g. `cron(0 2 * * ? *)` or `rate(1 hour)`. */
  readonly expression: string;
  readonly input: RunInput;
}

export interface SchedulesProps {
  readonly stateMachine: sfn.IStateMachine;
  /** Named schedules; each input is validated at synth time, so a bad one never deploys. */
  readonly schedules: Record<string, ScheduleSpec>;
  readonly timeZone?: string;
}

/**
 * How a start that fails (throttled, refused) is retried before it goes to the dead-letter queue: for up to an hour,
 * when the next hourly run would cover an incremental one anyway; a full or backfill start still waiting then needs a
 * person, whom the queue's alarm calls.
 */
export const START_RETRY_POLICY = { retryAttempts: 8, maxEventAge: Duration.hours(1) } as const;

/** How long a start that could not be made stays in the dead-letter queue: SQS's longest. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * EventBridge Scheduler schedules for full and incremental runs, and the rule that turns "Backfill Requested" events
 * into runs. A start that still fails after its retries lands in `deadLetterQueue` (the event and why it failed), so a
 * run that did not start is seen, not lost.
 */
export class Schedules extends Construct {
  readonly backfillRule: events.Rule;
  /** Starts of the state machine that failed after every retry, schedules' and backfills' alike. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    // SSE-SQS: Scheduler and EventBridge can write to it without a key policy (an AWS-managed KMS key would refuse them).
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the schedules and the backfill rule (not of another queue).',
    });
    const delivery = { deadLetterQueue: this.deadLetterQueue, ...START_RETRY_POLICY };
    for (const [name, spec] of Object.entries(props.schedules)) {
      const input = parseRunInput(spec.input);
      new scheduler.Schedule(this, name, {
        schedule: scheduler.ScheduleExpression.expression(
          spec.expression,
          props.timeZone ? TimeZone.of(props.timeZone) : undefined,
        ),
        target: new schedulerTargets.StepFunctionsStartExecution(props.stateMachine, {
          input: scheduler.ScheduleTargetInput.fromObject(input),
          ...delivery,
        }),
        description: `hubspot-s3-sync ${input.mode} run of ${input.objects === 'all' ? 'all objects' : input.objects.join(', ')}`,
      });
    }
    this.backfillRule = new events.Rule(this, 'BackfillRequested', {
      eventPattern: { source: [EVENT_SOURCE], detailType: [DETAIL_TYPES.backfillRequested] },
      targets: [
        new eventTargets.SfnStateMachine(props.stateMachine, {
          input: events.RuleTargetInput.fromEventPath('$.detail'),
          ...delivery,
        }),
      ],
    });
  }
}
