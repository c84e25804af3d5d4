import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DETAIL_TYPES, EVENT_SOURCE } from '../../lib/sync/events';
import { METRICS_NAMESPACE, RUN_METRICS } from '../../lib/sync/run-metrics';
import type { RunMode } from '../../lib/sync/run-input';

/** Hours in a row of incremental runs skipping objects before ObjectsSkippedForHours fires. */
const SKIPPED_ALARM_HOURS = 12;

/** One of finalize's run metrics (RUN_METRICS) for runs of `mode`, summed per hour. */
const hourlyRunMetric = (metricName: keyof typeof RUN_METRICS, mode: RunMode): cloudwatch.Metric =>
  new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { Mode: mode },
    statistic: 'Sum',
    period: Duration.hours(1),
  });

export interface MonitoringProps {
  readonly stateMachine: sfn.IStateMachine;
  /** The state machine that finalizes stopped runs (Orchestration's). */
  readonly stoppedRunFinalizer: sfn.IStateMachine;
  /**
   * Alarm when no full or compact run (the runs that publish complete snapshots) has published any dataset for this
   * many hours (finalize's DatasetsCompleted metric); none when undefined. 1 to 168.
   */
  readonly snapshotWithinHours?: number;
  /** The dead-letter queue of the schedules and the backfill rule (Schedules'): runs that never started. */
  readonly startsDeadLetterQueue: sqs.IQueue;
}

/**
 * Alarms on failed executions, on runs that never started (a start left in the schedules' dead-letter queue), on a
 * full snapshot gone stale (the nightly run failing quietly for a day), and a rule for any object that could not be
 * exported (Snapshot Failed events).
 */
export class Monitoring extends Construct {
  readonly executionsFailed: cloudwatch.Alarm;
  readonly snapshotFailedRule: events.Rule;
  readonly stoppedRunFinalizeFailed: cloudwatch.Alarm;
  readonly objectsSkippedForHours: cloudwatch.Alarm;
  readonly snapshotStale?: cloudwatch.Alarm;
  readonly runStartsFailed: cloudwatch.Alarm;

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
    this.stoppedRunFinalizeFailed = new cloudwatch.Alarm(this, 'StoppedRunFinalizeFailed', {
      metric: props.stoppedRunFinalizer.metricFailed({ period: Duration.hours(1), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'A stopped hubspot-s3-sync run could not be finalized: its leases stay held until they lapse (24 hours).',
    });
    // Runs skip an object another run holds; every incremental run skipping something for half a day means a run
    // that holds its leases without progress (or a full run that long).
    this.objectsSkippedForHours = new cloudwatch.Alarm(this, 'ObjectsSkippedForHours', {
      metric: hourlyRunMetric('DatasetsSkipped', 'incremental'),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      threshold: 1,
      evaluationPeriods: SKIPPED_ALARM_HOURS,
      datapointsToAlarm: SKIPPED_ALARM_HOURS,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `hubspot-s3-sync incremental runs have skipped objects held by another run for ${SKIPPED_ALARM_HOURS} hours.`,
    });
    // A message there is a scheduled or requested run that never started; it stays 14 days, so the alarm stays on
    // until someone reads (and deletes) it.
    this.runStartsFailed = new cloudwatch.Alarm(this, 'RunStartsFailed', {
      metric: props.startsDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'A scheduled or requested hubspot-s3-sync run could not be started after its retries: see the dead-letter queue.',
    });
    const hours = props.snapshotWithinHours;
    if (hours === undefined) return;
    if (!Number.isInteger(hours) || hours < 1 || hours > 168) {
      throw new Error(`snapshotWithinHours must be a whole number of hours from 1 to 168, got ${hours}`);
    }
    // Hourly periods: the alarm fires once `hours` hours in a row published nothing in a full or compact run (hours
    // without either count as nothing). Datasets that fail while others publish are the SnapshotFailed rule's; a
    // portal missing one scope for good must not keep this alarm on. It starts in ALARM until the first run publishes.
    const published = new cloudwatch.MathExpression({
      expression: 'FILL(full, 0) + FILL(compact, 0)',
      usingMetrics: {
        full: hourlyRunMetric('DatasetsCompleted', 'full'),
        compact: hourlyRunMetric('DatasetsCompleted', 'compact'),
      },
      period: Duration.hours(1),
      label: 'Datasets published by full and compact runs',
    });
    this.snapshotStale = new cloudwatch.Alarm(this, 'SnapshotStale', {
      metric: published,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      threshold: 1,
      evaluationPeriods: hours,
      datapointsToAlarm: hours,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription: `No full or compact hubspot-s3-sync run has published any dataset in the last ${hours} hours.`,
    });
  }
}
