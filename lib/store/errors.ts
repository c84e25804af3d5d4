/** Store errors: callers branch on these classes, never on message text. */

/** The `name` an AWS SDK error carries (`NoSuchKey`, `EntityNotFoundException`, ...), if any. */
export function awsErrorName(error: unknown): string | undefined {
  return (error as { name?: string })?.name;
}

/** Whether a file system error has the errno `code` (`ENOENT`, `EEXIST`, ...). */
export function isErrnoCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException)?.code === code;
}

export class StoreError extends Error {
  override name = 'StoreError';
}

/** putObject with ifAbsent found the key already there; nothing was overwritten. */
export class ObjectExistsError extends StoreError {
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
}

/** S3 refused a request or could not be reached: the message names the request and the object; the cause is the SDK's error. */
export class S3RequestError extends StoreError {
  override name = 'S3RequestError';
}
