/** Tiny undici helpers for the simulator tests. */
import { request } from 'undici';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** Sends one request and reads the whole body. */
export async function call(
  url: string,
  key: string | undefined,
  options: { method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; body?: unknown } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** Follows list paging to the end; returns every record and the number of pages. */
export async function pageAll(
  base: string,
  key: string,
  path: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ records: any[]; pages: number }> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const records: any[] = [];
  let after: string | undefined;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await call(`${base}${path}${after ? `${sep}after=${after}` : ''}`, key);
    if (res.status !== 200) throw new Error(`status ${res.status}: ${res.text.slice(0, 200)}`);
    pages++;
    records.push(...res.json.results);
    after = res.json.paging?.next?.after;
  } while (after);
  return { records, pages };
}
