import type { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { readFunctionConfig } from '../../../functions/env';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { duckdbMemoryFor, emfMetricsPublisher, eventBridgePublisher } from '../../../functions/runtime';
import { completionEvent } from '../../../lib/sync/events';
import type { ObjectOutcome } from '../../../lib/sync/types';

describe('Function: readFunctionConfig', () => {
  it('builds the output location from the bucket and prefix', () => {
    expect(
      readFunctionConfig({ OUTPUT_BUCKET: 'lake', OUTPUT_PREFIX: 'hubspot', SERVICE_KEY_SECRET_ID: 'arn:secret' }),
    ).toEqual({
      location: 's3://lake/hubspot',
      secretId: 'arn:secret',
      hubspotUrl: undefined,
      eventBusName: 'default',
      glueDatabase: undefined,
      glueTablePrefix: undefined,
      parallelObjects: 1,
    });
  });

  it('reads how many objects sync-step shares the search rate with', () => {
    const env = { OUTPUT_BUCKET: 'lake', SERVICE_KEY_SECRET_ID: 'arn:secret' };
    expect(readFunctionConfig({ ...env, PARALLEL_OBJECTS: '4' }).parallelObjects).toBe(4);
  });

  it('reads the slices per object the stack names for plan, and the API version of every function', () => {
    const env = { OUTPUT_BUCKET: 'lake', SERVICE_KEY_SECRET_ID: 'arn:secret' };
    expect(readFunctionConfig({ ...env, OBJECT_PARALLELISM: '4', HUBSPOT_API_VERSION: '2026-03' })).toMatchObject({
      objectParallelism: 4,
      apiVersion: '2026-03',
    });
  });

  it('reads the archived-list hours the stack names for plan, and leaves the engine defaults otherwise', () => {
    const env = { OUTPUT_BUCKET: 'lake', SERVICE_KEY_SECRET_ID: 'arn:secret' };
    expect(
      readFunctionConfig({ ...env, LIST_ARCHIVED_EVERY_HOURS: '12', LIST_ARCHIVED_AT_MOST_EVERY_HOURS: '0' }),
    ).toMatchObject({ listArchivedEveryHours: 12, listArchivedAtMostEveryHours: 0 });
    const config = readFunctionConfig(env);
    expect([config.listArchivedEveryHours, config.listArchivedAtMostEveryHours]).toEqual([undefined, undefined]);
  });

  it('reads the association pairs the stack names for plan', () => {
    const env = { OUTPUT_BUCKET: 'lake', SERVICE_KEY_SECRET_ID: 'arn:secret' };
    expect(readFunctionConfig({ ...env, ASSOCIATION_PAIRS: 'calls:contacts' }).associationPairs).toEqual([
      ['calls', 'contacts'],
    ]);
    expect(readFunctionConfig(env).associationPairs).toBeUndefined();
  });

  it('reads the Glue database and table prefix the stack sets on finalize', () => {
    const env = { OUTPUT_BUCKET: 'lake', SERVICE_KEY_SECRET_ID: 'arn:secret', GLUE_DATABASE: 'hubspot' };
    expect(readFunctionConfig({ ...env, GLUE_TABLE_PREFIX: 'hs_' })).toMatchObject({
      location: 's3://lake',
      glueDatabase: 'hubspot',
      glueTablePrefix: 'hs_',
    });
  });

  it.each([
    [
      { OUTPUT_BUCKET: 'Bad_Bucket' },
      'environment variables OUTPUT_BUCKET and OUTPUT_PREFIX: "Bad_Bucket" is not an S3 bucket name',
    ],
    [
      { HUBSPOT_API_URL: 'ftp://hubspot' },
      'environment variable HUBSPOT_API_URL must be an http:// or https:// URL, not "ftp://hubspot"',
    ],
    [{ PARALLEL_OBJECTS: '0' }, 'environment variable PARALLEL_OBJECTS must be a whole number from 1, not "0"'],
    [{ ASSOCIATION_PAIRS: 'calls' }, 'environment variable ASSOCIATION_PAIRS must be object pairs from:to'],
    [
      { LIST_ARCHIVED_EVERY_HOURS: '-1' },
      'environment variable LIST_ARCHIVED_EVERY_HOURS must be a whole number of hours from 0 to 720, not "-1"',
    ],
    [
      { OBJECT_PARALLELISM: 'four' },
      'environment variable OBJECT_PARALLELISM must be a whole number from 1, not "four"',
    ],
    [
      { HUBSPOT_API_VERSION: '2024-01' },
      'environment variable HUBSPOT_API_VERSION: API version "2024-01" is not supported',
    ],
    [
      { HUBSPOT_API_URL: 'not a url' },
      'environment variable HUBSPOT_API_URL must be an http:// or https:// URL, not "not a url"',
    ],
  ])('refuses a misconfigured %j naming the variable', (bad, message) => {
    const env = { OUTPUT_BUCKET: 'lake', SERVICE_KEY_SECRET_ID: 'arn:secret', ...bad };
    expect(() => readFunctionConfig(env)).toThrow(message);
  });

  it('names the missing variable', () => {
    expect(() => readFunctionConfig({ OUTPUT_BUCKET: 'lake' })).toThrow(
      'environment variable SERVICE_KEY_SECRET_ID is not set',
    );
  });
});

describe('Function: eventBridgePublisher', () => {
  const outcome = (object: string): ObjectOutcome => ({
    object,
    dataset: object,
    status: 'completed',
    mode: 'full',
    rows: 3,
    files: 1,
    bytes: 10,
    unparsed: 0,
    requests: 2,
    retries: 0,
    seconds: 1,
    manifestUrl: `s3://lake/_manifests/${object}/r.json`,
  });

  // EventBridge cannot run here: a recorder stands in for the client, through the publisher's own door.
  const recorder = (failed = 0) => {
    const sent: PutEventsCommand[] = [];
    return { sent, send: async (c: PutEventsCommand) => (sent.push(c), { FailedEntryCount: failed }) };
  };

  it('sends ten events per call with the contract detail', async () => {
    const client = recorder();
    const events = Array.from({ length: 12 }, (_, i) => completionEvent(outcome(`o${i}`), 'r1', '2026-11-29'));
    await eventBridgePublisher(client as never, 'default')(events);
    expect(client.sent.map((c) => c.input.Entries!.length)).toEqual([10, 2]);
    expect(client.sent[0].input.Entries![0]).toEqual({
      Source: 'hubspot-s3-sync',
      DetailType: 'Snapshot Completed',
      EventBusName: 'default',
      Detail: JSON.stringify({
        object: 'o0',
        dataset: 'o0',
        runId: 'r1',
        mode: 'full',
        snapshotDate: '2026-11-29',
        rows: 3,
        files: 1,
        bytes: 10,
        manifestUrl: 's3://lake/_manifests/o0/r.json',
      }),
    });
  });

  it('names the Glue table of a dataset the catalog took', async () => {
    const client = recorder();
    const registered = { ...outcome('deals'), catalogTable: 'hubspot.deals' };
    await eventBridgePublisher(client as never, 'default')([completionEvent(registered, 'r1', '2026-11-29')]);
    expect(JSON.parse(client.sent[0].input.Entries![0].Detail!)).toMatchObject({
      object: 'deals',
      catalogTable: 'hubspot.deals',
    });
  });

  it('fails when EventBridge rejects an entry', async () => {
    await expect(
      eventBridgePublisher(recorder(1) as never, 'default')([completionEvent(outcome('x'), 'r', 'd')]),
    ).rejects.toThrow('EventBridge rejected 1 completion event(s)');
  });
});

describe('Function: duckdbMemoryFor', () => {
  it.each([
    ['2048', '1024MB'],
    ['3008', '1804MB'],
    ['10240', '6144MB'],
    ['1024', '256MB'],
    ['128', '256MB'],
    [undefined, '1024MB'],
  ])('gives DuckDB 60%% of %s MiB with 1 GiB left over, 256 MB at least', (memory, limit) => {
    expect(duckdbMemoryFor({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: memory })).toBe(limit);
  });
});

describe('Function: emfMetricsPublisher', () => {
  it("writes one EMF document per dimension set to stdout, with exactly the points' dimensions", () => {
    // Prepare: EMF goes to stdout, where Lambda hands it to CloudWatch; capture those lines.
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      // Act
      emfMetricsPublisher(new Metrics({ namespace: 'HubSpotS3Sync', serviceName: 'hubspot-s3-sync' }))([
        { name: 'RowsExported', unit: 'Count', value: 50, dimensions: { Mode: 'full' } },
        { name: 'BytesWritten', unit: 'Bytes', value: 6000, dimensions: { Mode: 'full' } },
        { name: 'DatasetRows', unit: 'Count', value: 40, dimensions: { Dataset: 'contacts', Mode: 'full' } },
      ]);
    } finally {
      write.mockRestore();
    }

    // Assess
    const documents = lines.map((line) => JSON.parse(line));
    expect(documents.map(({ _aws, ...values }) => ({ ...values, directive: _aws.CloudWatchMetrics }))).toEqual([
      {
        Mode: 'full',
        RowsExported: 50,
        BytesWritten: 6000,
        directive: [
          {
            Namespace: 'HubSpotS3Sync',
            Dimensions: [['Mode']],
            Metrics: [
              { Name: 'RowsExported', Unit: 'Count' },
              { Name: 'BytesWritten', Unit: 'Bytes' },
            ],
          },
        ],
      },
      {
        Dataset: 'contacts',
        Mode: 'full',
        DatasetRows: 40,
        directive: [
          {
            Namespace: 'HubSpotS3Sync',
            Dimensions: [['Dataset', 'Mode']],
            Metrics: [{ Name: 'DatasetRows', Unit: 'Count' }],
          },
        ],
      },
    ]);
  });
});
