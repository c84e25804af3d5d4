import { TimeZone } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
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

/** EventBridge Scheduler schedules for full and incremental runs, and the rule that turns "Backfill Requested" events into runs. */
export class Schedules extends Construct {
  readonly backfillRule: events.Rule;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    for (const [name, spec] of Object.entries(props.schedules)) {
      const input = parseRunInput(spec.input);
      new scheduler.Schedule(this, name, {
        schedule: scheduler.ScheduleExpression.expression(
          spec.expression,
          props.timeZone ? TimeZone.of(props.timeZone) : undefined,
        ),
        target: new schedulerTargets.StepFunctionsStartExecution(props.stateMachine, {
          input: scheduler.ScheduleTargetInput.fromObject(input),
        }),
        description: `hubspot-s3-sync ${input.mode} run of ${input.objects === 'all' ? 'all objects' : input.objects.join(', ')}`,
      });
    }
    this.backfillRule = new events.Rule(this, 'BackfillRequested', {
      eventPattern: { source: [EVENT_SOURCE], detailType: [DETAIL_TYPES.backfillRequested] },
      targets: [
        new eventTargets.SfnStateMachine(props.stateMachine, {
          input: events.RuleTargetInput.fromEventPath('$.detail'),
        }),
      ],
    });
  }
}
