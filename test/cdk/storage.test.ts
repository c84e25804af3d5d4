import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Storage, type StorageProps } from '../../cdk/constructs/storage';
import { synthConstruct, TEST_ENV } from '../helpers/stack';

/** Storage alone, and what it exposes. */
function synthStorage(props?: StorageProps): { template: Template; storage: Storage } {
  let storage: Storage | undefined;
  const template = synthConstruct((stack) => {
    storage = new Storage(stack, 'Storage', props);
  });
  return { template, storage: storage! };
}

describe('Construct: Storage', () => {
  const { template, storage } = synthStorage();

  it('keeps the bucket private, encrypted and TLS-only', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.objectLike({}),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('creates a versioned data bucket and its access log bucket, both kept when the stack goes', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.allResourcesProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'data-lake/' },
      LifecycleConfiguration: {
        Rules: [
          { AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
          { NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' },
        ],
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 90, Status: 'Enabled' }] },
    });
    expect(storage.prefix).toBe('hubspot');
  });

  it('creates nothing for an existing bucket, and hands on its name, KMS key and prefix', () => {
    const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/66666666-7777-8888-9999-000000000000';
    // Not synthesized: a template without resources is not one CloudFormation takes.
    const stack = new Stack(new App(), 'Existing', { env: TEST_ENV });
    const existing = new Storage(stack, 'Storage', {
      existingBucketName: 'existing-lake',
      existingBucketKmsKeyArn: KEY,
      prefix: 'crm',
    });
    expect(stack.node.findAll().filter((c) => c instanceof CfnResource)).toEqual([]);
    expect({
      bucketName: existing.bucket.bucketName,
      key: existing.bucket.encryptionKey?.keyArn,
      prefix: existing.prefix,
    }).toEqual({ bucketName: 'existing-lake', key: KEY, prefix: 'crm' });
  });
});
