import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HubSpotS3SyncStack } from '../../cdk/stack';
import { SECRET_ARN, stateMachineDefinition, synthStack as synth } from '../helpers/stack';

describe('Stack: HubSpotS3SyncStack', () => {
  const template = synth();

  it('runs three Node.js 24 functions that get the secret ARN, never a key', () => {
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x' } });
    expect(Object.keys(functions)).toHaveLength(3);
    const common = [
      'EVENT_BUS_NAME',
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
    // Only finalize registers tables, so only it names the Glue database; sync-steps share the search rate.
    expect(variableNames.sort()).toEqual(
      [common, ['GLUE_DATABASE', ...common].sort(), [...common, 'PARALLEL_OBJECTS'].sort()].sort(),
    );
    const syncStep = Object.values(functions).find((fn) => fn.Properties.Environment.Variables.PARALLEL_OBJECTS);
    expect(syncStep?.Properties.Environment.Variables.PARALLEL_OBJECTS).toBe('4');
    expect(JSON.stringify(template.toJSON())).not.toMatch(/pat-[a-z]{2}\d-/);
  });

  it('gives sync-step 15 minutes, 2 GiB and 4 GiB of /tmp for spools', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 900,
      MemorySize: 2048,
      EphemeralStorage: { Size: 4096 },
    });
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

  it('orchestrates plan -> Map of looping sync-steps -> finalize, and finalizes after a failed Map', () => {
    const definition = stateMachineDefinition(template);
    const states = definition.States;
    expect([
      definition.StartAt,
      states.Start.Next,
      states.Plan.Next,
      states.SyncObjects.Next,
      states.Finalize.End,
    ]).toEqual(['Start', 'Plan', 'SyncObjects', 'Finalize', true]);
    // Plan reads the execution's own input (the states before it add fields) and the execution that names the run.
    expect(states.Plan.Parameters).toEqual({
      'input.$': '$$.Execution.Input',
      execution: { 'id.$': '$$.Execution.Id', 'startTime.$': '$$.Execution.StartTime' },
    });
    expect(states.Finalize.Parameters).toEqual({ 'runId.$': '$.plan.runId', 'results.$': '$.results' });
    expect(states.SyncObjects.MaxConcurrency).toBe(4);
    expect(states.SyncObjects.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.mapError', Next: 'FinalizeAfterFailure' },
    ]);
    expect(states.FinalizeAfterFailure.Parameters['results.$']).toBe('$.noResults');
    expect(states.FinalizeAfterFailure.Next).toBe('RunFailed');

    const loop = states.SyncObjects.ItemProcessor;
    expect(loop.StartAt).toBe('SyncStep');
    expect(loop.States.SyncStep.Next).toBe('ObjectFinished?');
    expect(loop.States.SyncStep.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ObjectFailed' },
    ]);
    expect(loop.States.SyncStep.Retry.at(-1).ErrorEquals).toEqual(['States.ALL']);
    expect(loop.States['ObjectFinished?']).toMatchObject({
      Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'ObjectDone' }],
      Default: 'SyncStep',
    });
    expect(loop.States.ObjectDone.Parameters).toEqual({
      'object.$': '$.item.object',
      'rows.$': '$.rows',
      'failure.$': '$.failure',
    });
    expect(
      states.Plan.Retry.map((r: { ErrorEquals: string[]; MaxAttempts: number }) => [r.ErrorEquals[0], r.MaxAttempts]),
    ).toEqual([
      ['Lambda.ClientExecutionTimeoutException', 4],
      ['InvalidInputError', 0],
      ['States.ALL', 3],
    ]);
  });

  it('finalizes an execution that stopped, timed out or failed, 16 minutes after its status event', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['ABORTED', 'TIMED_OUT', 'FAILED'], stateMachineArn: [Match.anyValue()] },
      },
      Targets: [
        Match.objectLike({
          InputTransformer: {
            InputPathsMap: {
              'detail-executionArn': '$.detail.executionArn',
              'detail-startDate': '$.detail.startDate',
              'detail-status': '$.detail.status',
            },
            InputTemplate:
              '{"execution":{"id":<detail-executionArn>,"startTime":<detail-startDate>,"status":<detail-status>}}',
          },
          RetryPolicy: { MaximumRetryAttempts: 8 },
        }),
      ],
    });
    // Past the longest Lambda timeout: a stop does not end the invocations the execution had started.
    const delayed = stateMachineDefinition(template, 'WaitForStartedLambdas');
    expect(delayed.States.WaitForStartedLambdas).toEqual({ Type: 'Wait', Seconds: 960, Next: 'FinalizeStopped' });
    expect(delayed.States.FinalizeStopped.Resource).toBe('arn:aws:lambda:eu-west-1:123456789012:function:x');
    expect(delayed.States.FinalizeStopped.Retry.at(-1).ErrorEquals).toEqual(['States.ALL']);
  });

  it('schedules a nightly full run and an hourly incremental run with validated input', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      Target: Match.objectLike({ Input: JSON.stringify({ mode: 'full', objects: 'all' }) }),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 * * * ? *)',
      Target: Match.objectLike({ Input: JSON.stringify({ mode: 'incremental', objects: 'all' }) }),
    });
  });

  it('starts a run for each Backfill Requested event, with the event detail as input', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['hubspot-s3-sync'], 'detail-type': ['Backfill Requested'] },
      Targets: [Match.objectLike({ InputPath: '$.detail' })],
    });
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

  it('refuses a schedule with bad run input at synth time', () => {
    expect(() =>
      synth({ schedules: { Bad: { expression: 'rate(1 hour)', input: { mode: 'sideways' } as never } } }),
    ).toThrow('invalid run input: mode: must be one of full, incremental, backfill, not "sideways"');
  });
});

