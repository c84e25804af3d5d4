import { parseRunOptions } from '../../../lib/cli/options';
import { InvalidInputError } from '../../../lib/sync/run-input';

const NOW = new Date('2026-05-01T12:00:00.000Z');

describe('Function: parseRunOptions', () => {
  it('turns option strings into settings and a run input in UTC', () => {
    const options = parseRunOptions(
      {
        out: 's3://lake/hubspot',
        mode: 'backfill',
        objects: 'deals, tickets',
        since: '2026-01-01',
        until: '2026-02-01T10:30+01:00',
        hubspotUrl: 'http://127.0.0.1:8080',
        concurrency: '16',
        objectParallelism: '4',
        apiVersion: '2026-03',
        partRows: '5000',
      },
      NOW,
    );
    expect(options).toEqual({
      out: 's3://lake/hubspot',
      hubspotUrl: 'http://127.0.0.1:8080',
      json: false,
      concurrency: 16,
      objectParallelism: 4,
      apiVersion: '2026-03',
      partRows: 5000,
      input: {
        mode: 'backfill',
        objects: ['deals', 'tickets'],
        since: '2026-01-01T00:00:00.000Z',
        until: '2026-02-01T09:30:00.000Z',
      },
    });
  });

  it('takes the archived-list hours as whole hours, 0 meaning every run', () => {
    const options = parseRunOptions({ out: 'x', listArchivedEvery: '0', listArchivedAtMostEvery: '6' }, NOW);
    expect([options.listArchivedEvery, options.listArchivedAtMostEvery]).toEqual([0, 6]);
  });

  it('takes secret names and ARNs as --secret-id, and a key given there is refused without being repeated', () => {
    for (const secretId of [
      'hubspot/service-key',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pat-na1-prod-AbCdEf',
    ]) {
      expect(parseRunOptions({ out: 'x', secretId }, NOW).secretId).toBe(secretId);
    }
    const key = 'pat-eu1-0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f';
    expect(() => parseRunOptions({ out: 'x', secretId: key }, NOW)).toThrow(InvalidInputError);
    expect(() => parseRunOptions({ out: 'x', secretId: key }, NOW)).not.toThrow(key);
  });

  it('defaults to a full run of every object, four at a time, whole, on the newest API version', () => {
    expect(parseRunOptions({ out: './hubspot-data' }, NOW)).toEqual({
      out: './hubspot-data',
      json: false,
      concurrency: 4,
      objectParallelism: 1,
      apiVersion: '2026-09',
      input: { mode: 'full', objects: 'all' },
    });
  });

  it.each([
    [{ out: 'gs://lake' }, '--out: "gs://lake" is neither a folder nor an s3:// location: gs:// is not supported'],
    [{ out: 's3://a' }, '--out: "a" is not an S3 bucket name: use 3-63 lowercase letters, digits, dots and hyphens'],
    [{}, '--out: is required (a folder or s3://bucket/prefix)'],
    [
      { out: 'x', hubspotUrl: 'https:/api.hubapi.com' },
      '--hubspot-url: must be an http:// or https:// URL, not "https:/api.hubapi.com"',
    ],
    [
      { out: 'x', mode: 'incremental', since: '2026-05-01T12:00:00Z' },
      '--since: 2026-05-01T12:00:00.000Z is not before now (2026-05-01T12:00:00.000Z): nothing to export',
    ],
    [{ out: 'x', partRows: '0' }, '--part-rows: must be a whole number of at least 1, not "0"'],
    [{ out: 'x', objectParallelism: '101' }, '--object-parallelism: must be a whole number from 1 to 100, not "101"'],
    [{ out: 'x', listArchivedEvery: '1.5' }, '--list-archived-every: must be a whole number from 0 to 720, not "1.5"'],
    [
      { out: 'x', listArchivedAtMostEvery: '721' },
      '--list-archived-at-most-every: must be a whole number from 0 to 720, not "721"',
    ],
    [{ out: 'x', apiVersion: 'v4' }, '--api-version: must be one of v3, 2025-09, 2026-03, 2026-09, not "v4"'],
    [
      { out: 'x', secretId: 'pat-na1-0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f' },
      '--secret-id: looks like a HubSpot service key itself: give the name or ARN of the Secrets Manager secret that holds it',
    ],
  ])('refuses %j naming the option', (raw, message) => {
    expect(() => parseRunOptions(raw, NOW)).toThrow(InvalidInputError);
    expect(() => parseRunOptions(raw, NOW)).toThrow(`invalid options: ${message}`);
  });
});
