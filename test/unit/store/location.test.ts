import { InvalidKeyError } from '../../../lib/store/errors';
import { parseLocation, parseS3Location } from '../../../lib/store/location';

describe('Function: parseS3Location', () => {
  it.each([
    ['s3://bucket', { bucket: 'bucket', prefix: '' }],
    ['s3://bucket/', { bucket: 'bucket', prefix: '' }],
    ['s3://my.bucket-1/hubspot/prod/', { bucket: 'my.bucket-1', prefix: 'hubspot/prod' }],
    ['s3://abc', { bucket: 'abc', prefix: '' }],
    [`s3://${'a'.repeat(63)}/x`, { bucket: 'a'.repeat(63), prefix: 'x' }],
  ])('parses %s', (location, expected) => {
    expect(parseS3Location(location)).toEqual(expected);
  });

  const naming = (bucket: string, rule: string) => `"${bucket}" is not an S3 bucket name: ${rule}`;
  const CHARS = 'use 3-63 lowercase letters, digits, dots and hyphens';
  it.each([
    ['s3://', '"s3://" names no bucket: use s3://bucket/prefix'],
    ['s3:///hubspot', '"s3:///hubspot" names no bucket: use s3://bucket/prefix'],
    ['s3://Bad_Bucket', naming('Bad_Bucket', CHARS)],
    ['s3://Bad_Bucket/x', naming('Bad_Bucket', CHARS)],
    ['s3://ab', naming('ab', CHARS)],
    [`s3://${'a'.repeat(64)}`, naming('a'.repeat(64), CHARS)],
    ['s3://-bucket', naming('-bucket', 'start and end it with a letter or digit')],
    ['s3://bucket.', naming('bucket.', 'start and end it with a letter or digit')],
    ['s3://my..bucket', naming('my..bucket', 'put no two dots next to each other')],
    ['s3://192.168.5.4', naming('192.168.5.4', 'do not write it as an IP address')],
    [
      's3://bucket/a/../b',
      `"s3://bucket/a/../b" has a bad prefix "a/../b": use '/'-separated names, none empty, "." or ".."`,
    ],
    [
      's3://bucket/a//b',
      `"s3://bucket/a//b" has a bad prefix "a//b": use '/'-separated names, none empty, "." or ".."`,
    ],
    ['https://bucket', '"https://bucket" is not an S3 location: use s3://bucket/prefix'],
  ])('rejects %s: %s', (location, message) => {
    expect(() => parseS3Location(location)).toThrow(InvalidKeyError);
    expect(() => parseS3Location(location)).toThrow(message);
  });
});

describe('Function: parseLocation', () => {
  it.each([
    ['s3://lake/hubspot', { kind: 's3', bucket: 'lake', prefix: 'hubspot' }],
    ['./hubspot-data', { kind: 'local', path: './hubspot-data' }],
    ['/data/s3:/lake', { kind: 'local', path: '/data/s3:/lake' }],
    ['C:\\data', { kind: 'local', path: 'C:\\data' }],
  ])('reads %s as %j', (location, expected) => {
    expect(parseLocation(location)).toEqual(expected);
  });

  it.each([
    ['http://x/y', 'http://'],
    ['file:///tmp/out', 'file://'],
    ['S3://lake', 'S3://'],
    ['gs://lake', 'gs://'],
  ])('refuses %s, a URL of a scheme it does not write to', (location, scheme) => {
    expect(() => parseLocation(location)).toThrow(
      `"${location}" is neither a folder nor an s3:// location: ${scheme} is not supported`,
    );
  });
});