describe('Construct: Monitoring', () => {
  it('alarms when no full run has published anything for 26 hours', () => {
    synth().hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'HubSpotS3Sync',
      MetricName: 'DatasetsCompleted',
      Dimensions: [{ Name: 'Mode', Value: 'full' }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 26,
      DatapointsToAlarm: 26,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('alarms when a stopped run could not be finalized, and when incremental runs skip objects for 12 hours', () => {
    const template = synth();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Namespace: 'AWS/States',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: Match.stringLikeRegexp('FinalizeStoppedRun') } }],
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'HubSpotS3Sync',
      MetricName: 'DatasetsSkipped',
      Dimensions: [{ Name: 'Mode', Value: 'incremental' }],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 12,
      DatapointsToAlarm: 12,
      TreatMissingData: 'notBreaching',
    });
  });

  it('has no freshness alarm when no schedule runs full snapshots, unless asked for one', () => {
    const incrementalOnly = { Hourly: { expression: 'rate(1 hour)', input: { mode: 'incremental', objects: 'all' } } };
    const count = (template: Template) =>
      Object.keys(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'DatasetsCompleted' } }))
        .length;
    expect(count(synth({ schedules: incrementalOnly as never }))).toBe(0);
    expect(count(synth({ schedules: incrementalOnly as never, fullRunWithinHours: 168 }))).toBe(1);
    expect(() => synth({ fullRunWithinHours: 200 })).toThrow(
      'fullRunWithinHours must be a whole number of hours from 1 to 168, got 200',
    );
  });
});

describe('Construct: Catalog', () => {
  const finalizeVariables = (template: Template) =>
    Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x' } }))
      .map((fn) => fn.Properties.Environment.Variables)
      .filter((variables) => variables.GLUE_DATABASE !== undefined);

  it('creates the hubspot Glue database, kept when the stack goes, and lets finalize register tables in it only', () => {
    const template = synth();
    template.hasResource('AWS::Glue::Database', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResourceProperties('AWS::Glue::Database', {
      CatalogId: '123456789012',
      DatabaseInput: Match.objectLike({ Name: 'hubspot' }),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['glue:GetTable', 'glue:CreateTable', 'glue:UpdateTable', 'glue:BatchCreatePartition'],
            Resource: [
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':glue:eu-west-1:123456789012:catalog']] },
              {
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':glue:eu-west-1:123456789012:database/hubspot']],
              },
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':glue:eu-west-1:123456789012:table/hubspot/*']] },
            ],
          }),
        ]),
      },
    });
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

  it('refuses a database name or table prefix Glue would not keep as given', () => {
    expect(() => synth({ catalog: { databaseName: 'HubSpot-CRM' } })).toThrow(
      'Glue database name "HubSpot-CRM" may hold only a-z, 0-9 and _',
    );
    expect(() => synth({ catalog: { databaseName: 'hubspot', tablePrefix: 'hub spot' } })).toThrow(
      'Glue table prefix "hub spot" may hold only a-z, 0-9 and _',
    );
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
