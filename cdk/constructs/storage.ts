import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface StorageProps {
  /** Use an existing bucket instead of creating one. */
  readonly existingBucketName?: string;
  /** ARN of the KMS key the existing bucket encrypts with (SSE-KMS), so the functions may use it. */
  readonly existingBucketKmsKeyArn?: string;
  /** Prefix inside the bucket every key starts with (no leading or trailing slash). */
  readonly prefix?: string;
}

/** The data lake bucket: encrypted, private, TLS only; incomplete multipart uploads cleaned up. */
export class Storage extends Construct {
  readonly bucket: s3.IBucket;
  readonly prefix: string;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    this.prefix = props.prefix ?? 'hubspot';
    if (props.existingBucketName) {
      this.bucket = s3.Bucket.fromBucketAttributes(this, 'Bucket', {
        bucketName: props.existingBucketName,
        ...(props.existingBucketKmsKeyArn
          ? { encryptionKey: kms.Key.fromKeyArn(this, 'BucketKey', props.existingBucketKmsKeyArn) }
          : {}),
      });
      return;
    }
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason: 'This is the access log bucket itself.',
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'data-lake/',
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
        { noncurrentVersionExpiration: Duration.days(30) },
      ],
    });
  }
}
