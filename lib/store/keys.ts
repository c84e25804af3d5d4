/** Relative object keys: '/'-separated, no empty, '.' or '..' segments, no backslashes or NUL. */
import { InvalidKeyError } from './errors';

/** Throws InvalidKeyError naming the key unless it is a clean relative key. */
export function assertKey(key: string): string {
  const bad =
    key === '' ||
    key.startsWith('/') ||
    key.endsWith('/') ||
    /[\\\0]/.test(key) ||
    key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..');
  if (bad) throw new InvalidKeyError(`Bad object key ${JSON.stringify(key)}: use '/'-separated relative keys`);
  return key;
}

/** Throws InvalidKeyError unless the prefix is '' or a clean relative key prefix (may end in '/'). */
export function assertPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  assertKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}
