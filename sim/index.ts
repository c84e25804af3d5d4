/**
 * HubSpot CRM API simulator: a local node:http server faithful to ../shared/HUBSPOT_API.md, with an oracle
 * (ground truth), admin changes, service keys, fault injection and a request log.
 *
 * @example
 * const sim = await startSimulator({ scale: 'tiny', rateLimit: { windowMs: 1000 }, latency: { baseMs: 250, perKbMs: 0.3, jitter: 0.25 } });
 * await fetch(`${sim.url}/crm/v3/objects/contacts?limit=100`, { headers: { authorization: `Bearer ${sim.serviceKey}` } });
 * await sim.close();
 */
import type { AddressInfo } from 'node:net';
import { createAdmin, handleAdminRequest } from './admin';
import { Dataset } from './data/dataset';
import { SearchIndex } from './data/search-index';
import { Faults } from './http/fault-injector';
import { KeyStore } from './http/key-store';
import { LatencyModel } from './http/latency';
import { RateLimiter } from './http/rate-limiter';
import { RequestLogStore } from './http/request-log';
import { createSimServer } from './http/server';
import { createOracle } from './oracle';
import { DEFAULT_SEARCH_LAG_MS } from './settings';
import type { Simulator, SimulatorOptions } from './types';

export type * from './types';
export { SimulatorLookupError } from './oracle';
export { SimulatorSettingError } from './setting-checks';
export { SETTING_LIMITS } from './settings';

/** Starts the simulator and resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const dataset = new Dataset(options);
  const keys = new KeyStore();
  const faults = new Faults(dataset.seed);
  const log = new RequestLogStore();
  const searchIndex = new SearchIndex(now, options.searchLagMs ?? DEFAULT_SEARCH_LAG_MS);
  const latency = new LatencyModel(options.latency, dataset.seed);
  const limiter = new RateLimiter(options.rateLimit);
  const admin = createAdmin(dataset, now, searchIndex);
  const parts = {
    dataset,
    searchIndex,
    keys,
    limiter,
    latency,
    faults,
    log,
    handleAdmin: (method: string, path: string, body: unknown) =>
      handleAdminRequest({ admin, keys, faults, log, latency, searchIndex, limiter }, method, path, body),
    now,
    baseUrl: '',
    logProperties: options.logProperties === true,
  };
  const server = createSimServer(parts);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  parts.baseUrl = url;
  return {
    url,
    serviceKey: keys.create(),
    oracle: createOracle(dataset),
    admin,
    keys,
    faults,
    log,
    latency,
    limits: limiter,
    searchLag: searchIndex,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        latency.release();
      }),
  };
}
