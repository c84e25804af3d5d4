/**
 * Keyed hashes in place of a property's values (the hashProperties setting): the same value hashes the same in every
 * run and every object, so joins across tables and runs still work, and nobody without the key can test a guess.
 *
 * The rule, for other systems to compute the same hash (README, "Sensitive properties"):
 *   normalized = value.trim()   (JavaScript's trim: Unicode white space and line terminators)
 *   if normalized has the shape of an email address (text@text, no white space, one @): lower-case it
 *   hash = lower-case hex of HMAC-SHA-256(key = UTF-8 bytes of the key, message = UTF-8 bytes of normalized)
 * A value empty after trimming stays '' (blank values would otherwise all hash alike and join one another).
 * Multi-select values hash element by element: split on `;`, each element normalized and hashed, empty ones dropped.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { InternalError } from '../core/errors';
import type { PropertyDefinition } from '../hubspot/types';
import { MULTI_SELECT_SEPARATOR, mapPropertyType, type RecordColumnType } from './type-map';

/** What manifests and the Glue catalog say a hashed column holds. */
export const HASH_ALGORITHM = 'hmac-sha256';

/** Keys shorter than this are refused: a short key can be guessed, and with it every value (`openssl rand -hex 32`). */
export const MIN_HASH_KEY_LENGTH = 32;

/** The column types whose values are text, so they can be hashed: text and enumerations, multi-selects by element. */
export const HASHABLE_TYPES: readonly RecordColumnType[] = ['VARCHAR', 'VARCHAR[]'];

/** Message of the key id: HMAC of a fixed text, so it names the key without telling anything of any value. */
const KEY_ID_MESSAGE = 'hubspot-s3-sync hash key id';

/** text@text, one @, no white space: an email address, whose case does not matter. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/** Hashes one normalized value; `keyId` names the key (plans and manifests carry it, never the key). */
export interface ValueHasher {
  (normalized: string): string;
  /** The first 16 hex digits of HMAC-SHA-256(key, "hubspot-s3-sync hash key id"). */
  readonly keyId: string;
}

/**
 * A hasher keyed with `key` (its UTF-8 bytes).
 * @example createValueHasher(key)('ada@example.com') // '5f0c...' (64 hex digits)
 */
export function createValueHasher(key: string): ValueHasher {
  const secret: KeyObject = createSecretKey(Buffer.from(key, 'utf8'));
  const hmac = (message: string) => createHmac('sha256', secret).update(message, 'utf8').digest('hex');
  return Object.assign(hmac, { keyId: hmac(KEY_ID_MESSAGE).slice(0, 16) });
}

/**
 * The value as it is hashed: trimmed, and lower-cased when it is an email address.
 * @example normalizeForHash('  Ada@Example.COM ') // 'ada@example.com'
 */
export function normalizeForHash(text: string): string {
  const trimmed = text.trim();
  return EMAIL_SHAPE.test(trimmed) ? trimmed.toLowerCase() : trimmed;
}

/** One value's hash; '' when it is blank. */
function hashOne(text: string, hash: ValueHasher): string {
  const normalized = normalizeForHash(text);
  return normalized === '' ? '' : hash(normalized);
}

/**
 * The wire text of a hashed column: the hash of the value, or for a multi-select the hashes of its elements joined
 * by `;` (which the typing path splits back into a list).
 * @example pseudonymizeText('a;b', 'VARCHAR[]', hash) // '<hash of a>;<hash of b>'
 */
export function pseudonymizeText(text: string, type: RecordColumnType, hash: ValueHasher): string {
  if (type === 'VARCHAR') return hashOne(text, hash);
  if (type === 'VARCHAR[]') {
    return text
      .split(MULTI_SELECT_SEPARATOR)
      .map((item) => hashOne(item, hash))
      .filter((item) => item !== '')
      .join(MULTI_SELECT_SEPARATOR);
  }
  throw new InternalError(`a ${type} column cannot be hashed: only ${HASHABLE_TYPES.join(' and ')} columns can`);
}

/** Whether a property's values are text (string, enumeration, multi-select, ...) and so can be hashed. */
export function isHashable(property: Pick<PropertyDefinition, 'type' | 'fieldType'>): boolean {
  return HASHABLE_TYPES.includes(mapPropertyType(property));
}
