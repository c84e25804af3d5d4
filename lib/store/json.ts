import type { StorageTarget } from './target';

/** Reads a JSON object from the target; undefined when absent, a clear error (naming the file) when not JSON. */
export async function readJson<T>(target: StorageTarget, key: string): Promise<T | undefined> {
  const body = await target.getObject(key);
  if (!body) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch (error) {
    throw new Error(`${target.url(key)} is not valid JSON; fix or delete it to continue`, { cause: error });
  }
}

/** Writes pretty JSON; `ifAbsent` never overwrites (ObjectExistsError when the key exists). */
export function writeJson(target: StorageTarget, key: string, value: unknown, ifAbsent = false): Promise<void> {
  return target.putObject(key, `${JSON.stringify(value, null, 2)}\n`, { contentType: 'application/json', ifAbsent });
}
