import { CfnOutput, Stack, Validations, type CfnElement, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct, IConstruct } from 'constructs';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Catalog, type CatalogProps } from './constructs/catalog';
import { Monitoring } from './constructs/monitoring';
import { KEY_AS_SECRET_MESSAGE, looksLikeServiceKey } from '../lib/hubspot/key-shape';
import { formatAssociationPairs, parseAssociationPairs } from '../lib/sync/association-pairs';
import { DEFAULT_API_VERSION, parseApiVersion } from '../lib/hubspot/api-version';
import { MAX_SLICES } from '../lib/sync/slices';
import { formatPropertyRefs, parsePropertyRefs } from '../lib/sync/sensitive-properties';
import { DEFAULT_MAX_CONCURRENCY, Orchestration } from './constructs/orchestration';
import { Schedules, type ScheduleSpec } from './constructs/schedules';
import { Storage } from './constructs/storage';
import { objectsUnder, Worker } from './constructs/worker';

export interface HubSpotS3SyncStackProps extends StackProps {
  /** Name or ARN of the Secrets Manager secret holding the service key (created and rotated outside the stack). */
  readonly serviceKeySecret: string;
  /** ARN of the customer-managed KMS key the secret is encrypted with, if not AWS's default one. */
  readonly serviceKeyKmsKeyArn?: string;
  /** ARN of the KMS key an existing bucket (existingBucketName) encrypts with, if SSE-KMS. */
  readonly bucketKmsKeyArn?: string;
  readonly existingBucketName?: string;
  readonly prefix?: string;
  readonly schedules?: Record<string, ScheduleSpec>;
  readonly timeZone?: string;
  /** Items the state machine syncs at once (objects, and slices of large ones); default 6. */
  readonly maxConcurrency?: number;
  /**
   * Items (sync-step Lambdas side by side) a large object's full snapshot is split into; default 4, 1 to keep every
   * object in one item. An object is split only when each slice gets 50,000 records or more.
   */
  readonly objectParallelism?: number;
  /** Incremental runs list archived records at least this often, in hours (default 24; 0: every run). */
  readonly listArchivedEveryHours?: number;
  /** ... and, when the live count says records were archived, at most this often (default 0: at once). */
  readonly listArchivedAtMostEveryHours?: number;
  /** HubSpot API version every function calls (lib/hubspot/api-version.ts); default the newest this release supports. */
  readonly apiVersion?: string;
  readonly hubspotApiUrl?: string;
  /**
   * Object pairs whose associations full runs export, as `from:to,...` or `none`; default
   * contacts:companies,deals:contacts,deals:companies,tickets:contacts,deals:line_items. Checked at synth.
   */
  readonly associations?: string;
  /**
   * Hours without a full or compact run publishing anything before the SnapshotStale alarm fires; default 26 when a
   * schedule runs full or compact snapshots (daily plus slack), else no alarm.
   * runs full snapshots (nightly plus slack), else no alarm.
   */
  readonly snapshotWithinHours?: number;
  /** Glue catalog of the published datasets; default a new `hubspot` database. `false`: no Glue tables. */
  readonly catalog?: CatalogProps | false;
  /**
   * Properties never requested from HubSpot nor written, as `object.property,...` (`object.prefix*` for every
   * property starting with prefix). Checked at synth; the plan checks them against the portal.
   */
  readonly excludeProperties?: string;
  /** Properties whose columns hold HMAC-SHA-256 hashes of their values, in the same form; needs hashKeySecret. */
  readonly hashProperties?: string;
  /** Name or ARN of the Secrets Manager secret holding the hash key (created outside the stack; never the key). */
  readonly hashKeySecret?: string;
}

/** A daily complete snapshot (compact or full), plus two hours of slack for a slow or retried one. */
export const DEFAULT_SNAPSHOT_WITHIN_HOURS = 26;

/** Slices a large object is split into, deployed, unless the stack says otherwise. */
export const DEFAULT_OBJECT_PARALLELISM = 4;

/** A whole-number setting checked at synth, so a bad value never deploys. */
function wholeNumberSetting(
  name: string,
  value: number | string | undefined,
  fallback: number,
  max: number,
  min = 1,
): number {
  const parsed = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** The plan's archived-list hours, set only when the stack names them (the engine's defaults otherwise). */
function archivedListEnvironment(props: HubSpotS3SyncStackProps): Record<string, string> {
  const env: Record<string, string> = {};
  const settings = [
    ['listArchivedEveryHours', props.listArchivedEveryHours, 'LIST_ARCHIVED_EVERY_HOURS'],
    ['listArchivedAtMostEveryHours', props.listArchivedAtMostEveryHours, 'LIST_ARCHIVED_AT_MOST_EVERY_HOURS'],
  ] as const;
  for (const [name, value, variable] of settings) {
    if (value !== undefined) env[variable] = String(wholeNumberSetting(name, value, 0, 720, 0));
  }
  return env;
}

