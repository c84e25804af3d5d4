import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Monitoring, type MonitoringProps } from '../../cdk/constructs/monitoring';
import { fakeStateMachine, synthConstruct } from '../helpers/stack';

const ARN = (name: string) => `arn:aws:states:eu-west-1:123456789012:stateMachine:${name}`;

/** Monitoring alone, watching the stand-ins `sync` and `finalize-stopped` and the queue `starts-dlq`. */
function synthMonitoring(props: Partial<Pick<MonitoringProps, 'snapshotWithinHours'>> = {}): Template {
  return synthConstruct((stack) => {
    new Monitoring(stack, 'Monitoring', {
      stateMachine: fakeStateMachine(stack, 'sync'),
      stoppedRunFinalizer: fakeStateMachine(stack, 'finalize-stopped'),
      startsDeadLetterQueue: sqs.Queue.fromQueueArn(stack, 'Starts', 'arn:aws:sqs:eu-west-1:123456789012:starts-dlq'),
      ...props,
    });
  });
}

/** The alarms of a template by metric name (the metrics a math expression sums, joined by `+`). */
const alarmsByMetric = (template: Template): string[] =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map(
      (alarm) =>
        alarm.Properties.MetricName ??
        (alarm.Properties.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[])
          .flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : []))
          .join('+'),
    )
    .sort();

describe('Construct: Monitoring', () => {
  const template = synthMonitoring({ snapshotWithinHours: 26 });

  it('alarms when no full or compact run has published anything for 26 hours', () => {
    const [alarm] = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', { Properties: { EvaluationPeriods: 26 } }),
    );
    expect(alarm.Properties).toMatchObject({
      DatapointsToAlarm: 26,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    const metrics = alarm.Properties.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown[] }; Period: number };
    }[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('FILL(full, 0) + FILL(compact, 0)');
    for (const mode of ['full', 'compact']) {
      expect(metrics.find((m) => m.Id === mode)?.MetricStat).toMatchObject({
        Metric: {
          Namespace: 'HubSpotS3Sync',
          MetricName: 'DatasetsCompleted',
          Dimensions: [{ Name: 'Mode', Value: mode }],
        },
        Period: 3600,
        Stat: 'Sum',
      });
    }
  });

  it('alarms when a run fails as a whole, when a stopped run could not be finalized, and when incremental runs skip objects for 12 hours', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Namespace: 'AWS/States',
      Dimensions: [{ Name: 'StateMachineArn', Value: ARN('sync') }],
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Namespace: 'AWS/States',
      Dimensions: [{ Name: 'StateMachineArn', Value: ARN('finalize-stopped') }],
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'HubSpotS3Sync',
      MetricName: 'DatasetsSkipped',
      Dimensions: [{ Name: 'Mode', Value: 'incremental' }],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 12,
      DatapointsToAlarm: 12,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms as soon as a run that could not start sits in the dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: 'starts-dlq' }],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('has no freshness alarm unless asked for one', () => {
    expect(alarmsByMetric(template)).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'DatasetsCompleted+DatasetsCompleted',
      'DatasetsSkipped',
      'ExecutionsFailed',
      'ExecutionsFailed',
    ]);
    expect(alarmsByMetric(synthMonitoring())).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'DatasetsSkipped',
      'ExecutionsFailed',
      'ExecutionsFailed',
    ]);
  });

  it.each([0, 1.5, 169, 200])('refuses a freshness window of %p hours (1 to 168, whole)', (hours) => {
    expect(() => synthMonitoring({ snapshotWithinHours: hours })).toThrow(
      `snapshotWithinHours must be a whole number of hours from 1 to 168, got ${hours}`,
    );
  });

  it('gives objects that could not be exported one rule to attach targets to', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['hubspot-s3-sync'], 'detail-type': ['Snapshot Failed'] },
      Targets: Match.absent(),
    });
  });
});
