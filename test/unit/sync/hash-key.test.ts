import { InvalidInputError } from '../../../lib/core/errors';
import { envKeyProvider, KEY_KINDS, parseSecretValue, staticKeyProvider } from '../../../lib/hubspot';
import { createValueHasher } from '../../../lib/schema/pseudonymize';
import { HASH_KEY_VARIABLE, hasherForPlan, loadHasher } from '../../../lib/sync/hash-key';

const KEY = '0123456789abcdef'.repeat(4);

describe('Function: loadHasher', () => {
  it('hashes with the key the environment variable holds', async () => {
    const hasher = await loadHasher(
      envKeyProvider({ [HASH_KEY_VARIABLE]: ` ${KEY}\n` }, HASH_KEY_VARIABLE, KEY_KINDS.hash),
    );
    expect(hasher('ada@example.com')).toBe(createValueHasher(KEY)('ada@example.com'));
  });

  it.each([
    [undefined, 'properties are to be hashed, but there is no hash key: set HUBSPOT_S3_SYNC_HASH_KEY'],
    [
      envKeyProvider({}, HASH_KEY_VARIABLE, KEY_KINDS.hash),
      'No hash key in environment variable HUBSPOT_S3_SYNC_HASH_KEY: set it to the key that hashes the hashed properties.',
    ],
    [
      staticKeyProvider('short-key', 'test key'),
      'the hash key in test key has 9 characters; use one of at least 32 (openssl rand -hex 32 makes one)',
    ],
  ])('refuses %#: no provider, no key, a short key, as bad input naming the source', async (provider, message) => {
    const failure = loadHasher(provider);
    await expect(failure).rejects.toThrow(InvalidInputError);
    await expect(failure).rejects.toThrow(message);
  });

  it('reads a JSON secret by its hashKey field', () => {
    expect(parseSecretValue(JSON.stringify({ hashKey: KEY }), 'secret s', KEY_KINDS.hash)).toBe(KEY);
    expect(() => parseSecretValue(JSON.stringify({ serviceKey: KEY }), 'secret s', KEY_KINDS.hash)).toThrow(
      'No hash key in secret s (field hashKey)',
    );
  });
});

describe('Function: hasherForPlan', () => {
  const plan = { runId: 'run-1', hashKeyId: createValueHasher(KEY).keyId };

  it('needs no key for a plan that hashes nothing', async () => {
    await expect(hasherForPlan(undefined, { runId: 'run-1' })).resolves.toBeUndefined();
  });

  it("hashes with the plan's key, and refuses another key without naming either", async () => {
    expect((await hasherForPlan(staticKeyProvider(KEY), plan))?.keyId).toBe(plan.hashKeyId);
    const other = 'f'.repeat(64);
    const failure = hasherForPlan(staticKeyProvider(other, 'secret hash'), plan);
    await expect(failure).rejects.toThrow(
      `the hash key in secret hash is not the one run run-1 was planned with (key id ${plan.hashKeyId}, now ` +
        `${createValueHasher(other).keyId}): a run hashes with one key; start a new run`,
    );
    await expect(failure).rejects.not.toThrow(other);
  });
});
