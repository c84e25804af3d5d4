import type { CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Schedules, type SchedulesProps } from '../../cdk/constructs/schedules';
import { DEFAULT_SCHEDULES, schedulesOf } from '../../cdk/stack';
import { fakeStateMachine, synthConstruct } from '../helpers/stack';

const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:sync';

/** Schedules alone (the stack's default schedules unless told otherwise), starting the stand-in `sync` machine. */
function synthSchedules(props: Partial<Omit<SchedulesProps, 'stateMachine'>> = {}): {
  template: Template;
  queueId: string;
} {
  let queueId = '';
  const template = synthConstruct((stack) => {
    const schedules = new Schedules(stack, 'Schedules', {
      stateMachine: fakeStateMachine(stack, 'sync'),
      schedules: DEFAULT_SCHEDULES,
      ...props,
    });
    queueId = stack.getLogicalId(schedules.deadLetterQueue.node.defaultChild as CfnElement);
  });
  return { template, queueId };
}

describe('Construct: Schedules', () => {
  const { template, queueId } = synthSchedules();
  const queueArn = { 'Fn::GetAtt': [queueId, 'Arn'] };

  it('schedules a weekly full run, a daily compact run on the other days and an hourly incremental run', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 3);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 ? * SUN *)',
      Target: Match.objectLike({ Input: JSON.stringify({ mode: 'full', objects: 'all' }) }),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 ? * MON-SAT *)',
      Target: Match.objectLike({ Input: JSON.stringify({ mode: 'compact', objects: 'all' }) }),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 * * * ? *)',
      Target: Match.objectLike({ Input: JSON.stringify({ mode: 'incremental', objects: 'all' }) }),
    });
  });

  it('takes other expressions per mode, or none with off', () => {
    const { template: nightly } = synthSchedules({
      schedules: schedulesOf({ full: 'cron(0 3 * * ? *)', compact: 'off', incremental: 'rate(2 hours)' }),
    });
    nightly.resourceCountIs('AWS::Scheduler::Schedule', 2);
    nightly.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      Target: Match.objectLike({ Input: JSON.stringify({ mode: 'full', objects: 'all' }) }),
    });
    nightly.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(2 hours)',
      Target: Match.objectLike({ Input: JSON.stringify({ mode: 'incremental', objects: 'all' }) }),
    });
  });

  it('starts the state machine it is given, in UTC unless told a time zone', () => {
    template.allResourcesProperties('AWS::Scheduler::Schedule', {
      ScheduleExpressionTimezone: 'Etc/UTC',
      Target: Match.objectLike({ Arn: STATE_MACHINE_ARN }),
    });
    synthSchedules({ timeZone: 'Europe/Berlin' }).template.allResourcesProperties('AWS::Scheduler::Schedule', {
      ScheduleExpressionTimezone: 'Europe/Berlin',
    });
  });

  it('starts a run for each Backfill Requested event, with the event detail as input', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['hubspot-s3-sync'], 'detail-type': ['Backfill Requested'] },
      Targets: [Match.objectLike({ InputPath: '$.detail', Arn: STATE_MACHINE_ARN })],
    });
  });

  it('refuses a schedule with bad run input at synth time', () => {
    expect(() =>
      synthSchedules({ schedules: { Bad: { expression: 'rate(1 hour)', input: { mode: 'sideways' } as never } } }),
    ).toThrow('invalid run input: mode: must be one of full, incremental, backfill, compact, not "sideways"');
  });

  it('keeps starts that failed in an encrypted, TLS-only dead-letter queue for 14 days', () => {
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: queueArn,
          }),
        ]),
      },
    });
  });

  it('retries a failed scheduled start for up to an hour, then dead-letters it', () => {
    const targets = Object.values(template.findResources('AWS::Scheduler::Schedule')).map((schedule) => ({
      dlq: schedule.Properties.Target.DeadLetterConfig,
      retry: schedule.Properties.Target.RetryPolicy,
    }));
    expect(targets).toEqual(
      Array(3).fill({ dlq: { Arn: queueArn }, retry: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 } }),
    );
    // The schedules' role may send to the queue (and start the state machine), nothing more.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Action: 'states:StartExecution', Effect: 'Allow', Resource: STATE_MACHINE_ARN },
          { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: queueArn },
        ],
      },
    });
  });

  it('retries a failed backfill start for up to an hour, then dead-letters it', () => {
    const [rule] = Object.entries(template.findResources('AWS::Events::Rule'));
    const [ruleId, { Properties }] = rule;
    expect(Properties.Targets.map((t: Record<string, unknown>) => [t.DeadLetterConfig, t.RetryPolicy])).toEqual([
      [{ Arn: queueArn }, { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 }],
    ]);
    // EventBridge sends as itself: the queue lets it, for this rule only.
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
            Resource: queueArn,
          }),
        ]),
      },
    });
  });
});