/** The plan function's ASSOCIATION_PAIRS, checked now so a bad value never deploys. */
function associationsEnvironment(text: string): Record<string, string> {
  try {
    return { ASSOCIATION_PAIRS: formatAssociationPairs(parseAssociationPairs(text)) };
  } catch (error) {
    throw new Error(`associations ${(error as Error).message}`);
  }
}

/** The plan function's EXCLUDE_PROPERTIES and HASH_PROPERTIES, checked now so a bad value never deploys. */
function sensitiveEnvironment(props: HubSpotS3SyncStackProps): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [setting, variable] of [
    ['excludeProperties', 'EXCLUDE_PROPERTIES'],
    ['hashProperties', 'HASH_PROPERTIES'],
  ] as const) {
    const text = props[setting];
    if (text === undefined) continue;
    try {
      environment[variable] = formatPropertyRefs(parsePropertyRefs(text));
    } catch (error) {
      throw new Error(`${setting} ${(error as Error).message}`);
    }
  }
  const hashing = (environment.HASH_PROPERTIES ?? 'none') !== 'none';
  if (hashing && !props.hashKeySecret) {
    throw new Error(
      'hashProperties needs hashKeySecret: the name or ARN of the Secrets Manager secret that holds the hash key ' +
        '(the key itself never goes in the template)',
    );
  }
  if (props.hashKeySecret !== undefined && !hashing) {
    throw new Error('hashKeySecret is set, but hashProperties names no property to hash');
  }
  return environment;
}

/** The secret `nameOrArn` names, imported (never its value); refused when it is a service key pasted by mistake. */
function importSecret(scope: Construct, id: string, setting: string, nameOrArn: string): secretsmanager.ISecret {
  if (looksLikeServiceKey(nameOrArn)) throw new Error(`${setting} ${KEY_AS_SECRET_MESSAGE}`);
  return nameOrArn.startsWith('arn:')
    ? secretsmanager.Secret.fromSecretCompleteArn(scope, id, nameOrArn)
    : secretsmanager.Secret.fromSecretNameV2(scope, id, nameOrArn);
}

/** The Glue database created unless the stack is told otherwise. */
export const DEFAULT_CATALOG: CatalogProps = { databaseName: 'hubspot' };

/**
 * By default: a full snapshot weekly (Sunday 03:00), a snapshot built from the change sets on the other days
 * (compact, 03:00), and incremental changes hourly. 03:00 exists once on every day in the time zones that shift at
 * 02:00 (Scheduler skips a time that does not exist). A full run still reads the portal weekly: records deleted for
 * GDPR are not reported as archived, so only a full run drops them (README, Compact runs).
 */
export const DEFAULT_SCHEDULE_EXPRESSIONS = {
  full: 'cron(0 3 ? * SUN *)',
  compact: 'cron(0 3 ? * MON-SAT *)',
  incremental: 'cron(30 * * * ? *)',
} as const satisfies Record<'full' | 'compact' | 'incremental', string>;

const SCHEDULE_NAMES = { full: 'WeeklyFull', compact: 'DailyCompact', incremental: 'HourlyIncremental' } as const;

/**
 * The schedules of the three modes, each its default expression unless `given` names another, or `off` for none
 * (cdk -c fullSchedule=..., -c compactSchedule=..., -c incrementalSchedule=...).
 * @example schedulesOf({ compact: 'off', full: 'cron(0 3 * * ? *)' }) // nightly full and hourly incremental
 */
export function schedulesOf(
  given: Partial<Record<keyof typeof DEFAULT_SCHEDULE_EXPRESSIONS, string>> = {},
): Record<string, ScheduleSpec> {
  const specs: Record<string, ScheduleSpec> = {};
  for (const mode of ['full', 'compact', 'incremental'] as const) {
    const expression = given[mode] ?? DEFAULT_SCHEDULE_EXPRESSIONS[mode];
    if (expression === 'off') continue;
    specs[SCHEDULE_NAMES[mode]] = { expression, input: { mode, objects: 'all' } };
  }
  return specs;
}

export const DEFAULT_SCHEDULES: Record<string, ScheduleSpec> = schedulesOf();

