import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DETAIL_TYPES, EVENT_SOURCE } from '../../lib/sync/events';

export interface MonitoringProps {
  readonly stateMachine: sfn.IStateMachine;
}

/** Alarms on failed executions and on any object that could not be exported (Snapshot Failed events). */
export class Monitoring extends Construct {
  readonly executionsFailed: cloudwatch.Alarm;
  readonly snapshotFailedRule: events.Rule;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.executionsFailed = new cloudwatch.Alarm(this, 'ExecutionsFailed', {
      metric: props.stateMachine.metricFailed({ period: Duration.hours(1), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: 'A hubspot-s3-sync run failed as a whole (plan or finalize).',
    });
    // Targets (SNS, chat) are the deployer's choice; the rule gives them one place to attach.
    this.snapshotFailedRule = new events.Rule(this, 'SnapshotFailed', {
      eventPattern: { source: [EVENT_SOURCE], detailType: [DETAIL_TYPES.failed] },
      description: 'One object of a hubspot-s3-sync run could not be exported (e.g. a missing scope).',
    });
  }
}
