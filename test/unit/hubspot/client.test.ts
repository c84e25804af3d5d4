import { Agent } from 'undici';
import { HubSpotClient, buildQueryString, withoutCredentials, type ClientEvent } from '../../../lib/hubspot/client';
import {
  DailyBudgetExhaustedError,
  MalformedResponseError,
  MissingScopesError,
  NotFoundError,
  TransientError,
  UnauthorizedError,
  UriTooLongError,
  ValidationError,
} from '../../../lib/hubspot/errors';
import { listProperties } from '../../../lib/hubspot/metadata';
import { RateBudget } from '../../../lib/hubspot/rate-budget';
import { staticKeyProvider } from '../../../lib/hubspot/service-key';
import { delay, reply, reset, startScriptedServer, truncate, type ScriptedServer, type Step } from './scripted-server';

const SENTINEL = 'pat-na1-SENTINEL-0000-secret';
const OK = reply(200, { results: [] });

describe('Class: HubSpotClient', () => {
  let server: ScriptedServer;
  let dispatcher: Agent;

  beforeAll(async () => {
    server = await startScriptedServer();
    dispatcher = new Agent({ keepAliveTimeout: 1000 });
  });
  afterAll(async () => {
    await dispatcher.close();
    await server.close();
  });

  /** A client on a fake clock: retry sleeps and budget waits are recorded, not slept. */
  function makeClient(
    options: { key?: () => string; requestTimeoutMs?: number; maxAttempts?: number; baseUrl?: string } = {},
  ) {
    const clock = { t: 0 };
    const sleeps: number[] = [];
    const events: ClientEvent[] = [];
    const budget = new RateBudget({
      now: () => clock.t,
      sleep: async (ms) => {
        clock.t += ms;
      },
    });
    const client = new HubSpotClient({
      baseUrl: options.baseUrl ?? server.url,
      keyProvider: staticKeyProvider(options.key ?? (() => SENTINEL), 'environment variable HUBSPOT_SERVICE_KEY'),
      budget,
      dispatcher,
      requestTimeoutMs: options.requestTimeoutMs ?? 2000,
      maxAttempts: options.maxAttempts,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      now: () => clock.t,
      onEvent: (event) => events.push(event),
    });
    return { client, sleeps, events, budget, clock };
  }

  const get = { method: 'GET', path: '/crm/v3/objects/contacts' } as const;

  it('sends the bearer key and returns the parsed body', async () => {
    server.script(reply(200, { results: [{ id: '1' }] }));
    const { client } = makeClient();
    expect(await client.request(get)).toEqual({ results: [{ id: '1' }] });
    expect(server.requests).toEqual([
      { method: 'GET', url: '/crm/v3/objects/contacts', authorization: `Bearer ${SENTINEL}`, body: '' },
    ]);
    expect(client.stats).toEqual({ requests: 1, retries: 0, rateLimited: 0, errors: 0 });
  });

  it('returns a 207 body for the caller to read its errors', async () => {
    server.script(reply(207, { status: 'COMPLETE', results: [], numErrors: 1, errors: [{ message: 'gone' }] }));
    const { client } = makeClient();
    expect(await client.request({ method: 'POST', path: '/x/batch/read', body: { inputs: [] } })).toEqual({
      status: 'COMPLETE',
      results: [],
      numErrors: 1,
      errors: [{ message: 'gone' }],
    });
    expect(server.requests[0].body).toBe('{"inputs":[]}');
  });

  it('re-reads the key once after a 401 and succeeds with the rotated key', async () => {
    let key = 'old-key';
    server.script((req, res) => {
      key = 'new-key';
      reply(401, { category: 'EXPIRED_AUTHENTICATION' })(req, res);
    }, OK);
    const { client, events } = makeClient({ key: () => key });
    await client.request(get);
    expect(server.requests.map((r) => r.authorization)).toEqual(['Bearer old-key', 'Bearer new-key']);
    expect(events).toEqual([{ type: 'key-refreshed', status: 401, path: '/crm/v3/objects/contacts' }]);
  });

  it('throws UnauthorizedError naming the source, never the key, when the re-read key fails too', async () => {
    server.script(reply(401, { category: 'INVALID_AUTHENTICATION', message: 'Authentication credentials not found.' }));
    const { client, events } = makeClient();
    const error = await client.request(get).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as UnauthorizedError).message).toBe(
      'HubSpot rejected the service key from environment variable HUBSPOT_SERVICE_KEY (INVALID_AUTHENTICATION) for ' +
        `GET /crm/v3/objects/contacts at ${server.url}, also after re-reading it. ` +
        'Put a valid, unexpired service key in environment variable HUBSPOT_SERVICE_KEY.',
    );
    expect(server.requests).toHaveLength(2);
    expect(client.stats.errors).toBe(1);
    expect(JSON.stringify(events).includes(SENTINEL)).toBe(false);
  });

  it('never shows the credentials a --hubspot-url may carry', async () => {
    server.script(reply(501, {}));
    const withCredentials = server.url.replace('http://', 'http://proxy-user:proxy-secret@');
    const { client } = makeClient({ baseUrl: withCredentials, maxAttempts: 1 });
    const error = (await client.request(get).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(`at ${server.url.replace('http://', 'http://***@')} with 501`);
    expect(error.message).not.toContain('proxy-secret');
    expect(withoutCredentials('https://api.hubapi.com')).toBe('https://api.hubapi.com');
  });

  it.each<[string, Step]>([
    ['500', reply(500, {})],
    ['502', reply(502, 'Bad gateway')],
    ['503', reply(503, {})],
    ['504', reply(504, {})],
    ['521', reply(521, {})],
    ['523', reply(523, {})],
    ['524', reply(524, {})],
    ['a connection reset', reset],
    ['a truncated body', truncate],
    ['malformed JSON', reply(200, '{"results":[')],
    ['JSON without results', reply(200, { status: 'ok' })],
    ['a response slower than the timeout', delay(400, OK)],
  ])('retries after %s and then succeeds', async (_label, failure) => {
    server.script(failure, failure, OK);
    const { client, sleeps, events } = makeClient({ requestTimeoutMs: 150 });
    const body = await client.request({ ...get, validate: (b) => Array.isArray((b as { results?: unknown }).results) });
    expect(body).toEqual({ results: [] });
    expect(sleeps).toEqual([250, 500]); // full jitter with random 0.5: 0.5 * 500, 0.5 * 1000
    expect(client.stats).toEqual({ requests: 3, retries: 2, rateLimited: 0, errors: 0 });
    expect(events.map((e) => [e.type, e.attempt])).toEqual([
      ['retry', 1],
      ['retry', 2],
    ]);
  });

  it('waits at least 2 s after a 423', async () => {
    server.script(reply(423, {}), OK);
    const { client, sleeps } = makeClient();
    await client.request(get);
    expect(sleeps).toEqual([2000]);
  });

  it.each<[string, Step, new (...args: never[]) => Error]>([
    ['503', reply(503, { category: 'SERVICE_UNAVAILABLE' }), TransientError],
    ['malformed JSON', reply(200, 'nope'), MalformedResponseError],
    ['resets', reset, TransientError],
  ])('gives up after maxAttempts of %s', async (_label, failure, type) => {
    server.script(failure);
    const { client } = makeClient({ maxAttempts: 3 });
    const error = await client.request(get).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(client.stats).toEqual({ requests: 3, retries: 2, rateLimited: 0, errors: 1 });
    expect(String(error).includes(SENTINEL)).toBe(false);
    expect(String((error as Error).cause ?? '').includes(SENTINEL)).toBe(false);
  });

  it.each([
    ['a definition without a name', { results: [{ type: 'string' }] }],
    ['a definition without a type', { results: [{ name: 'email' }] }],
    ['a definition that is not an object', { results: [null] }],
  ])('reports property definitions with %s as a malformed response', async (_label, body) => {
    server.script(reply(200, body), reply(200, body), reply(200, body));
    const { client } = makeClient({ maxAttempts: 3 });
    const error = await listProperties(client, 'contacts').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(server.requests).toHaveLength(3);
  });

  it.each<[number, object, new (...args: never[]) => Error]>([
    [400, { category: 'VALIDATION_ERROR', message: 'bad' }, ValidationError],
    [403, { category: 'MISSING_SCOPES', errors: [{ context: { requiredScopes: ['tickets'] } }] }, MissingScopesError],
    [404, { category: 'OBJECT_NOT_FOUND' }, NotFoundError],
    [414, {}, UriTooLongError],
  ])('does not retry %d', async (status, body, type) => {
    server.script(reply(status, body));
    const { client } = makeClient();
    const error = await client.request(get).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(server.requests).toHaveLength(1);
  });

  it('reports the scope of a 403', async () => {
    server.script(
      reply(403, {
        category: 'MISSING_SCOPES',
        errors: [{ context: { requiredGranularScopes: ['crm.objects.deals.read'] } }],
      }),
    );
    const { client } = makeClient();
    const error = (await client.request(get).catch((e: unknown) => e)) as MissingScopesError;
    expect(error.scopes).toEqual(['crm.objects.deals.read']);
  });

  it.each([
    ['TEN_SECONDLY_ROLLING without Retry-After waits a fifth of the window', 'TEN_SECONDLY_ROLLING', {}, 2_000],
    ['Retry-After is honoured', 'TEN_SECONDLY_ROLLING', { 'retry-after': '3' }, 3000],
    ['SECONDLY waits a second', 'SECONDLY', {}, 1000],
  ])('waits out a 429 in the budget: %s', async (_label, policyName, headers, waitMs) => {
    server.script(reply(429, { errorType: 'RATE_LIMIT', policyName }, headers), OK);
    const { client, events, clock, sleeps } = makeClient();
    await client.request(get);
    expect(events).toEqual([
      { type: 'rate-limited', status: 429, attempt: 1, waitMs, path: '/crm/v3/objects/contacts' },
    ]);
    expect(clock.t).toBe(waitMs);
    expect(sleeps).toEqual([]);
    expect(client.stats).toEqual({ requests: 2, retries: 0, rateLimited: 1, errors: 0 });
  });

  it('stops at a DAILY 429 without retrying and refuses further requests', async () => {
    server.script(reply(429, { errorType: 'RATE_LIMIT', policyName: 'DAILY' }));
    const { client } = makeClient();
    await expect(client.request(get)).rejects.toBeInstanceOf(DailyBudgetExhaustedError);
    await expect(client.request(get)).rejects.toBeInstanceOf(DailyBudgetExhaustedError);
    expect(server.requests).toHaveLength(1);
  });

  it('stops before spending the daily reserve taught by headers', async () => {
    server.script(reply(200, { results: [] }, { 'x-hubspot-ratelimit-daily-remaining': '1000' }));
    const { client } = makeClient();
    await client.request(get);
    const error = (await client.request(get).catch((e: unknown) => e)) as DailyBudgetExhaustedError;
    expect(error).toBeInstanceOf(DailyBudgetExhaustedError);
    expect(error.remaining).toBe(1000);
    expect(server.requests).toHaveLength(1);
  });
});

describe('Function: buildQueryString', () => {
  it.each([
    [undefined, ''],
    [{}, ''],
    [{ limit: 100, after: undefined, archived: true }, '?limit=100&archived=true'],
    [{ properties: 'a,b c,é' }, '?properties=a,b%20c,%C3%A9'],
  ])('builds %j as %s', (query, expected) => {
    expect(buildQueryString(query)).toBe(expected);
  });
});
