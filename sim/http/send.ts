/** Writes a response, or a fault in its place (reset, truncated body, malformed JSON, delay, error status). */
import type { ServerResponse } from 'node:http';
import type { FaultRule } from '../types';
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

/** Sends `response` to `res` (applying `fault`); resolves with the status to log (0 for a reset). */
export async function sendResponse(
  res: ServerResponse,
  response: () => SimResponse,
  fault: FaultRule | undefined,
  extraHeaders: Record<string, string> = {},
): Promise<number> {
  if (fault?.kind === 'reset') {
    res.socket?.destroy();
    return 0;
  }
  if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1000));
  if (typeof fault?.kind === 'number') {
    const faulted = fault.kind === 429 ? rateLimited('TEN_SECONDLY_ROLLING') : errorFor(fault.kind);
    faulted.headers = { ...extraHeaders };
    if (fault.kind === 429 && fault.retryAfterSeconds !== undefined) {
      faulted.headers['Retry-After'] = String(fault.retryAfterSeconds);
    }
    return write(res, faulted);
  }
  if (fault?.kind === 'malformed') return write(res, { status: 200, body: '{"results":[{"id":"1","properties":{' });
  const real = response();
  real.headers = { ...extraHeaders, ...real.headers };
  if (fault?.kind === 'truncate') {
    const bytes = toBytes(real.body);
    res.writeHead(real.status, {
      ...real.headers,
      'content-type': 'application/json;charset=utf-8',
      'content-length': String(bytes.length + 1024),
    });
    // The client waits for bytes that never come: close the socket so it sees a premature end.
    const socket = res.socket;
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => socket?.destroy());
    return real.status;
  }
  return write(res, real);
}

function errorFor(status: number): SimResponse {
  return json(status, { status: 'error', message: FAULT_MESSAGES[status] ?? 'error', category: 'INTERNAL_ERROR' });
}

/** Writes a response value; returns its status. */
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
