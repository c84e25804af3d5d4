/**
 * Writes a response, or a fault in its place (reset, truncated body, malformed JSON, delay, error status), after the
 * latency model's delay for its size.
 */
import type { ServerResponse } from 'node:http';
import type { FaultRule } from '../types';
import type { LatencyModel } from './latency';
import { json, rateLimited, type SimResponse } from './responses';

const FAULT_MESSAGES: Record<number, string> = {
  423: 'The resource is locked. Try again later.',
  500: 'internal error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  521: 'Web server is down',
  523: 'Origin is unreachable',
  524: 'A timeout occurred',
};

/** A load balancer's own error page: HTML, no rate headers. */
const GATEWAY_PAGE: SimResponse = {
  status: 502,
  body:
    '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
    '</body>\r\n</html>\r\n',
  headers: { 'content-type': 'text/html' },
};

/** One record, as GET /crm/v3/objects/{type}/{id} answers: valid JSON, but no page of any endpoint read here. */
const OTHER_ENDPOINTS_ANSWER = {
  id: '1',
  properties: { hs_object_id: '1' },
  createdAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-01T00:00:00.000Z',
  archived: false,
};

/** What went out: the status to log (0 when nothing reached the client) and the latency waited. */
export interface Delivery {
  status: number;
  latencyMs: number;
}

/** Sends `response` to `res` (applying `fault`) after its latency. */
export async function sendResponse(
  res: ServerResponse,
  response: () => SimResponse,
  fault: FaultRule | undefined,
  extraHeaders: Record<string, string>,
  latency: LatencyModel,
): Promise<Delivery> {
  if (fault?.kind === 'reset') {
    res.socket?.destroy();
    return { status: 0, latencyMs: 0 };
  }
  if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1000));
  if (typeof fault?.kind === 'number') {
    const faulted = fault.kind === 429 ? rateLimited('TEN_SECONDLY_ROLLING') : errorFor(fault.kind);
    faulted.headers = { ...extraHeaders };
    if (fault.kind === 429 && fault.retryAfterSeconds !== undefined) {
      faulted.headers['Retry-After'] = String(fault.retryAfterSeconds);
    }
    return deliver(res, faulted, latency);
  }
  if (fault?.kind === 'malformed') {
    return deliver(res, { status: 200, body: '{"results":[{"id":"1","properties":{' }, latency);
  }
  if (fault?.kind === 'html-502') return deliver(res, GATEWAY_PAGE, latency);
  if (fault?.kind === 'wrong-body')
    return deliver(res, { ...json(200, OTHER_ENDPOINTS_ANSWER), headers: extraHeaders }, latency);
  const real = response();
  real.headers = { ...extraHeaders, ...real.headers };
  if (fault?.kind === 'truncate') {
    const held = await hold(real, latency);
    if (held.gone(res)) return { status: 0, latencyMs: held.latencyMs };
    res.writeHead(real.status, {
      ...real.headers,
      'content-type': 'application/json;charset=utf-8',
      'content-length': String(held.bytes.length + 1024),
    });
    // The client waits for bytes that never come: close the socket so it sees a premature end.
    const socket = res.socket;
    res.write(held.bytes.subarray(0, Math.floor(held.bytes.length / 2)), () => socket?.destroy());
    return { status: real.status, latencyMs: held.latencyMs };
  }
  return deliver(res, real, latency);
}

/** Writes `response` once its latency has passed. */
export async function deliver(res: ServerResponse, response: SimResponse, latency: LatencyModel): Promise<Delivery> {
  const held = await hold(response, latency);
  if (held.gone(res)) return { status: 0, latencyMs: held.latencyMs };
  const status = write(res, { ...response, body: held.bytes, onSent: held.onSent });
  return { status, latencyMs: held.latencyMs };
}

/**
 * Waits out the latency of `response`. A delayed answer in a pooled page buffer is copied to its exact size and the
 * buffer goes back to the pool before the wait: a thousand answers in flight hold their bytes, not a thousand
 * 4 MB buffers.
 */
async function hold(response: SimResponse, latency: LatencyModel) {
  let bytes = toBytes(response.body);
  const latencyMs = latency.delayFor(bytes.length);
  let onSent = response.onSent;
  if (latencyMs > 0) {
    if (onSent) {
      bytes = Buffer.from(bytes);
      onSent();
      onSent = undefined;
    }
    await latency.wait(latencyMs);
  }
  // A client that hung up during the wait gets nothing (logged as status 0).
  const gone = (res: ServerResponse) => latencyMs > 0 && (res.destroyed || res.socket?.destroyed !== false);
  return { bytes, onSent, latencyMs, gone };
}

function errorFor(status: number): SimResponse {
  return json(status, { status: 'error', message: FAULT_MESSAGES[status] ?? 'error', category: 'INTERNAL_ERROR' });
}

/** Writes a response value at once; returns its status. */
export function write(res: ServerResponse, response: SimResponse): number {
  const headers: Record<string, string | number> = {
    'content-type': 'application/json;charset=utf-8',
    ...response.headers,
  };
  if (response.status === 204) {
    res.writeHead(204, headers);
    res.end();
    return 204;
  }
  const bytes = toBytes(response.body);
  headers['content-length'] = bytes.length;
  res.writeHead(response.status, headers);
  // 'finish' comes once the last byte went to the OS; after a reset it never comes and the buffer is not reused.
  if (response.onSent) res.once('finish', response.onSent);
  res.end(bytes);
  return response.status;
}

function toBytes(body: string | Buffer): Buffer {
  return typeof body === 'string' ? Buffer.from(body) : body;
}
