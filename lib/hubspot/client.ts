/**
 * The HubSpot HTTP client: service-key auth with one forced re-read on 401, the shared rate budget,
 * bounded retries with full-jitter backoff, and typed errors. Bodies are read fully and parsed here,
 * so truncated or malformed JSON is retried like any other transient failure.
 */
import { Agent, type Dispatcher } from 'undici';
import { apiPaths, DEFAULT_API_VERSION, type ApiPaths, type ApiVersion } from './api-version';
import { toHubSpotError, parseErrorBody } from './error-body';
import {
  DailyBudgetExhaustedError,
  HubSpotError,
  MalformedResponseError,
  RateLimitedError,
  TransientError,
} from './errors';
import { buildQueryString, exchange, type Exchange } from './http-exchange';
import { RateBudget, type BudgetKind, type HeaderBag } from './rate-budget';
import { RequestScheduler } from './scheduler';
import {
  RETRY_POLICY,
  classifyStatus,
  computeBackoffMs,
  computeRateLimitWaitMs,
  parseRetryAfterMs,
} from './retry-policy';
import type { ServiceKeyProvider } from './service-key';

export const CLIENT_DEFAULTS = {
  baseUrl: 'https://api.hubapi.com',
  apiVersion: DEFAULT_API_VERSION as ApiVersion,
  requestTimeoutMs: 30_000,
  /** Body timeout = this many times the headers timeout (60 s by default). */
  bodyTimeoutFactor: 2,
  /**
   * Sockets to HubSpot: at least as many as the scheduler may have in flight (SCHEDULER_DEFAULTS.maxIssued, all
   * lanes). With fewer, requests granted by the budget queue for a socket: they reach HubSpot later than the budget
   * counted them (so it frees their slots too early: 429s), and their wait reads as latency (so it asks for more).
   */
  connections: 128,
  keepAliveTimeoutMs: 30_000,
} as const;

export { buildQueryString } from './http-exchange';

export interface ClientEvent {
  type: 'retry' | 'rate-limited' | 'key-refreshed';
  status?: number;
  attempt?: number;
  waitMs?: number;
  /** Request path without its query string. */
  path: string;
}

export interface HubSpotClientOptions {
  baseUrl?: string;
  /** Which of HubSpot's API versions to call (lib/hubspot/api-version.ts). */
  apiVersion?: ApiVersion;
  keyProvider: ServiceKeyProvider;
  budget?: RateBudget;
  /** The process's scheduler (shared by every client of the process); default one of the client's own budget. */
  scheduler?: RequestScheduler;
  dispatcher?: Dispatcher;
  /** Headers timeout (default 30 s); the body may take twice as long. */
  requestTimeoutMs?: number;
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  onEvent?: (event: ClientEvent) => void;
}

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  budget?: BudgetKind;
  /** Granted before the lane's other waiting requests (a batch read of ids search found: it unlocks search work). */
  urgent?: boolean;
  /** Checks a 2xx body's shape; false makes it a (retried) MalformedResponseError. */
  validate?: (body: unknown) => boolean;
}

/** A failed attempt that may be retried. */
interface RetryableFailure {
  status?: number;
  error: HubSpotError;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * @example
 * const client = new HubSpotClient({ keyProvider: envKeyProvider() });
 * const page = await client.request<ListResponse<HubSpotRecord>>({ method: 'GET', path: '/crm/v3/objects/contacts' });
 */
/** `url` with any user name and password replaced by `***`. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '***';
    parsed.password = '';
    return parsed.toString().replace(/\/+$/, '');
  } catch {
    return url;
  }
}

export class HubSpotClient {
  readonly stats = { requests: 0, retries: 0, rateLimited: 0, errors: 0 };
  readonly budget: RateBudget;
  readonly scheduler: RequestScheduler;
  readonly apiVersion: ApiVersion;
  /** The paths of `apiVersion`. */
  readonly paths: ApiPaths;
  /**
   * HubSpot's clock minus this machine's (ms), from the last response's `Date` header (whole seconds, so within
   * about a second); undefined until a response had one. Negative: HubSpot's clock is behind.
   */
  serverClockOffsetMs: number | undefined;
  private readonly baseUrl: string;
  /** baseUrl as messages show it: without credentials a proxy URL may carry (user:password@). */
  private readonly shownUrl: string;
  private readonly keyProvider: ServiceKeyProvider;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly headersTimeout: number;
  private readonly bodyTimeout: number;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly onEvent: (event: ClientEvent) => void;

