/** Where output goes: a local folder or an S3 prefix, behind one small interface (opened by open-target.ts). */

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
