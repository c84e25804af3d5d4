import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HubSpotS3SyncStack } from '../../cdk/stack';
import { SECRET_ARN, stateMachineDefinition, synthStack as synth } from '../helpers/stack';

/** What each construct is tested for is in its own file; here only how the stack joins them. */

/** The three functions' environments, plan, sync-step and finalize (by logical id). */
const functionVariables = (template: Template): Record<string, string>[] =>
  Object.entries(template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x' } }))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, fn]) => fn.Properties.Environment.Variables);

/** The one logical id of `type` whose id matches `pattern`. */
function logicalId(template: Template, type: string, pattern: RegExp): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => pattern.test(id));
  if (ids.length !== 1) throw new Error(`expected one ${type} matching ${pattern}, found ${ids.join(', ') || 'none'}`);
  return ids[0];
}

describe('Stack: HubSpotS3SyncStack', () => {
  const template = synth();
  const stateMachine = logicalId(template, 'AWS::StepFunctions::StateMachine', /^OrchestrationStateMachine/);
  const stoppedRunFinalizer = logicalId(template, 'AWS::StepFunctions::StateMachine', /FinalizeStoppedRun/);
  const deadLetterQueue = logicalId(template, 'AWS::SQS::Queue', /^SchedulesDeadLetterQueue/);

  it('runs three Node.js 24 functions that get the secret ARN, never a key', () => {
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x' } });
    expect(Object.keys(functions)).toHaveLength(3);
    const common = [
      'EVENT_BUS_NAME',
      'HUBSPOT_API_VERSION',
      'OUTPUT_BUCKET',
      'OUTPUT_PREFIX',
      'POWERTOOLS_SERVICE_NAME',
      'SERVICE_KEY_SECRET_ID',
    ];
    const variableNames = Object.values(functions).map((fn) => {
      const variables = fn.Properties.Environment.Variables;
      expect(variables.SERVICE_KEY_SECRET_ID).toBe(SECRET_ARN);
      return Object.keys(variables).sort();
    });
    // Only finalize registers tables, so only it names the Glue database; sync-steps share the search rate; plan
    // splits large objects into slices.
    expect(variableNames.sort()).toEqual(
      [
        ['OBJECT_PARALLELISM', ...common].sort(),
        ['GLUE_DATABASE', ...common].sort(),
        [...common, 'PARALLEL_OBJECTS'].sort(),
      ].sort(),
    );
    const syncStep = Object.values(functions).find((fn) => fn.Properties.Environment.Variables.PARALLEL_OBJECTS);
    expect(syncStep?.Properties.Environment.Variables.PARALLEL_OBJECTS).toBe('6');
    const plan = Object.values(functions).find((fn) => fn.Properties.Environment.Variables.OBJECT_PARALLELISM);
    expect(plan?.Properties.Environment.Variables).toMatchObject({
      OBJECT_PARALLELISM: '4',
      HUBSPOT_API_VERSION: '2026-09',
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/pat-[a-z]{2}\d-/);
  });

  it('has the functions write to the stack bucket under its prefix', () => {
    const bucket = logicalId(template, 'AWS::S3::Bucket', /^StorageBucket/);
    expect(functionVariables(template).map((v) => [v.OUTPUT_BUCKET, v.OUTPUT_PREFIX])).toEqual([
      [{ Ref: bucket }, 'hubspot'],
      [{ Ref: bucket }, 'hubspot'],
      [{ Ref: bucket }, 'hubspot'],
    ]);
    expect(
      functionVariables(synth({ existingBucketName: 'lake', prefix: 'crm' })).map((v) => [
        v.OUTPUT_BUCKET,
        v.OUTPUT_PREFIX,
      ]),
    ).toEqual([
      ['lake', 'crm'],
      ['lake', 'crm'],
      ['lake', 'crm'],
    ]);
  });

  it('syncs as many objects at once as sync-step splits the search rate between', () => {
    for (const [props, expected] of [
      [{}, 6],
      [{ maxConcurrency: 2 }, 2],
    ] as const) {
      const t = synth(props);
      expect({
        map: stateMachineDefinition(t).States.SyncObjects.MaxConcurrency,
        syncStep: functionVariables(t)
          .map((v) => v.PARALLEL_OBJECTS)
          .filter(Boolean),
      }).toEqual({ map: expected, syncStep: [String(expected)] });
    }
  });

  it.each([
    [{ objectParallelism: 0 }, 'objectParallelism must be a whole number from 1 to 100, not 0'],
    [{ listArchivedEveryHours: 1000 }, 'listArchivedEveryHours must be a whole number from 0 to 720, not 1000'],
    [{ maxConcurrency: 2.5 }, 'maxConcurrency must be a whole number from 1 to 40, not 2.5'],
    [{ apiVersion: 'v2' }, 'API version "v2" is not supported'],
  ])('refuses %j at synth, naming the setting', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  it('hands the plan its slices per object and every function the API version chosen', () => {
    const variables = functionVariables(synth({ objectParallelism: 8, apiVersion: '2026-03' }));
    expect(variables.map((v) => v.OBJECT_PARALLELISM).filter(Boolean)).toEqual(['8']);
    expect(variables.map((v) => v.HUBSPOT_API_VERSION)).toEqual(['2026-03', '2026-03', '2026-03']);
  });

  it('hands the plan the archived-list hours when named, and nothing when not', () => {
    const named = functionVariables(synth({ listArchivedEveryHours: 6, listArchivedAtMostEveryHours: 0 }));
    expect(named.filter((v) => v.LIST_ARCHIVED_EVERY_HOURS)).toEqual([
      expect.objectContaining({
        OBJECT_PARALLELISM: '4',
        LIST_ARCHIVED_EVERY_HOURS: '6',
        LIST_ARCHIVED_AT_MOST_EVERY_HOURS: '0',
      }),
    ]);
    expect(functionVariables(synth({})).some((v) => 'LIST_ARCHIVED_EVERY_HOURS' in v)).toBe(false);
  });

  it('lets the functions decrypt with the KMS keys of the secret and of an existing bucket, when named', () => {
    const SECRET_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    const BUCKET_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/66666666-7777-8888-9999-000000000000';
    const statements = (t: Template) =>
      Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const kmsOn = (t: Template, key: string) =>
      statements(t)
        .filter((s: { Resource: unknown }) => s.Resource === key)
        .flatMap((s: { Action: string | string[] }) => s.Action);
    expect(kmsOn(template, SECRET_KEY)).toEqual([]);
    for (const secret of [SECRET_ARN, 'hubspot/service-key']) {
      const keyed = synth({ serviceKeySecret: secret, serviceKeyKmsKeyArn: SECRET_KEY });
      // One grant per function.
      expect(kmsOn(keyed, SECRET_KEY)).toEqual(['kms:Decrypt', 'kms:Decrypt', 'kms:Decrypt']);
    }
    const bucket = synth({ existingBucketName: 'existing-lake', bucketKmsKeyArn: BUCKET_KEY });
    expect(new Set(kmsOn(bucket, BUCKET_KEY))).toEqual(
      new Set(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*']),
    );
  });

  it('refuses a service key given where the secret holding it belongs, without repeating it', () => {
    const key = 'pat-na1-0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f';
    expect(() => synth({ serviceKeySecret: key })).toThrow(
      /^serviceKeySecret looks like a HubSpot service key itself: give the name or ARN of the Secrets Manager secret that holds it$/,
    );
  });

  it('hands plan the association pairs the stack names, checked at synth', () => {
    const variablesOf = (t: Template) =>
      Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x' } })).map(
        (fn) => fn.Properties.Environment.Variables.ASSOCIATION_PAIRS,
      );
    expect(variablesOf(template)).toEqual([undefined, undefined, undefined]);
    expect(variablesOf(synth({ associations: 'calls:contacts, deals:contacts' })).filter(Boolean)).toEqual([
      'calls:contacts,deals:contacts',
    ]);
    expect(() => synth({ associations: 'calls' })).toThrow('associations must be object pairs from:to');
  });

  it('starts the sync state machine from the schedules and the backfill rule, dead-lettering failed starts', () => {
    template.allResourcesProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({
        Arn: { Ref: stateMachine },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deadLetterQueue, 'Arn'] } },
      }),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['hubspot-s3-sync'], 'detail-type': ['Backfill Requested'] },
      Targets: [
        Match.objectLike({
          Arn: { Ref: stateMachine },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deadLetterQueue, 'Arn'] } },
        }),
      ],
    });
  });

  it('watches both state machines and the dead-letter queue of the starts', () => {
    const dimensions = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .filter((alarm) => alarm.Properties.Namespace !== 'HubSpotS3Sync')
      .map((alarm) => alarm.Properties.Dimensions);
    expect(dimensions).toEqual([
      [{ Name: 'StateMachineArn', Value: { Ref: stateMachine } }],
      [{ Name: 'StateMachineArn', Value: { Ref: stoppedRunFinalizer } }],
      [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetterQueue, 'QueueName'] } }],
    ]);
  });

  it('has no freshness alarm when no schedule runs full or compact snapshots, unless asked for one', () => {
    const incrementalOnly = { Hourly: { expression: 'rate(1 hour)', input: { mode: 'incremental', objects: 'all' } } };
    const freshness = (t: Template) =>
      Object.values(t.findResources('AWS::CloudWatch::Alarm'))
        .filter((alarm) => JSON.stringify(alarm.Properties.Metrics ?? []).includes('DatasetsCompleted'))
        .map((alarm) => alarm.Properties.EvaluationPeriods);
    expect(freshness(template)).toEqual([26]);
    expect(freshness(synth({ schedules: incrementalOnly as never }))).toEqual([]);
    expect(freshness(synth({ schedules: incrementalOnly as never, snapshotWithinHours: 168 }))).toEqual([168]);
    expect(() => synth({ snapshotWithinHours: 200 })).toThrow(
      'snapshotWithinHours must be a whole number of hours from 1 to 168, got 200',
    );
  });

  it('outputs the bucket name and the sync state machine ARN', () => {
    expect(template.toJSON().Outputs).toEqual({
      BucketName: { Value: { Ref: logicalId(template, 'AWS::S3::Bucket', /^StorageBucket/) } },
      StateMachineArn: { Value: { Ref: stateMachine } },
    });
  });
});