  constructor(options: HubSpotClientOptions) {
    this.baseUrl = (options.baseUrl ?? CLIENT_DEFAULTS.baseUrl).replace(/\/+$/, '');
    this.shownUrl = withoutCredentials(this.baseUrl);
    this.apiVersion = options.apiVersion ?? CLIENT_DEFAULTS.apiVersion;
    this.paths = apiPaths(this.apiVersion);
    this.keyProvider = options.keyProvider;
    this.budget = options.budget ?? new RateBudget();
    this.scheduler = options.scheduler ?? new RequestScheduler(this.budget);
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher =
      options.dispatcher ??
      new Agent({ connections: CLIENT_DEFAULTS.connections, keepAliveTimeout: CLIENT_DEFAULTS.keepAliveTimeoutMs });
    this.headersTimeout = options.requestTimeoutMs ?? CLIENT_DEFAULTS.requestTimeoutMs;
    this.bodyTimeout = this.headersTimeout * CLIENT_DEFAULTS.bodyTimeoutFactor;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? RETRY_POLICY.maxAttempts);
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.onEvent = options.onEvent ?? (() => undefined);
  }

  /** Sends one API call with auth, budget and retries; resolves the parsed JSON body (207 included). */
  async request<T>(spec: RequestSpec): Promise<T> {
    try {
      return await this.send<T>(spec);
    } catch (error) {
      this.stats.errors += 1;
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async send<T>(spec: RequestSpec): Promise<T> {
    const kind = spec.budget ?? 'standard';
    const url = this.baseUrl + spec.path + buildQueryString(spec.query);
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    let attempt = 0;
    let rateLimited = 0;
    let refreshed = false;
    for (;;) {
      attempt += 1;
      // Issued from here until answered: what the scheduler counts against rate x latency.
      const issued = this.scheduler.begin(kind);
      let exchanged: Exchange;
      let key = '';
      let sent = false;
      let grantedAt: number;
      try {
        grantedAt = await this.budget.grant(kind, spec.urgent);
        key = await this.keyProvider.getKey();
        this.stats.requests += 1;
        sent = true;
        issued.sent();
        exchanged = await exchange(this.dispatcher, url, {
          method: spec.method,
          key,
          payload,
          headersTimeoutMs: this.headersTimeout,
          bodyTimeoutMs: this.bodyTimeout,
        });
        this.budget.answered(kind, this.now() - grantedAt);
      } catch (cause) {
        // No budget or no key: nothing was sent, and nothing to retry here.
        if (!sent) throw cause;
        issued.done();
        await this.retryOrThrow(spec, attempt, { error: this.networkError(spec, cause, key) });
        continue;
      } finally {
        issued.done();
      }
      const { status, headers, text } = exchanged;
      if (kind === 'standard') this.budget.observe(headers, grantedAt);
      const serverTime = Date.parse(String(headers.date ?? ''));
      if (!Number.isNaN(serverTime)) this.serverClockOffsetMs = serverTime - this.now();

      const outcome = classifyStatus(status);
      if (outcome === 'success') {
        const parsed = this.parseSuccess(spec, status, text);
        if (parsed.ok) return parsed.value as T;
        await this.retryOrThrow(spec, attempt, { status, error: parsed.error });
        continue;
      }
      const body = parseErrorBody(text);
      if (outcome === 'unauthorized') {
        if (refreshed) throw this.toError(spec, status, body);
        refreshed = true;
        attempt -= 1;
        await this.keyProvider.refreshKey();
        this.onEvent({ type: 'key-refreshed', status, path: spec.path });
        continue;
      }
      if (outcome === 'rate-limited') {
        this.stats.rateLimited += 1;
        rateLimited += 1;
        attempt -= 1;
        this.handleRateLimit(spec, kind, body, headers, rateLimited, grantedAt);
        continue;
      }
      if (outcome === 'retryable') {
        await this.retryOrThrow(spec, attempt, { status, error: this.toError(spec, status, body) });
        continue;
      }
      throw this.toError(spec, status, body);
    }
  }

  /** Blocks the lane for the policy's wait; throws for DAILY or when 429s never stop. */
  private handleRateLimit(
    spec: RequestSpec,
    kind: BudgetKind,
    body: ReturnType<typeof parseErrorBody>,
    headers: HeaderBag,
    count: number,
    grantedAt: number,
  ): void {
    const policy = body.policyName ?? (kind === 'search' ? 'SECONDLY' : 'TEN_SECONDLY_ROLLING');
    const retryAfterMs = parseRetryAfterMs(headers['retry-after'], this.now());
    const waitMs = computeRateLimitWaitMs(policy, retryAfterMs, this.budget.windowMs(kind));
    const request = `${spec.method} ${spec.path}`;
    if (waitMs === undefined) {
      this.budget.markDailyExhausted();
      throw new DailyBudgetExhaustedError(
        `HubSpot refused ${request}: the account's daily request limit is spent (429 ${policy}). ` +
          'Resume after the daily reset (midnight in the account time zone).',
        { status: 429, category: body.errorType ?? body.category, correlationId: body.correlationId, remaining: 0 },
      );
    }
    if (count > RETRY_POLICY.maxRateLimitedRetries) {
      throw new RateLimitedError(
        `HubSpot kept rate-limiting ${request} (${policy}) after ${RETRY_POLICY.maxRateLimitedRetries} waits: ` +
          'another process is spending the same key. Lower its concurrency or wait.',
        { status: 429, policy, waitMs, correlationId: body.correlationId },
      );
    }
    this.budget.penalize(kind, waitMs, grantedAt);
    this.onEvent({ type: 'rate-limited', status: 429, attempt: count, waitMs, path: spec.path });
  }

  private async retryOrThrow(spec: RequestSpec, attempt: number, failure: RetryableFailure): Promise<void> {
    if (attempt >= this.maxAttempts) throw failure.error;
    const waitMs = computeBackoffMs(attempt, this.random, failure.status);
    this.stats.retries += 1;
    this.onEvent({ type: 'retry', status: failure.status, attempt, waitMs, path: spec.path });
    await this.sleep(waitMs);
  }

  private parseSuccess(
    spec: RequestSpec,
    status: number,
    text: string,
  ): { ok: true; value: unknown } | { ok: false; error: HubSpotError } {
    if (text.length === 0) return { ok: true, value: undefined };
    const request = `${spec.method} ${spec.path}`;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      return {
        ok: false,
        error: new MalformedResponseError(
          `HubSpot answered ${request} with ${status} and a body that is not JSON (${text.length} characters, ` +
            'truncated or corrupt); retries ran out. Try again later.',
          { status, cause },
        ),
      };
    }
    if (spec.validate && !spec.validate(value)) {
      return {
        ok: false,
        error: new MalformedResponseError(
          `HubSpot answered ${request} with ${status} and JSON that lacks required fields; retries ran out. Try again later.`,
          { status },
        ),
      };
    }
    return { ok: true, value };
  }

  private toError(spec: RequestSpec, status: number, body: ReturnType<typeof parseErrorBody>): HubSpotError {
    const origin = this.baseUrl === CLIENT_DEFAULTS.baseUrl ? undefined : this.shownUrl;
    return toHubSpotError(status, body, {
      method: spec.method,
      path: spec.path,
      keySource: this.keyProvider.source,
      origin,
    });
  }

  private networkError(spec: RequestSpec, cause: unknown, key: string): TransientError {
    const code = (cause as { code?: string }).code ?? (cause as Error).name ?? 'error';
    const detail = scrubKey(String((cause as Error).message ?? cause), key);
    return new TransientError(
      `Request ${spec.method} ${spec.path} to ${this.shownUrl} failed (${code}: ${detail}); retries ran out. ` +
        'Check connectivity and try again later.',
      { cause: containsKey(cause, key) ? new Error(detail) : cause },
    );
  }
}

function scrubKey(text: string, key: string): string {
  return key.length > 0 ? text.split(key).join('[service key]') : text;
}

function containsKey(value: unknown, key: string): boolean {
  if (key.length === 0) return false;
  try {
    const error = value as Error;
    return `${String(value)} ${error?.message ?? ''} ${error?.stack ?? ''} ${JSON.stringify(value) ?? ''}`.includes(
      key,
    );
  } catch {
    return true;
  }
}
