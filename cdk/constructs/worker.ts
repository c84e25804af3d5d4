import path from 'node:path';
import { Duration, Size, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface WorkerProps {
  readonly bucket: s3.IBucket;
  readonly prefix: string;
  /** The secret holding the HubSpot service key; functions get its ARN, never its value. */
  readonly secret: secretsmanager.ISecret;
  /** HubSpot API base URL override (a sandbox proxy); default HubSpot's. */
  readonly hubspotApiUrl?: string;
  /** HubSpot API version the functions call. */
  readonly apiVersion?: string;
  /** Extra environment of the finalize function only (the Glue catalog's). */
  readonly finalizeEnvironment?: Record<string, string>;
  /** Objects the state machine syncs at once: sync-steps split the key's search rate among them. */
  readonly parallelObjects: number;
  /** Extra environment of the plan function only (which association pairs full runs export). */
  readonly planEnvironment?: Record<string, string>;
  /**
   * The secret holding the key of hashed properties: plan (which checks it before any request) and sync-step (which
   * hashes) get its ARN and may read it; finalize writes no value and gets neither.
   */
  readonly hashKeySecret?: secretsmanager.ISecret;
}

const ROOT = path.join(__dirname, '..', '..');

/** What the engine does to objects under its prefix: read (and HEAD), write (multipart too), delete unpublished parts. */
export const PREFIX_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'];

/** SSE-KMS with the bucket's own key: what reading and writing its objects takes (as Bucket.grantReadWrite grants). */
const BUCKET_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

/** The key pattern of every object under `prefix` (`hubspot/*`; `*` for the whole bucket). */
export function objectsUnder(prefix: string): string {
  const root = prefix.replace(/^\/+|\/+$/g, '');
  return root ? `${root}/*` : '*';
}

/**
 * Object access under `prefix` only, so a bucket shared with other data keeps that data out of reach. Listing stays
 * bucket-wide: S3 answers a missing key with 404 only to a caller that may list the bucket (else 403, which the
 * engine, reading state files that may not exist yet, must not get), and S3's documentation does not say that a
 * ListBucket narrowed by an `s3:prefix` condition counts for that. Listing shows key names, no contents.
 */
function grantPrefix(fn: lambda.IFunction, bucket: s3.IBucket, prefix: string): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: PREFIX_OBJECT_ACTIONS,
      resources: [bucket.arnForObjects(objectsUnder(prefix))],
    }),
  );
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  bucket.encryptionKey?.grant(fn, ...BUCKET_KEY_ACTIONS);
}

/** The three Lambda functions: plan, sync-step, finalize. One engine in lib/, thin handlers in functions/. */
export class Worker extends Construct {
  readonly plan: lambda.IFunction;
  readonly syncStep: lambda.IFunction;
  readonly finalize: lambda.IFunction;

  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id);
    const environment = {
      OUTPUT_BUCKET: props.bucket.bucketName,
      OUTPUT_PREFIX: props.prefix,
      SERVICE_KEY_SECRET_ID: props.secret.secretArn,
      EVENT_BUS_NAME: 'default',
      POWERTOOLS_SERVICE_NAME: 'hubspot-s3-sync',
      ...(props.apiVersion ? { HUBSPOT_API_VERSION: props.apiVersion } : {}),
      ...(props.hubspotApiUrl ? { HUBSPOT_API_URL: props.hubspotApiUrl } : {}),
    };
    const make = (
      name: string,
      options: { memoryMiB: number; timeout: Duration; tmp?: Size; environment?: Record<string, string> },
    ) =>
      new NodejsFunction(this, name, {
        entry: path.join(ROOT, 'functions', `${name}.ts`),
        handler: 'handler',
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.X86_64,
        memorySize: options.memoryMiB,
        timeout: options.timeout,
        ephemeralStorageSize: options.tmp,
        environment: { ...environment, ...options.environment },
        logGroup: new logs.LogGroup(this, `${name}-logs`, { retention: logs.RetentionDays.ONE_MONTH }),
        depsLockFilePath: path.join(ROOT, 'package-lock.json'),
        projectRoot: ROOT,
        bundling: {
          // DuckDB is a native module: installed into the package, not bundled by esbuild. Its binary is chosen
          // by npm's platform settings, set to the function's (not the deploying machine's, say a Mac).
          nodeModules: ['@duckdb/node-api'],
          environment: { npm_config_os: 'linux', npm_config_cpu: 'x64', npm_config_libc: 'glibc' },
          // The SDK versions tested here, not whichever the Lambda runtime ships.
          bundleAwsSDK: true,
          target: 'node24',
          sourceMap: true,
        },
      });
    const hashKey: Record<string, string> = props.hashKeySecret
      ? { HASH_KEY_SECRET_ID: props.hashKeySecret.secretArn }
      : {};
    this.plan = make('plan', {
      memoryMiB: 512,
      timeout: Duration.minutes(5),
      environment: { ...props.planEnvironment, ...hashKey },
    });
    this.syncStep = make('sync-step', {
      memoryMiB: 2048,
      timeout: Duration.minutes(15),
      tmp: Size.gibibytes(4),
      environment: { PARALLEL_OBJECTS: String(props.parallelObjects), ...hashKey },
    });
    this.finalize = make('finalize', {
      memoryMiB: 1024,
      timeout: Duration.minutes(10),
      tmp: Size.gibibytes(1),
      environment: props.finalizeEnvironment,
    });

    for (const fn of [this.plan, this.syncStep, this.finalize]) {
      grantPrefix(fn, props.bucket, props.prefix);
      props.secret.grantRead(fn);
    }
    for (const fn of [this.plan, this.syncStep]) props.hashKeySecret?.grantRead(fn);
    this.finalize.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
      }),
    );
  }
}
