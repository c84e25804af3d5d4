import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Worker, type WorkerProps } from '../../cdk/constructs/worker';
import { SECRET_ARN, synthConstruct } from '../helpers/stack';

/** Worker alone, writing to an existing bucket `lake` under `hubspot`, reading the key from SECRET_ARN. */
function synthWorker(props: Partial<WorkerProps> = {}): Template {
  return synthConstruct((stack) => {
    new Worker(stack, 'Worker', {
      bucket: s3.Bucket.fromBucketName(stack, 'Lake', 'lake'),
      prefix: 'hubspot',
      secret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'ServiceKey', SECRET_ARN),
      parallelObjects: 4,
      ...props,
    });
  });
}

/** Each function's environment, by the function's entry name (plan, sync-step, finalize). */
function environments(template: Template): Record<string, Record<string, string>> {
  const functions = Object.entries(
    template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x' } }),
  );
  const named = functions.map(([id, fn]) => {
    const name = ['plan', 'sync-step', 'finalize'].find((n) => id.startsWith(`Worker${n.replace('-', '')}`));
    return [name ?? id, fn.Properties.Environment.Variables];
  });
  return Object.fromEntries(named);
}

describe('Construct: Worker', () => {
  const template = synthWorker({ finalizeEnvironment: { GLUE_DATABASE: 'hubspot' } });

  it('runs three Node.js 24 functions that get the secret ARN, never a key', () => {
    const common = {
      EVENT_BUS_NAME: 'default',
      OUTPUT_BUCKET: 'lake',
      OUTPUT_PREFIX: 'hubspot',
      POWERTOOLS_SERVICE_NAME: 'hubspot-s3-sync',
      SERVICE_KEY_SECRET_ID: SECRET_ARN,
    };
    // Only finalize registers tables, so only it names the Glue database; sync-steps share the search rate.
    expect(environments(template)).toEqual({
      plan: common,
      'sync-step': { ...common, PARALLEL_OBJECTS: '4' },
      finalize: { ...common, GLUE_DATABASE: 'hubspot' },
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/pat-[a-z]{2}\d-/);
  });

  it('gives the plan function alone its extra environment, and all three a HubSpot URL when one is set', () => {
    const variables = environments(
      synthWorker({ planEnvironment: { ASSOCIATION_PAIRS: 'calls:contacts' }, hubspotApiUrl: 'http://proxy:8080' }),
    );
    expect(
      Object.fromEntries(Object.entries(variables).map(([n, v]) => [n, [v.ASSOCIATION_PAIRS, v.HUBSPOT_API_URL]])),
    ).toEqual({
      plan: ['calls:contacts', 'http://proxy:8080'],
      'sync-step': [undefined, 'http://proxy:8080'],
      finalize: [undefined, 'http://proxy:8080'],
    });
  });

  it('gives sync-step 15 minutes, 2 GiB and 4 GiB of /tmp for spools', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 900,
      MemorySize: 2048,
      EphemeralStorage: { Size: 4096 },
    });
  });

  it('gives plan 5 minutes and 512 MiB, finalize 10 minutes, 1 GiB and 1 GiB of /tmp, all on x86_64', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 300, MemorySize: 512 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 600,
      MemorySize: 1024,
      EphemeralStorage: { Size: 1024 },
    });
    template.allResourcesProperties('AWS::Lambda::Function', { Architectures: ['x86_64'] });
  });

  it('keeps each function log for a month', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 3);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('lets the functions read the secret and nothing else of Secrets Manager', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: SECRET_ARN,
          }),
        ]),
      },
    });
    const secretActions = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .flatMap((s: { Action: string | string[] }) => [s.Action].flat())
      .filter((action: string) => action.startsWith('secretsmanager:'));
    // One grant per function, never more than reading this secret.
    expect(secretActions.sort()).toEqual([
      ...Array(3).fill('secretsmanager:DescribeSecret'),
      ...Array(3).fill('secretsmanager:GetSecretValue'),
    ]);
  });

  it('lets the functions read, write and delete objects under the prefix only, and list the bucket', () => {
    const s3Statements = (t: Template) =>
      Object.values(t.findResources('AWS::IAM::Policy'))
        .flatMap((p) => p.Properties.PolicyDocument.Statement)
        .filter((s: { Action: string | string[] }) => [s.Action].flat().some((a) => a.startsWith('s3:')));
    const arn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${resource}`]] });
    const expected = (objects: string) => [
      {
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        Effect: 'Allow',
        Resource: arn(objects),
      },
      // Bucket-wide, so that a key not written yet reads as 404, not 403; it shows key names, no contents.
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: arn('lake') },
    ];
    // One grant per function, each the same two statements.
    expect(s3Statements(template)).toEqual([
      ...expected('lake/hubspot/*'),
      ...expected('lake/hubspot/*'),
      ...expected('lake/hubspot/*'),
    ]);
    expect(s3Statements(synthWorker({ prefix: '/crm/exports/' })).slice(0, 2)).toEqual(expected('lake/crm/exports/*'));
  });

  it('lets finalize alone put events, on the default bus only', () => {
    const putEvents = Object.entries(template.findResources('AWS::IAM::Policy'))
      .flatMap(([id, p]) => p.Properties.PolicyDocument.Statement.map((s: object) => ({ id, ...s })))
      .filter((s: { Action: string | string[] }) => [s.Action].flat().includes('events:PutEvents'));
    expect(putEvents).toEqual([
      {
        id: expect.stringMatching(/^WorkerfinalizeServiceRoleDefaultPolicy/),
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:123456789012:event-bus/default']],
        },
      },
    ]);
  });
});
