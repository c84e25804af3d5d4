/**
 * Where the service key comes from. A provider caches the key and re-reads its source on demand
 * (the client does that once after a 401, which is how a key rotation is survived). The same providers read the
 * hash key of hashed properties (KEY_KINDS.hash): only their messages and the JSON field differ.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TransientError, UnauthorizedError } from './errors';

export interface ServiceKeyProvider {
  /** Human-readable origin of the key, e.g. 'environment variable HUBSPOT_SERVICE_KEY' (never the key). */
  readonly source: string;
  /** The key, cached. */
  getKey(): Promise<string>;
  /** Forced re-read of the source (used once on 401). */
  refreshKey(): Promise<string>;
}

export const DEFAULT_KEY_VARIABLE = 'HUBSPOT_SERVICE_KEY';
export const DEFAULT_SECRET_TTL_MS = 10 * 60_000;

/** Which key a provider reads: what messages call it, the field of a JSON secret that holds it, what to set. */
export interface KeyKind {
  readonly noun: string;
  readonly jsonField: string;
  readonly hint: string;
  /** Sent as an HTTP header (the service key): only the characters a header can carry are accepted. */
  readonly header?: boolean;
}

/** The keys this project reads: the HubSpot service key, and the key of hashed properties (hashProperties). */
export const KEY_KINDS = {
  service: { noun: 'service key', jsonField: 'serviceKey', hint: 'a HubSpot service key', header: true },
  hash: { noun: 'hash key', jsonField: 'hashKey', hint: 'the key that hashes the hashed properties' },
} as const satisfies Record<string, KeyKind>;

/**
 * Reads the key from an environment variable (HUBSPOT_SERVICE_KEY by default).
 * @example const provider = envKeyProvider(); // reads process.env.HUBSPOT_SERVICE_KEY
 */
export function envKeyProvider(
  env: NodeJS.ProcessEnv = process.env,
  variable = DEFAULT_KEY_VARIABLE,
  kind: KeyKind = KEY_KINDS.service,
): ServiceKeyProvider {
  const source = `environment variable ${variable}`;
  const read = async (): Promise<string> => requireKey(env[variable], source, kind);
  return { source, getKey: read, refreshKey: read };
}

/** A fixed key, or a function returning the current key (tests and rotation drills). */
export function staticKeyProvider(key: string | (() => string), source = 'static key'): ServiceKeyProvider {
  const read = async (): Promise<string> =>
    requireKey(typeof key === 'function' ? key() : key, source, KEY_KINDS.service);
  return { source, getKey: read, refreshKey: read };
}

export interface SecretsManagerKeyProviderOptions {
  secretId: string;
  /** A ready client; default one built from the environment's AWS config on first use. */
  client?: SecretsManagerClient;
  /** How long a cached value is used before the secret is read again (default 10 min). */
  ttlMs?: number;
  now?: () => number;
  /** Which key the secret holds; default the service key. */
  kind?: KeyKind;
}

interface CachedSecret {
  key: string;
  readAt: number;
}

/** Module-level: survives warm Lambda invocations, keyed by key kind and secret id. */
const SECRET_CACHE = new Map<string, CachedSecret>();

/** Secrets Manager's answers that mean this secret cannot be read as things stand: retrying will not help. */
const SECRET_REFUSALS = new Set([
  'AccessDeniedException',
  'ResourceNotFoundException',
  'DecryptionFailure',
  'InvalidRequestException',
  'InvalidParameterException',
  'UnrecognizedClientException',
]);

const awsErrorName = (error: unknown): string | undefined => (error as { name?: string } | undefined)?.name;

/** Forgets every cached secret (tests). */
export function clearSecretCache(): void {
  SECRET_CACHE.clear();
}

/**
 * Reads the key from AWS Secrets Manager. The secret holds the key itself or JSON `{"serviceKey": "..."}` (for the
 * hash key, `{"hashKey": "..."}`).
 * @example const provider = secretsManagerKeyProvider({ secretId: 'hubspot/service-key' });
 */
export function secretsManagerKeyProvider(options: SecretsManagerKeyProviderOptions): ServiceKeyProvider {
  const { secretId, kind = KEY_KINDS.service } = options;
  const cacheKey = `${kind.jsonField}:${secretId}`;
  const ttlMs = options.ttlMs ?? DEFAULT_SECRET_TTL_MS;
  const now = options.now ?? Date.now;
  const source = `secret ${secretId}`;
  let client = options.client;

  const refreshKey = async (): Promise<string> => {
    client ??= new SecretsManagerClient({});
    let output;
    try {
      output = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    } catch (error) {
      // The SDK's own words (a missing region, a refused connection, AccessDenied): it never saw the key.
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const message =
        `Could not read the ${kind.noun} from ${source} (${reason}). Check the AWS region and credentials, that ` +
        'the secret exists, and that this role may call secretsmanager:GetSecretValue on it (and kms:Decrypt on its key).';
      // A refusal stays a refusal; throttling, a timeout or a 5xx (after the SDK's own retries) may pass.
      if (SECRET_REFUSALS.has(awsErrorName(error) ?? ''))
        throw new UnauthorizedError(message, { cause: error, source });
      throw new TransientError(message, { cause: error });
    }
    const key = parseSecretValue(output.SecretString, source, kind);
    SECRET_CACHE.set(cacheKey, { key, readAt: now() });
    return key;
  };

  const getKey = async (): Promise<string> => {
    const cached = SECRET_CACHE.get(cacheKey);
    if (cached && now() - cached.readAt < ttlMs) return cached.key;
    return refreshKey();
  };

  return { source, getKey, refreshKey };
}

/** A secret string is the key itself, or JSON with a `serviceKey` field (the kind's `jsonField`). */
export function parseSecretValue(value: string | undefined, source: string, kind: KeyKind = KEY_KINDS.service): string {
  const text = value?.trim();
  if (text?.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UnauthorizedError(
        `${source} looks like JSON but does not parse. Store the key itself or {"${kind.jsonField}": "..."}.`,
        { source },
      );
    }
    const key = (parsed as Record<string, unknown>)[kind.jsonField];
    return requireKey(typeof key === 'string' ? key : undefined, `${source} (field ${kind.jsonField})`, kind);
  }
  return requireKey(text, source, kind);
}

function requireKey(value: string | undefined, source: string, kind: KeyKind): string {
  const key = value?.trim();
  if (!key) {
    throw new UnauthorizedError(`No ${kind.noun} in ${source}: set it to ${kind.hint}.`, { source });
  }
  // Anything but visible ASCII fails every request as a network error (a header cannot carry it): say so once.
  if (kind.header && /[^\x21-\x7e]/.test(key)) {
    throw new UnauthorizedError(
      `The ${kind.noun} in ${source} holds characters an HTTP header cannot carry (spaces, line breaks, control ` +
        `or non-ASCII characters): set it to ${kind.hint}, exactly as HubSpot shows it.`,
      { source },
    );
  }
  return key;
}
