/**
 * Admin calls that change how the simulator behaves mid-run: POST sets (only the fields given), GET reads, and both
 * answer the settings now in force.
 * - /_sim/latency {"baseMs","perKbMs","jitter"}
 * - /_sim/search-lag {"ms"}
 * - /_sim/limits {"maxPerWindow","windowMs","daily","searchPerSecond","searchWindowMs","searchCountsInTenSecondly",
 *   "resetDaily": true (every key's daily count back to 0, as at the portal's midnight)}
 */
import type { SearchIndex } from './data/search-index';
import type { LatencyModel } from './http/latency';
import type { RateLimiter } from './http/rate-limiter';
import { json, type SimResponse } from './http/responses';
import { SimulatorSettingError } from './setting-checks';

export interface SettingsParts {
  readonly latency: LatencyModel;
  readonly searchIndex: SearchIndex;
  readonly limiter: RateLimiter;
}

type SettingsBody = Record<string, unknown>;

const SETTINGS_CALLS: Record<string, (parts: SettingsParts, body: SettingsBody | undefined) => unknown> = {
  latency: ({ latency }, body) => (body ? latency.set(body) : latency.get()),
  'search-lag': ({ searchIndex }, body) => ({ ms: body ? searchIndex.set(searchLagOf(body)) : searchIndex.get() }),
  limits: ({ limiter }, body) => {
    if (!body) return limiter.get();
    const { resetDaily, ...limits } = body;
    if (resetDaily !== undefined && typeof resetDaily !== 'boolean') {
      throw new SimulatorSettingError(`limits.resetDaily must be true or false, got ${JSON.stringify(resetDaily)}`);
    }
    const now = limiter.set(limits);
    if (resetDaily) limiter.resetDaily();
    return now;
  },
};

/** The answer to a settings call, or undefined when `resource` is not one. */
export function settingsCall(
  parts: SettingsParts,
  method: string,
  resource: string,
  body: unknown,
): SimResponse | undefined {
  const call = SETTINGS_CALLS[resource];
  if (!call || (method !== 'GET' && method !== 'POST')) return undefined;
  return json(200, call(parts, method === 'POST' ? ((body ?? {}) as SettingsBody) : undefined));
}

function searchLagOf(body: SettingsBody): number {
  const unknown = Object.keys(body).filter((k) => k !== 'ms');
  if (unknown.length > 0 || body.ms === undefined) {
    throw new SimulatorSettingError(`search-lag takes {"ms": N}, got ${JSON.stringify(body)}`);
  }
  return body.ms as number;
}
