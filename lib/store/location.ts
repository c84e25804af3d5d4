/** Output locations: an S3 prefix or a local folder, told apart here once for every driver. */
import { InvalidKeyError } from './errors';
import { assertKey } from './keys';

/** `scheme://` at the start: a URL, never a folder name (`http://x/y` is no folder `./http:/x/y`). */
export const LOCATION_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** The S3 bucket naming rules this project checks, in order: a name must pass each `test`. */
export const BUCKET_RULES = [
  {
    test: (name: string) => /^[a-z0-9.-]{3,63}$/.test(name),
    rule: 'use 3-63 lowercase letters, digits, dots and hyphens',
  },
  { test: (name: string) => /^[a-z0-9].*[a-z0-9]$/.test(name), rule: 'start and end it with a letter or digit' },
  { test: (name: string) => !name.includes('..'), rule: 'put no two dots next to each other' },
  { test: (name: string) => !/^\d+\.\d+\.\d+\.\d+$/.test(name), rule: 'do not write it as an IP address' },
] as const;

export type OutputLocation = { kind: 's3'; bucket: string; prefix: string } | { kind: 'local'; path: string };

const quote = (text: string) => JSON.stringify(text);

/**
 * `s3://bucket/some/prefix/` -> { bucket, prefix: 'some/prefix' }; throws InvalidKeyError naming what is wrong.
 * @example parseS3Location('s3://my-lake/hubspot') // { bucket: 'my-lake', prefix: 'hubspot' }
 */
export function parseS3Location(location: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]*)\/?(.*)$/.exec(location);
  if (!match) throw new InvalidKeyError(`${quote(location)} is not an S3 location: use s3://bucket/prefix`);
  const [, bucket, rest] = match;
  if (bucket === '') throw new InvalidKeyError(`${quote(location)} names no bucket: use s3://bucket/prefix`);
  const broken = BUCKET_RULES.find(({ test }) => !test(bucket));
  if (broken) throw new InvalidKeyError(`${quote(bucket)} is not an S3 bucket name: ${broken.rule}`);
  const prefix = rest.replace(/\/+$/, '');
  try {
    if (prefix !== '') assertKey(prefix);
  } catch (error) {
    throw new InvalidKeyError(
      `${quote(location)} has a bad prefix ${quote(prefix)}: use '/'-separated names, none empty, "." or ".."`,
      { cause: error },
    );
  }
  return { bucket, prefix };
}

/**
 * `s3://...` -> an S3 location; any other `scheme://` is refused; anything else is a local folder.
 * @example parseLocation('./hubspot-data') // { kind: 'local', path: './hubspot-data' }
 */
export function parseLocation(location: string): OutputLocation {
  const scheme = LOCATION_SCHEME.exec(location)?.[1];
  if (scheme === undefined) return { kind: 'local', path: location };
  if (scheme !== 's3') {
    throw new InvalidKeyError(
      `${quote(location)} is neither a folder nor an s3:// location: ${scheme}:// is not supported`,
    );
  }
  return { kind: 's3', ...parseS3Location(location) };
}
