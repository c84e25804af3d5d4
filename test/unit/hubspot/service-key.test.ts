import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TransientError, UnauthorizedError } from '../../../lib/hubspot/errors';
import {
  clearSecretCache,
  envKeyProvider,
  parseSecretValue,
  secretsManagerKeyProvider,
  staticKeyProvider,
} from '../../../lib/hubspot/service-key';
import { serveAwsJson } from '../../helpers/aws-json-server';

/** A Secrets Manager stand-in that returns the queued values and counts calls. */
function fakeSecrets(values: (string | Error)[]) {
  const calls: string[] = [];
  const client = {
    send: async (command: { input: { SecretId: string } }) => {
      calls.push(command.input.SecretId);
      const value = values[Math.min(calls.length - 1, values.length - 1)];
      if (value instanceof Error) throw value;
      return { SecretString: value };
    },
  } as unknown as SecretsManagerClient;
  return { client, calls };
}

describe('Function: envKeyProvider', () => {
  it('reads HUBSPOT_SERVICE_KEY and names the variable as source', async () => {
    const provider = envKeyProvider({ HUBSPOT_SERVICE_KEY: ' pat-na1-1 ' });
    expect(provider.source).toBe('environment variable HUBSPOT_SERVICE_KEY');
    expect(await provider.getKey()).toBe('pat-na1-1');
  });

  it('fails with UnauthorizedError naming the variable when it is unset', async () => {
    const provider = envKeyProvider({}, 'MY_KEY');
    await expect(provider.getKey()).rejects.toThrow(
      new UnauthorizedError('No service key in environment variable MY_KEY: set it to a HubSpot service key.'),
    );
  });
});

describe('Function: staticKeyProvider', () => {
  it('re-reads a key function on refresh', async () => {
    let key = 'old';
    const provider = staticKeyProvider(() => key, 'drill');
    expect(await provider.getKey()).toBe('old');
    key = 'new';
    expect(await provider.refreshKey()).toBe('new');
    expect(provider.source).toBe('drill');
  });
});

describe('Function: parseSecretValue', () => {
  it.each([
    ['pat-na1-abc', 'pat-na1-abc'],
    ['{"serviceKey":"pat-na1-json"}', 'pat-na1-json'],
    ['  {"serviceKey":" spaced "} ', 'spaced'],
  ])('reads %j', (value, expected) => {
    expect(parseSecretValue(value, 'secret s')).toBe(expected);
  });

  it.each<[string | undefined, string]>([
    ['{"other":"x"}', 'No service key in secret s (field serviceKey): set it to a HubSpot service key.'],
    ['{broken', 'secret s looks like JSON but does not parse. Store the key itself or {"serviceKey": "..."}.'],
    [undefined, 'No service key in secret s: set it to a HubSpot service key.'],
    ...['pat-na1-1234\u0000\u0007', 'pat-na1-1234\r\nX-Injected: 1', 'pat na1', 'ключ-🔑'].map(
      (key): [string, string] => [
        key,
        'The service key in secret s holds characters an HTTP header cannot carry (spaces, line breaks, control or ' +
          'non-ASCII characters): set it to a HubSpot service key, exactly as HubSpot shows it.',
      ],
    ),
  ])('rejects %j without echoing it', (value, message) => {
    expect(() => parseSecretValue(value, 'secret s')).toThrow(message);
  });
});

describe('Function: secretsManagerKeyProvider', () => {
  beforeEach(() => clearSecretCache());

  it('caches across providers of the same secret id within the ttl and re-reads on refresh', async () => {
    const { client, calls } = fakeSecrets(['first', 'second']);
    const clock = { t: 0 };
    const options = { secretId: 'hubspot/key', client, ttlMs: 1000, now: () => clock.t };
    expect(await secretsManagerKeyProvider(options).getKey()).toBe('first');
    expect(await secretsManagerKeyProvider(options).getKey()).toBe('first');
    expect(calls).toEqual(['hubspot/key']);
    expect(await secretsManagerKeyProvider(options).refreshKey()).toBe('second');
    expect(await secretsManagerKeyProvider(options).getKey()).toBe('second');
    expect(calls).toHaveLength(2);
  });

  it('re-reads after the ttl', async () => {
    const { client, calls } = fakeSecrets(['a', 'b']);
    const clock = { t: 0 };
    const provider = secretsManagerKeyProvider({ secretId: 's', client, ttlMs: 1000, now: () => clock.t });
    await provider.getKey();
    clock.t = 1000;
    expect(await provider.getKey()).toBe('b');
    expect(calls).toHaveLength(2);
  });

  it('wraps a failed read in UnauthorizedError naming the secret and keeping the cause', async () => {
    const failure = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    const { client } = fakeSecrets([failure]);
    const provider = secretsManagerKeyProvider({ secretId: 'hubspot/key', client });
    const error = await provider.getKey().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as UnauthorizedError).source).toBe('secret hubspot/key');
    expect((error as UnauthorizedError).cause).toBe(failure);
    expect((error as Error).message).toBe(
      'Could not read the service key from secret hubspot/key (AccessDeniedException: denied). Check the AWS ' +
        'region and credentials, that the secret exists, and that this role may call ' +
        'secretsmanager:GetSecretValue on it (and kms:Decrypt on its key).',
    );
  });

  it.each([
    ['ThrottlingException', TransientError],
    ['InternalServiceError', TransientError],
    ['ResourceNotFoundException', UnauthorizedError],
    ['DecryptionFailure', UnauthorizedError],
  ])('takes Secrets Manager answering %s as %p (retried, or final)', async (type, expected) => {
    // Secrets Manager's wire protocol on loopback, answering every read with that error.
    const server = await serveAwsJson(() => {
      throw Object.assign(new Error(`${type} from the fake`), { name: type });
    });
    try {
      const client = new SecretsManagerClient({
        region: 'eu-west-1',
        endpoint: server.endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });
      const error = await secretsManagerKeyProvider({ secretId: 'hubspot/key', client })
        .getKey()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(expected);
      expect(error).not.toBeInstanceOf(expected === TransientError ? UnauthorizedError : TransientError);
      expect((error as Error).message).toContain(`(${type}: ${type} from the fake)`);
    } finally {
      await server.close();
    }
  });

  it("says why the SDK's own client could not reach Secrets Manager", async () => {
    const client = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const provider = secretsManagerKeyProvider({ secretId: 'hubspot/key', client });
    await expect(provider.getKey()).rejects.toThrow(
      /^Could not read the service key from secret hubspot\/key \(.*connect ECONNREFUSED 127\.0\.0\.1:1\)\. Check/,
    );
  });
});
