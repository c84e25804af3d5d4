/** Store errors: callers branch on these classes, never on message text. */
import { SyncError } from '../core/errors';

/** The `name` an AWS SDK error carries (`NoSuchKey`, `EntityNotFoundException`, ...), if any. */
export function awsErrorName(error: unknown): string | undefined {
  return (error as { name?: string })?.name;
}

/** Whether a file system error has the errno `code` (`ENOENT`, `EEXIST`, ...). */
export function isErrnoCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException)?.code === code;
}

/** A storage request failed; retryable unless a subclass says the stored data itself is wrong. */
export class StoreError extends SyncError {
  override name = 'StoreError';
}

/** putObject with ifAbsent found the key already there; nothing was overwritten. */
export class ObjectExistsError extends StoreError {
  override readonly retryable = false;
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`Object ${key} already exists and is never overwritten`, options);
    this.name = 'ObjectExistsError';
  }
}

/** A key, object name, run id or location that the layout does not allow. */
export class InvalidKeyError extends StoreError {
  override name = 'InvalidKeyError';
  override readonly retryable = false;
}

/** The Glue catalog refused a table or partition (or a name or column type has no Glue form); the data stays published. */
export class CatalogError extends StoreError {
  override name = 'CatalogError';
}

/** putObject with ifMatch found the object changed (or gone) since it was read; nothing was written. */
export class ObjectChangedError extends StoreError {
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`Object ${key} changed since it was read; read it again before writing`, options);
    this.name = 'ObjectChangedError';
  }
}

/** A stored file of the sync's own (state, lease, plan, manifest) is not what it should be; the message names it. */
export class CorruptStoredFileError extends StoreError {
  override name = 'CorruptStoredFileError';
  override readonly retryable = false;
}

/** A compare-and-swap write kept losing to other writers of the same small object (a lease); a retry may win. */
export class WriteContendedError extends StoreError {
  override name = 'WriteContendedError';
}

/** S3 refused a request or could not be reached: the message names the request and the object; the cause is the SDK's error. */
export class S3RequestError extends StoreError {
  override name = 'S3RequestError';
}
