import { CorruptStoredFileError } from './errors';
import type { PutCondition, StorageTarget, TaggedObject } from './target';

/** Parses a stored JSON object; a clear error (naming the file) when it is not JSON. */
function parseStored<T>(target: StorageTarget, key: string, body: Buffer): T {
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch (error) {
    throw new CorruptStoredFileError(`${target.url(key)} is not valid JSON; fix or delete it to continue`, {
      cause: error,
    });
  }
}

/** Reads a JSON object from the target; undefined when absent, a clear error (naming the file) when not JSON. */
export async function readJson<T>(target: StorageTarget, key: string): Promise<T | undefined> {
  const body = await target.getObject(key);
  return body ? parseStored<T>(target, key, body) : undefined;
}

/** readJson plus the version tag, for a compare-and-swap write (`writeJson(..., { ifMatch: tag })`). */
export async function readTaggedJson<T>(
  target: StorageTarget,
  key: string,
): Promise<{ value: T; tag: TaggedObject['tag'] } | undefined> {
  const found = await target.getTagged(key);
  return found && { value: parseStored<T>(target, key, found.body), tag: found.tag };
}

/**
 * Writes pretty JSON, unconditionally or under a condition: `ifAbsent` never overwrites (ObjectExistsError),
 * `ifMatch` replaces only the version read (ObjectChangedError).
 */
export function writeJson(
  target: StorageTarget,
  key: string,
  value: unknown,
  condition: PutCondition = {},
): Promise<void> {
  return target.putObject(key, `${JSON.stringify(value, null, 2)}\n`, {
    contentType: 'application/json',
    ...condition,
  });
}
