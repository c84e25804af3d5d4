/** The node:http server: size check, auth, budgets, scopes, faults, then the route; admin calls under /_sim/. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Dataset } from '../data/dataset';
import type { SearchIndex } from '../data/search-index';
import { LIMITS } from '../settings';
import type { FaultKind } from '../types';
import { matchRoute } from './api-routes';
import { API_VERSIONS } from './api-versions';
import type { Faults } from './fault-injector';
import type { KeyStore } from './key-store';
import type { RateLimiter } from './rate-limiter';
import type { RequestLogStore } from './request-log';
import { missingScopes, objectNotFound, rateLimited, uriTooLong, validationError, type SimResponse } from './responses';
import type { RouteContext } from './route';
import type { LatencyModel } from './latency';
import { deliver, sendResponse, write, type Delivery } from './send';

export interface ServerParts {
  readonly dataset: Dataset;
  readonly searchIndex: SearchIndex;
  readonly keys: KeyStore;
  readonly limiter: RateLimiter;
  readonly faults: Faults;
  readonly log: RequestLogStore;
  /** Delays every API answer (not admin calls); zero by default. */
  readonly latency: LatencyModel;
  /** Handles /_sim/ admin calls. */
  readonly handleAdmin: (method: string, path: string, body: unknown) => SimResponse;
  /** The simulated portal's clock: its `Date` header, like the timestamps of its changes. */
  readonly now: () => number;
  /** Whether log entries name the properties each request asks for. */
  readonly logProperties?: boolean;
  baseUrl: string;
}

/** Creates the server (not yet listening). */
export function createSimServer(parts: ServerParts): Server {
  const server = createServer({ maxHeaderSize: 256 * 1024, keepAliveTimeout: 30_000 }, (req, res) => {
    handleRequest(parts, req, res).catch((error: unknown) => {
      if (!res.headersSent)
        write(res, { status: 500, body: JSON.stringify({ status: 'error', message: String(error) }) });
      else res.destroy();
    });
  });
  return server;
}

async function handleRequest(parts: ServerParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rawUrl = req.url ?? '/';
  const method = (req.method ?? 'GET').toUpperCase();
  const at = Date.now();
  const rawBody = await readBody(req);
  const [path, query] = rawUrl.split('?', 2);
  if (path.startsWith('/_sim/')) {
    write(res, parts.handleAdmin(method, path, parseJson(rawBody)));
    return;
  }
  const matched = matchRoute(method, path);
  const route = matched?.template ?? 'unknown';
  const apiVersion = matched?.version;
  const properties = parts.logProperties ? requestedProperties(query, parseJson(rawBody)) : [];
  const logged = ({ status, latencyMs }: Delivery, keyId?: string, numErrors?: number, fault?: FaultKind) =>
    parts.log.add({
      method,
      path,
      ...(query ? { query } : {}),
      route,
      ...(apiVersion ? { apiVersion } : {}),
      status,
      at,
      keyId,
      ...(latencyMs > 0 ? { latencyMs } : {}),
      ...(numErrors !== undefined && status !== 0 ? { numErrors } : {}),
      ...(fault !== undefined ? { fault } : {}),
      ...(properties.length ? { properties } : {}),
    });
  if (rawUrl.length > LIMITS.urlMaxChars) return logged(await deliver(res, uriTooLong(), parts.latency));
  const key = parts.keys.authenticate(req.headers.authorization);
  if ('status' in key) return logged(await deliver(res, key, parts.latency));
  // Counted when it came in, as HubSpot's gateway does, however busy this process was since.
  const budget = matched?.route.search
    ? parts.limiter.checkSearch(key.id, at)
    : parts.limiter.checkStandard(key.id, { tenSecondlyExempt: matched?.route.tenSecondlyExempt === true, at });
  const headers = { ...budget.headers, Date: new Date(parts.now()).toUTCString() };
  const send = async (response: SimResponse) =>
    logged(await deliver(res, { ...response, headers: { ...headers, ...response.headers } }, parts.latency), key.id);
  if (budget.limited) return send(rateLimited(budget.limited));
  if (!matched) return send(objectNotFound(`No route for ${method} ${path}`));
  const body = parseJson(rawBody);
  if (body === INVALID_JSON) return send(validationError('Invalid input JSON: the request body is not valid JSON'));
  const ctx: RouteContext = {
    params: matched.params,
    path,
    version: matched.version,
    behaviour: API_VERSIONS[matched.version],
    query: new URL(rawUrl, 'http://sim').searchParams,
    body,
    rawBody,
    dataset: parts.dataset,
    searchIndex: parts.searchIndex,
    baseUrl: parts.baseUrl,
  };
  for (const group of matched.route.scopes(ctx)) {
    if (!group.some((scope) => key.scopes.has(scope))) return send(missingScopes(group));
  }
  const fault = parts.faults.pick(method, path);
  // Building a wide page takes tens of milliseconds: requests that came in meanwhile are stamped first, as
  // HubSpot's gateway stamps each on arrival whatever its servers are doing.
  await new Promise<void>((resolve) => setImmediate(resolve));
  let numErrors: number | undefined;
  const handle = () => {
    const response = matched.route.handle(ctx);
    numErrors = response.numErrors;
    return response;
  };
  const delivery = await sendResponse(res, handle, fault, headers, parts.latency);
  // A truncated answer never reached the client whole: its errors were not reported.
  logged(delivery, key.id, fault?.kind === 'truncate' ? undefined : numErrors, fault?.kind);
}

/** The property names a request asks for, in the query (`properties=a,b`, repeatable) or the JSON body. */
function requestedProperties(query: string | undefined, body: unknown): string[] {
  const fromQuery = new URLSearchParams(query ?? '').getAll('properties').flatMap((list) => list.split(','));
  const fields = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const fromBody = [fields.properties, fields.propertiesWithHistory].flatMap((list) =>
    Array.isArray(list) ? list.map(String) : [],
  );
  return [...fromQuery, ...fromBody].map((name) => name.trim()).filter(Boolean);
}

const INVALID_JSON = Symbol('invalid json');

function parseJson(raw: string): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return INVALID_JSON;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
