import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface StorageProps {
  /** Use an existing bucket instead of creating one. */
  readonly existingBucketName?: string;
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
      this.bucket = s3.Bucket.fromBucketName(this, 'Bucket', props.existingBucketName);
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
