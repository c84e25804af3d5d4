/** Where output goes: a local folder or an S3 prefix, behind one small interface. */
import { S3Client } from '@aws-sdk/client-s3';
import { LocalTarget } from './local-target';
import { parseLocation } from './location';
import { S3Target } from './s3-target';

export { ObjectChangedError, ObjectExistsError, InvalidKeyError, StoreError } from './errors';

export interface StoredObject {
  /** Relative to the target root. */
  key: string;
  size: number;
}

export interface PutOptions {
  contentType?: string;
}

/** Conditions of a small-object write: create only, or replace only the version read before (compare-and-swap). */
export interface PutCondition {
  /** Throw ObjectExistsError instead of overwriting. */
  ifAbsent?: boolean;
  /** Write only if the object still has this tag (from getTagged); else ObjectChangedError. */
  ifMatch?: string;
}

/** An object's bytes and the tag that identifies this version of it (S3: its ETag). */
export interface TaggedObject {
  body: Buffer;
  tag: string;
}

export interface StorageTarget {
  /** As given: absolute folder path, or s3://bucket/prefix. */
  readonly location: string;
  /** What manifests record: absolute file path for local, s3://bucket/prefix/key for S3. */
  url(key: string): string;
  /** Uploads a local file (S3: multipart streaming with a bounded queue, aborted on failure). */
  putFile(key: string, localPath: string, options?: PutOptions): Promise<{ bytes: number }>;
  /** Writes a small object, unconditionally or under `PutCondition`. */
  putObject(key: string, body: string | Buffer, options?: PutOptions & PutCondition): Promise<void>;
  /** The object's bytes, or undefined when absent. */
  getObject(key: string): Promise<Buffer | undefined>;
  /** The object's bytes and version tag (for a later `ifMatch` write), or undefined when absent. */
  getTagged(key: string): Promise<TaggedObject | undefined>;
  exists(key: string): Promise<boolean>;
  /** Objects whose key starts with `prefix`, keys relative to the root, recursive, sorted. */
  list(prefix: string): Promise<StoredObject[]>;
  /** Deletes the object; absent objects are fine. */
  deleteObject(key: string): Promise<void>;
}

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