/** cdk-nag findings this design accepts, each with its reason (granular findings are acknowledged one by one). */
function acknowledgeNagFindings(
  stack: Stack,
  { bucket, prefix }: { bucket: IBucket; prefix: string },
  functions: IFunction[],
  catalog?: Catalog,
): void {
  const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
  // A bucket of the stack is named by its token; an existing one (imported by name) by its ARN.
  const bucketObjects = bucket.node.defaultChild
    ? `<${logicalId(bucket)}.Arn>/${objectsUnder(prefix)}`
    : `arn:<AWS::Partition>:s3:::${bucket.bucketName}/${objectsUnder(prefix)}`;
  const accepted: [string[], string][] = [
    [
      ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]'],
      'AWSLambdaBasicExecutionRole only lets the functions write their own CloudWatch logs.',
    ],
    [
      [`AwsSolutions-IAM5[Resource::${bucketObjects}]`],
      'Object-level S3 actions under the output prefix only: every run writes, reads and (for unpublished parts) deletes objects under its own keys.',
    ],
    [
      functions.map((fn) => `AwsSolutions-IAM5[Resource::<${logicalId(fn)}.Arn>:*]`),
      'Step Functions invokes the functions by qualified ARN (versions and aliases).',
    ],
    [['AwsSolutions-IAM5[Resource::*]'], 'X-Ray tracing of the state machine needs Resource *.'],
    ...(bucket.encryptionKey
      ? ([
          [
            ['AwsSolutions-IAM5[Action::kms:ReEncrypt*]', 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]'],
            "S3 SSE-KMS with the existing bucket's own key only: the standard grant to read and write its objects.",
          ],
        ] as [string[], string][])
      : []),
    ...(catalog
      ? ([
          [
            [`AwsSolutions-IAM5[Resource::${catalog.tablesArnAsNagSees}]`],
            'finalize creates and updates one table per exported dataset, whose names are known only at run time, in this database only.',
          ],
        ] as [string[], string][])
      : []),
  ];
  for (const [ids, reason] of accepted) {
    for (const id of ids) Validations.of(stack).acknowledge({ id: `AwsSolutions::${id}`, reason });
  }
}

/** Wires the constructs; holds no logic of its own. */
export class HubSpotS3SyncStack extends Stack {
  constructor(scope: Construct, id: string, props: HubSpotS3SyncStackProps) {
    super(scope, id, props);
    const secret = importSecret(this, 'ServiceKey', 'serviceKeySecret', props.serviceKeySecret);
    const sensitive = sensitiveEnvironment(props);
    const hashKeySecret =
      props.hashKeySecret === undefined
        ? undefined
        : importSecret(this, 'HashKey', 'hashKeySecret', props.hashKeySecret);
    const storage = new Storage(this, 'Storage', {
      existingBucketName: props.existingBucketName,
      existingBucketKmsKeyArn: props.bucketKmsKeyArn,
      prefix: props.prefix,
    });
    const maxConcurrency = wholeNumberSetting('maxConcurrency', props.maxConcurrency, DEFAULT_MAX_CONCURRENCY, 40);
    const objectParallelism = wholeNumberSetting(
      'objectParallelism',
      props.objectParallelism,
      DEFAULT_OBJECT_PARALLELISM,
      MAX_SLICES,
    );
    const apiVersion = props.apiVersion === undefined ? DEFAULT_API_VERSION : parseApiVersion(props.apiVersion);
    const catalogProps = props.catalog ?? DEFAULT_CATALOG;
    const catalog = catalogProps ? new Catalog(this, 'Catalog', catalogProps) : undefined;
    const worker = new Worker(this, 'Worker', {
      bucket: storage.bucket,
      prefix: storage.prefix,
      secret,
      hubspotApiUrl: props.hubspotApiUrl,
      apiVersion,
      finalizeEnvironment: catalog?.environment,
      parallelObjects: maxConcurrency,
      planEnvironment: {
        OBJECT_PARALLELISM: String(objectParallelism),
        ...archivedListEnvironment(props),
        ...(props.associations !== undefined ? associationsEnvironment(props.associations) : {}),
        ...sensitive,
      },
      hashKeySecret,
    });
    catalog?.grantPublish(worker.finalize);
    // A secret encrypted with a customer-managed key is read through it (the default aws/secretsmanager key needs nothing).
    if (props.serviceKeyKmsKeyArn) {
      const key = kms.Key.fromKeyArn(this, 'ServiceKeyKmsKey', props.serviceKeyKmsKeyArn);
      for (const fn of [worker.plan, worker.syncStep, worker.finalize]) key.grantDecrypt(fn);
    }
    const orchestration = new Orchestration(this, 'Orchestration', { ...worker, maxConcurrency });
    const schedules = props.schedules ?? DEFAULT_SCHEDULES;
    const starts = new Schedules(this, 'Schedules', {
      stateMachine: orchestration.stateMachine,
      schedules,
      timeZone: props.timeZone,
    });
    const schedulesSnapshots = Object.values(schedules).some((schedule) =>
      ['full', 'compact'].includes(schedule.input.mode),
    );
    new Monitoring(this, 'Monitoring', {
      stateMachine: orchestration.stateMachine,
      stoppedRunFinalizer: orchestration.stoppedRunFinalizer,
      snapshotWithinHours:
        props.snapshotWithinHours ?? (schedulesSnapshots ? DEFAULT_SNAPSHOT_WITHIN_HOURS : undefined),
      startsDeadLetterQueue: starts.deadLetterQueue,
    });

    acknowledgeNagFindings(this, storage, [worker.plan, worker.syncStep, worker.finalize], catalog);

    new CfnOutput(this, 'BucketName', { value: storage.bucket.bucketName });
    new CfnOutput(this, 'StateMachineArn', { value: orchestration.stateMachine.stateMachineArn });
  }
}
