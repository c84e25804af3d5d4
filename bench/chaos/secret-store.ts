/**
 * The service key's secret as the deployed functions read it: the real Secrets Manager client and the engine's
 * secretsManagerKeyProvider (cached, re-read on a 401), against a loopback server answering GetSecretValue with
 * whatever the secret holds now, so a scenario can rotate the key or fill the secret with garbage mid-run.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsManagerKeyProvider, type ServiceKeyProvider } from '../../lib/hubspot';
import { serveAwsJson } from '../../test/helpers/aws-json-server';

export interface SecretStore {
  /** The secret's id (a name: the functions get it, never the key). */
  readonly secretId: string;
  /** The loopback Secrets Manager's URL (for AWS_ENDPOINT_URL_SECRETS_MANAGER). */
  readonly endpoint: string;
  /** What the secret holds now. */
  value: string;
  /** Every value the secret held, oldest first. */
  readonly history: readonly string[];
  /** GetSecretValue calls answered so far. */
  readonly reads: number;
  /** A key provider reading this secret, as the deployed functions build one. */
  provider(): ServiceKeyProvider;
  close(): Promise<void>;
}

let stores = 0;

export async function startSecretStore(value = ''): Promise<SecretStore> {
  // Each store its own id: the provider's cache is per process and per secret id.
  const secretId = `hubspot/chaos-service-key-${process.pid}-${++stores}`;
  const state = { value, reads: 0 };
  const history: string[] = value ? [value] : [];
  const server = await serveAwsJson((target, input) => {
    if (target !== 'secretsmanager.GetSecretValue' || input.SecretId !== secretId) {
      throw Object.assign(new Error(`Secrets Manager can't find the specified secret.`), {
        name: 'ResourceNotFoundException',
      });
    }
    state.reads += 1;
    return {
      Name: secretId,
      ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${secretId}`,
      SecretString: state.value,
    };
  });
  const client = new SecretsManagerClient({
    endpoint: server.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'CHAOS', secretAccessKey: 'CHAOS' },
    maxAttempts: 1,
  });
  return {
    secretId,
    endpoint: server.endpoint,
    get value() {
      return state.value;
    },
    set value(next: string) {
      state.value = next;
      history.push(next);
    },
    history,
    get reads() {
      return state.reads;
    },
    provider: () => secretsManagerKeyProvider({ secretId, client }),
    async close() {
      client.destroy();
      await server.close();
    },
  };
}
