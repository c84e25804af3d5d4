import { S3Client } from '@aws-sdk/client-s3';
import { InvalidKeyError } from '../../../lib/store/errors';
import { LocalTarget } from '../../../lib/store/local-target';
import { S3Target } from '../../../lib/store/s3-target';
import { openTarget } from '../../../lib/store/open-target';

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

  it('opens a local target for a folder', () => {
    expect(openTarget('./hubspot-data')).toBeInstanceOf(LocalTarget);
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

  it('refuses a URL of another scheme instead of taking it for a folder', () => {
    expect(() => openTarget('http://x/y')).toThrow(InvalidKeyError);
    expect(() => openTarget('http://x/y')).toThrow(
      '"http://x/y" is neither a folder nor an s3:// location: http:// is not supported',
    );
  });
});
