import { S3Client } from '@aws-sdk/client-s3';
import { InvalidKeyError } from '../../../lib/store/errors';
import { parseS3Location, S3Target } from '../../../lib/store/s3-target';
import { openTarget } from '../../../lib/store/target';

describe('Function: parseS3Location', () => {
  it.each([
    ['s3://bucket', { bucket: 'bucket', prefix: '' }],
    ['s3://bucket/', { bucket: 'bucket', prefix: '' }],
    ['s3://my.bucket-1/hubspot/prod/', { bucket: 'my.bucket-1', prefix: 'hubspot/prod' }],
  ])('parses %s', (location, expected) => {
    expect(parseS3Location(location)).toEqual(expected);
  });

  it.each(['s3://', 's3://Bad_Bucket/x', 's3://bucket/a/../b', 's3://bucket/a//b'])('rejects %s', (location) => {
    expect(() => parseS3Location(location)).toThrow(InvalidKeyError);
  });
});

describe('Function: openTarget', () => {
  it('opens an S3 target that records s3:// urls under its prefix', () => {
    const client = new S3Client({ region: 'us-east-1' });
    const target = openTarget('s3://bucket/root/', { s3Client: client });
    expect(target).toBeInstanceOf(S3Target);
    expect(target.location).toBe('s3://bucket/root/');
    expect(target.url('_latest/contacts.json')).toBe('s3://bucket/root/_latest/contacts.json');
    expect(openTarget('s3://bucket', { s3Client: client }).url('a/b')).toBe('s3://bucket/a/b');
    client.destroy();
  });

  it.each([
    [{ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000' }, true],
    [{ AWS_ENDPOINT_URL: 'http://127.0.0.1:9000' }, true],
    [{}, false],
  ])('uses path-style addressing when env is %j', async (env, pathStyle) => {
    const target = openTarget('s3://bucket/x', { env: { AWS_REGION: 'us-east-1', ...env } }) as S3Target;
    const client = (target as unknown as { client: S3Client }).client;
    expect(await client.config.forcePathStyle).toBe(pathStyle);
    client.destroy();
  });
});
