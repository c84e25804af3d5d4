import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { Monitoring } from './constructs/monitoring';
import { Orchestration } from './constructs/orchestration';
import { Schedules, type ScheduleSpec } from './constructs/schedules';
import { Storage } from './constructs/storage';
import { Worker } from './constructs/worker';

export interface HubSpotS3SyncStackProps extends StackProps {
  /** Name or ARN of the Secrets Manager secret holding the service key (created and rotated outside the stack). */
  readonly serviceKeySecret: string;
  readonly existingBucketName?: string;
  readonly prefix?: string;
  readonly schedules?: Record<string, ScheduleSpec>;
  readonly timeZone?: string;
  readonly maxConcurrency?: number;
  readonly hubspotApiUrl?: string;
}

/** Nightly full snapshot and hourly incremental changes, by default. */
export const DEFAULT_SCHEDULES: Record<string, ScheduleSpec> = {
  NightlyFull: { expression: 'cron(0 2 * * ? *)', input: { mode: 'full', objects: 'all' } },
  HourlyIncremental: { expression: 'cron(30 * * * ? *)', input: { mode: 'incremental', objects: 'all' } },
};

/** Wires the constructs; holds no logic of its own. */
export class HubSpotS3SyncStack extends Stack {
  constructor(scope: Construct, id: string, props: HubSpotS3SyncStackProps) {
    super(scope, id, props);
    const secret = props.serviceKeySecret.startsWith('arn:')
      ? secretsmanager.Secret.fromSecretCompleteArn(this, 'ServiceKey', props.serviceKeySecret)
      : secretsmanager.Secret.fromSecretNameV2(this, 'ServiceKey', props.serviceKeySecret);
    const storage = new Storage(this, 'Storage', {
      existingBucketName: props.existingBucketName,
      prefix: props.prefix,
    });
    const worker = new Worker(this, 'Worker', {
      bucket: storage.bucket,
      prefix: storage.prefix,
      secret,
      hubspotApiUrl: props.hubspotApiUrl,
    });
    const orchestration = new Orchestration(this, 'Orchestration', { ...worker, maxConcurrency: props.maxConcurrency });
    new Schedules(this, 'Schedules', {
      stateMachine: orchestration.stateMachine,
      schedules: props.schedules ?? DEFAULT_SCHEDULES,
      timeZone: props.timeZone,
    });
    new Monitoring(this, 'Monitoring', { stateMachine: orchestration.stateMachine });

    new CfnOutput(this, 'BucketName', { value: storage.bucket.bucketName });
    new CfnOutput(this, 'StateMachineArn', { value: orchestration.stateMachine.stateMachineArn });
  }
}
