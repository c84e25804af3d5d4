/** Shared set-up for the client's integration tests against the simulator. */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { HubSpotClient, type ClientEvent } from '../../../lib/hubspot/client';
import { RateBudget } from '../../../lib/hubspot/rate-budget';
import { staticKeyProvider, type ServiceKeyProvider } from '../../../lib/hubspot/service-key';
import type { HubSpotRecord } from '../../../lib/hubspot/types';

/** A client with zero backoff sleeps and a budget matching the simulator's (scaled-down) window. */
export function makeClient(
  url: string,
  options: {
    key?: string;
    keyProvider?: ServiceKeyProvider;
    maxPerWindow?: number;
    windowMs?: number;
    searchPerSecond?: number;
    requestTimeoutMs?: number;
    events?: ClientEvent[];
  },
): HubSpotClient {
  return new HubSpotClient({
    baseUrl: url,
    keyProvider: options.keyProvider ?? staticKeyProvider(options.key ?? '', 'test key'),
    budget: new RateBudget({
      maxPerWindow: options.maxPerWindow ?? 190,
      windowMs: options.windowMs ?? 1000,
      searchPerSecond: options.searchPerSecond ?? 5,
      dailyReserve: 0,
    }),
    requestTimeoutMs: options.requestTimeoutMs ?? 5000,
    sleep: async () => undefined,
    onEvent: (event) => options.events?.push(event),
  });
}

/** A Secrets Manager stand-in whose secret value the test changes (a rotation drill). */
export function fakeSecretStore(initial: string) {
  const store = { value: initial, reads: 0 };
  const client = {
    send: async () => {
      store.reads += 1;
      return { SecretString: JSON.stringify({ serviceKey: store.value }) };
    },
  } as unknown as SecretsManagerClient;
  return { store, client };
}

/** Collects every page of an async generator of arrays or pages. */
export async function collect<T>(pages: AsyncGenerator<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

/** The fields the oracle and the API share, for exact comparison. */
export function comparable(record: HubSpotRecord) {
  return {
    id: record.id,
    properties: record.properties,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: record.archived,
    archivedAt: record.archivedAt,
  };
}
