/** Opens the storage target a location names: an S3 prefix or a local folder. */
import { S3Client } from '@aws-sdk/client-s3';
import { LocalTarget } from './local-target';
import { parseLocation } from './location';
import { S3Target } from './s3-target';
import type { StorageTarget } from './target';

export interface OpenTargetOptions {
  /** Ready S3 client (tests pass one pointed at s3rver). */
  s3Client?: S3Client;
  /** Environment read for the endpoint override; default process.env. */
  env?: Record<string, string | undefined>;
}

/**
 * `s3://bucket/prefix` -> S3 target; another `scheme://` -> InvalidKeyError; anything else -> local folder
 * (created lazily: opening creates nothing).
 * The default S3 client takes its endpoint from the SDK's own AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL / config
 * and uses path-style addressing when such an endpoint is set.
 * @example const target = openTarget('s3://my-bucket/hubspot'); await target.list('_latest/');
 */
export function openTarget(location: string, options: OpenTargetOptions = {}): StorageTarget {
  const parsed = parseLocation(location);
  if (parsed.kind === 's3') {
    const { bucket, prefix } = parsed;
    const env = options.env ?? process.env;
    const hasEndpoint = Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
    const client = options.s3Client ?? new S3Client(hasEndpoint ? { forcePathStyle: true } : {});
    return new S3Target({ location, bucket, prefix, client });
  }
  return new LocalTarget(location);
}