describe('Stack: the Glue catalog', () => {
  const finalizeVariables = (template: Template) =>
    functionVariables(template).filter((variables) => variables.GLUE_DATABASE !== undefined);

  it('lets finalize, and only finalize, register tables in the hubspot database by default', () => {
    const template = synth();
    template.resourceCountIs('AWS::Glue::Database', 1);
    const finalizeRole = logicalId(template, 'AWS::IAM::Role', /^WorkerfinalizeServiceRole/);
    const glueGrants = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('glue:'))
      .map((p) => p.Properties.Roles);
    expect(glueGrants).toEqual([[{ Ref: finalizeRole }]]);
    expect(finalizeVariables(template)).toEqual([expect.objectContaining({ GLUE_DATABASE: 'hubspot' })]);
  });

  it('uses an existing database with a table prefix when told to', () => {
    const template = synth({ catalog: { databaseName: 'lake', createDatabase: false, tablePrefix: 'hs_' } });
    template.resourceCountIs('AWS::Glue::Database', 0);
    expect(finalizeVariables(template)).toEqual([
      expect.objectContaining({ GLUE_DATABASE: 'lake', GLUE_TABLE_PREFIX: 'hs_' }),
    ]);
  });

  it('registers nothing when the catalog is off', () => {
    const template = synth({ catalog: false });
    template.resourceCountIs('AWS::Glue::Database', 0);
    expect(finalizeVariables(template)).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain('glue:');
  });
});

describe('Stack: cdk-nag AWS Solutions checks', () => {
  it.each([
    ['its own bucket', {}],
    [
      'an existing bucket encrypted with KMS',
      { existingBucketName: 'existing-lake', bucketKmsKeyArn: `arn:aws:kms:eu-west-1:123456789012:key/1` },
    ],
  ])('passes with %s, with every accepted finding acknowledged and explained', (_case, props) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new HubSpotS3SyncStack(app, 'Nagged', {
      serviceKeySecret: SECRET_ARN,
      env: { account: '123456789012', region: 'eu-west-1' },
      ...props,
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});
