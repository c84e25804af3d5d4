/**
 * S3 as the chaos scenarios see it: s3rver (the real S3 wire protocol) behind a fault proxy. The proxy fails a
 * share of the requests matching a rule (503 SlowDown, 500 InternalError, or a reset connection), and s3rver itself
 * can be stopped and started again on the same port and folder, as an S3 endpoint that goes away for a while.
 */
import { createServer, request as forward, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { createS3rver } from '../../test/helpers/s3rver';

export type S3FaultKind = 'slowdown' | 'internal' | 'reset';

export interface S3FaultRule {
  kind: S3FaultKind;
  /** e.g. 'PUT'; default any method. */
  method?: string;
  /** Tested against the object key (the path after the bucket); default every key. */
  key?: RegExp;
  /** Fail the next N matching requests; default unlimited. */
  times?: number;
  /** Share 0..1 of matching requests failed, drawn from a seeded generator; default all. */
  rate?: number;
}

const ERROR_BODIES: Record<Exclude<S3FaultKind, 'reset'>, { status: number; code: string; message: string }> = {
  slowdown: { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
  internal: { status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' },
};

/** A small seeded generator (mulberry32): the same scenario fails the same requests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface S3Store {
  /** What the engine's S3 client talks to (the proxy). */
  readonly endpoint: string;
  readonly bucket: string;
  /** A client of the proxy, as the engine gets it. */
  readonly client: S3Client;
  readonly clientConfig: S3ClientConfig;
  /** Adds a fault rule (rules are tried in order). */
  fail(rule: S3FaultRule): void;
  clearFaults(): void;
  /** Requests the proxy failed so far, and requests it passed on. */
  readonly counts: { failed: number; forwarded: number };
  /** Stops s3rver (requests are refused) until start() starts it again on the same port and folder. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

interface ActiveRule {
  rule: S3FaultRule;
  left: number;
}

/** The object key of a path-style request: /bucket/key?query -> key. */
const keyOf = (url: string, bucket: string): string => decodeURIComponent(url.split('?')[0].slice(bucket.length + 2));

export async function startS3Store(options: { bucket?: string; seed?: number } = {}): Promise<S3Store> {
  const bucket = options.bucket ?? 'lake';
  const directory = await mkdtemp(join(tmpdir(), 'chaos-s3-'));
  let port = 0;
  let s3rver: ReturnType<typeof createS3rver> | undefined;
  const start = async () => {
    s3rver = createS3rver({ directory, bucket, port });
    port = (await s3rver.run()).port;
  };
  await start();

  const random = seededRandom(options.seed ?? 1);
  let rules: ActiveRule[] = [];
  const counts = { failed: 0, forwarded: 0 };
  const pick = (req: IncomingMessage): S3FaultRule | undefined => {
    const key = keyOf(req.url ?? '/', bucket);
    for (const active of rules) {
      const { rule } = active;
      if (active.left <= 0) continue;
      if (rule.method && rule.method !== req.method) continue;
      if (rule.key && !rule.key.test(key)) continue;
      if (rule.rate !== undefined && random() >= rule.rate) continue;
      active.left -= 1;
      return rule;
    }
    return undefined;
  };

  const proxy: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const fault = pick(req);
      if (fault) {
        counts.failed += 1;
        if (fault.kind === 'reset') {
          req.socket.destroy();
          return;
        }
        const { status, code, message } = ERROR_BODIES[fault.kind];
        res.writeHead(status, { 'content-type': 'application/xml' });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
        );
        return;
      }
      counts.forwarded += 1;
      const upstream = forward(
        { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      // s3rver stopped: the client sees its connection dropped, as with an endpoint that went away.
      upstream.on('error', () => req.socket.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const clientConfig: S3ClientConfig = {
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  };
  const client = new S3Client(clientConfig);
  return {
    endpoint,
    bucket,
    client,
    clientConfig,
    counts,
    fail: (rule) => void rules.push({ rule, left: rule.times ?? Infinity }),
    clearFaults: () => void (rules = []),
    async stop() {
      await s3rver?.close();
      s3rver = undefined;
    },
    start,
    async close() {
      client.destroy();
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await s3rver?.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
