/**
 * The key of hashed properties, read through the same providers as the service key (lib/hubspot/service-key.ts):
 * from Secrets Manager deployed, or the environment variable HUBSPOT_S3_SYNC_HASH_KEY locally; never from a command
 * line or a template, and never logged. Plan reads it before any request and stores the key's id in the plan; every
 * step that writes hashes checks it holds the same key, since a run hashed with two keys would not join with itself.
 */
import { UnauthorizedError, type ServiceKeyProvider } from '../hubspot';
import { createValueHasher, MIN_HASH_KEY_LENGTH, type ValueHasher } from '../schema/pseudonymize';
import { InvalidInputError } from './run-input';
import type { RunPlan } from './types';

/** Where local runs find the hash key. */
export const HASH_KEY_VARIABLE = 'HUBSPOT_S3_SYNC_HASH_KEY';

/**
 * The hasher of `provider`'s key. No provider, no key, or a key shorter than MIN_HASH_KEY_LENGTH is bad input
 * (InvalidInputError): hashes would be missing, or guessable. Messages name where the key comes from, never the key.
 */
export async function loadHasher(provider: ServiceKeyProvider | undefined): Promise<ValueHasher> {
  if (!provider) {
    throw new InvalidInputError(
      `properties are to be hashed, but there is no hash key: set ${HASH_KEY_VARIABLE}, or name the Secrets ` +
        'Manager secret that holds it (--hash-key-secret-id, or -c hashKeySecret deployed)',
    );
  }
  let key: string;
  try {
    key = await provider.getKey();
  } catch (error) {
    // No key in the variable, or a secret this role may not read: asking again will not help.
    if (error instanceof UnauthorizedError) throw new InvalidInputError(error.message, { cause: error });
    throw error;
  }
  if (key.length < MIN_HASH_KEY_LENGTH) {
    throw new InvalidInputError(
      `the hash key in ${provider.source} has ${key.length} characters; use one of at least ${MIN_HASH_KEY_LENGTH} ` +
        '(openssl rand -hex 32 makes one): a short key can be guessed, and with it every hashed value',
    );
  }
  return createValueHasher(key);
}

/**
 * The hasher a step of `plan` writes hashed columns with, or undefined when the plan hashes nothing. Its key must be
 * the one the plan was made with (a key rotated mid-run fails the step rather than mix two keys in one run).
 */
export async function hasherForPlan(
  provider: ServiceKeyProvider | undefined,
  plan: Pick<RunPlan, 'runId' | 'hashKeyId'>,
): Promise<ValueHasher | undefined> {
  if (!plan.hashKeyId) return undefined;
  const hasher = await loadHasher(provider);
  if (hasher.keyId !== plan.hashKeyId) {
    throw new InvalidInputError(
      `the hash key in ${provider?.source} is not the one run ${plan.runId} was planned with (key id ` +
        `${plan.hashKeyId}, now ${hasher.keyId}): a run hashes with one key; start a new run`,
    );
  }
  return hasher;
}
