/** An S3 bucket prefix as a storage target. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { awsErrorName, ObjectChangedError, ObjectExistsError, S3RequestError } from './errors';
import { assertKey, assertPrefix } from './keys';
import type { PutCondition, PutOptions, StorageTarget, StoredObject, TaggedObject } from './target';

/** Multipart settings: 8 MiB parts, 4 in flight -> at most ~32 MiB buffered per upload. */
export const S3_UPLOAD = { partSize: 8 * 1024 * 1024, queueSize: 4 } as const;

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

export interface S3TargetOptions {
  location: string;
  bucket: string;
  /** Root prefix without trailing '/', '' for the bucket root. */
  prefix: string;
  client: S3Client;
}

/** S3 refusals a retry cannot fix: the bucket, the credentials or the policy must change first. */
const FINAL_S3_ERRORS: ReadonlySet<string> = new Set([
  'AccessDenied',
  'NoSuchBucket',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AllAccessDisabled',
  'InvalidBucketName',
]);

/** Tails of the conditional writes in flight in this process, by bucket and key (see `putObject`). */
const conditionalWrites = new Map<string, Promise<unknown>>();

/**
 * Runs `write` after the conditional writes of `id` this process started before it. Real S3 decides a condition
 * atomically, but an emulator that ignores it leaves only our check before the write; in one process (the tests, the
 * chaos matrix) this makes that check and the write one step, as the local target's lock file does.
 */
async function inTurn<T>(id: string, write: () => Promise<T>): Promise<T> {
  const before = conditionalWrites.get(id) ?? Promise.resolve();
  const mine = before.then(write, write);
  const tail = mine.catch(() => undefined);
  conditionalWrites.set(id, tail);
  try {
    return await mine;
  } finally {
    if (conditionalWrites.get(id) === tail) conditionalWrites.delete(id);
  }
}

export class S3Target implements StorageTarget {
  readonly location: string;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly client: S3Client;

  constructor(options: S3TargetOptions) {
    this.location = options.location;
    this.bucket = options.bucket;
    this.prefix = options.prefix;
    this.client = options.client;
  }

  private fullKey(key: string): string {
    assertKey(key);
    return this.prefix === '' ? key : `${this.prefix}/${key}`;
  }

  url(key: string): string {
    return `s3://${this.bucket}/${this.fullKey(key)}`;
  }

  /** An SDK failure the target does not handle itself, named by request and object (s3://bucket/key). */
  private failure(error: unknown, request: string, url: string): S3RequestError {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const retryable = !FINAL_S3_ERRORS.has(awsErrorName(error) ?? '');
    return new S3RequestError(`S3 ${request} ${url} failed (${reason})`, { cause: error, retryable });
  }

  async putFile(key: string, localPath: string, options: PutOptions = {}): Promise<{ bytes: number }> {
    const { size } = await stat(localPath);
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: this.fullKey(key),
        Body: createReadStream(localPath),
        ContentType: options.contentType,
      },
      partSize: S3_UPLOAD.partSize,
      queueSize: S3_UPLOAD.queueSize,
      // Failed multipart uploads are aborted, leaving no orphan parts.
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      throw this.failure(error, 'upload of', this.url(key));
    }
    return { bytes: size };
  }

  async putObject(key: string, body: string | Buffer, options: PutOptions & PutCondition = {}): Promise<void> {
    if (!options.ifAbsent && options.ifMatch === undefined) return this.put(key, body, options);
    return inTurn(`${this.bucket}/${this.fullKey(key)}`, () => this.put(key, body, options));
  }

  private async put(key: string, body: string | Buffer, options: PutOptions & PutCondition): Promise<void> {
    const Key = this.fullKey(key);
    // Real S3 honours If-None-Match and If-Match atomically; emulators (s3rver) ignore them, so check first as well.
    if (options.ifAbsent && (await this.exists(key))) throw new ObjectExistsError(key);
    if (options.ifMatch !== undefined && (await this.tagOf(key)) !== options.ifMatch) {
      throw new ObjectChangedError(key);
    }
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: body,
          ContentType: options.contentType,
          IfNoneMatch: options.ifAbsent ? '*' : undefined,
          IfMatch: options.ifMatch,
        }),
      );
    } catch (error) {
      // 412: the condition failed. For a swap, 409 (a concurrent conditional write) and 404 (the object went) also
      // mean "read it again"; for a create, 409 may still end either way, so it stays an error to retry.
      const status = statusOf(error);
      const failed = status === 412 || awsErrorName(error) === 'PreconditionFailed';
      if (failed && options.ifAbsent) throw new ObjectExistsError(key, { cause: error });
      if ((failed || status === 409 || status === 404) && options.ifMatch !== undefined) {
        throw new ObjectChangedError(key, { cause: error });
      }
      throw this.failure(error, 'PutObject', this.url(key));
    }
  }

  async getObject(key: string): Promise<Buffer | undefined> {
    return (await this.getTagged(key))?.body;
  }

  async getTagged(key: string): Promise<TaggedObject | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
      const body = response.Body ? Buffer.from(await response.Body.transformToByteArray()) : Buffer.alloc(0);
      return { body, tag: response.ETag ?? '' };
    } catch (error) {
      if (awsErrorName(error) === 'NoSuchKey' || statusOf(error) === 404) return undefined;
      throw this.failure(error, 'GetObject', this.url(key));
    }
  }

  /** The object's ETag, or undefined when absent. */
  private async tagOf(key: string): Promise<string | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
      return head.ETag;
    } catch (error) {
      if (awsErrorName(error) === 'NotFound' || statusOf(error) === 404) return undefined;
      throw this.failure(error, 'HeadObject', this.url(key));
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.tagOf(key)) !== undefined;
  }

  async list(prefix: string): Promise<StoredObject[]> {
    assertPrefix(prefix);
    const root = this.prefix === '' ? '' : `${this.prefix}/`;
    const found: StoredObject[] = [];
    let token: string | undefined;
    do {
      const command = new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: `${root}${prefix}`,
        ContinuationToken: token,
      });
      const page = await this.client.send(command).catch((error: unknown) => {
        throw this.failure(error, 'ListObjectsV2', `s3://${this.bucket}/${root}${prefix}`);
      });
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        found.push({ key: object.Key.slice(root.length), size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async deleteObject(key: string): Promise<void> {
    await this.client
      .send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }))
      .catch((error: unknown) => {
        throw this.failure(error, 'DeleteObject', this.url(key));
      });
  }
}
