/**
 * One HTTP exchange over undici: sends the request, reads the whole body as text, and enforces the
 * headers and body timeouts with its own timers (undici's tick coarsely, about once a second).
 */
import { request, type Dispatcher } from 'undici';
import type { HeaderBag } from './rate-budget';
import { SyncError } from '../core/errors';

export interface ExchangeOptions {
  method: 'GET' | 'POST';
  key: string;
  payload?: string;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

export interface Exchange {
  status: number;
  headers: HeaderBag;
  text: string;
}

/** A request that outlived its headers or body timeout. */
export class ExchangeTimeoutError extends SyncError {
  override name = 'ExchangeTimeoutError';
  readonly code: string;

  constructor(phase: 'headers' | 'body', ms: number) {
    super(`no ${phase} within ${ms} ms`);
    this.code = phase === 'headers' ? 'HEADERS_TIMEOUT' : 'BODY_TIMEOUT';
  }
}

/** Sends one request and reads its full body; rejects on network errors, timeouts and cut-off bodies. */
export async function exchange(dispatcher: Dispatcher, url: string, options: ExchangeOptions): Promise<Exchange> {
  const abort = new AbortController();
  const arm = (phase: 'headers' | 'body', ms: number) =>
    setTimeout(() => abort.abort(new ExchangeTimeoutError(phase, ms)), ms);
  let timer = arm('headers', options.headersTimeoutMs);
  try {
    const response = await request(url, {
      dispatcher,
      method: options.method,
      headers: {
        authorization: `Bearer ${options.key}`,
        accept: 'application/json',
        ...(options.payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.payload,
      signal: abort.signal,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
    });
    clearTimeout(timer);
    timer = arm('body', options.bodyTimeoutMs);
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, text };
  } finally {
    clearTimeout(timer);
  }
}

/** `?a=1&b=x,y`: values percent-encoded, but commas kept literal (property lists stay short). */
export function buildQueryString(query: Record<string, string | number | boolean | undefined> | undefined): string {
  if (!query) return '';
  const parts = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value)).replace(/%2C/gi, ',')}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}
