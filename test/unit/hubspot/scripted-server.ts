/**
 * A tiny loopback HTTP server for client tests: each request is answered by the next scripted step
 * (the last step repeats), and every request is recorded.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { HubSpotClient, type HubSpotClientOptions } from '../../../lib/hubspot/client';
import { staticKeyProvider } from '../../../lib/hubspot/service-key';

export type Step = (req: IncomingMessage, res: ServerResponse) => void;

export interface RecordedRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

export interface ScriptedServer {
  url: string;
  requests: RecordedRequest[];
  script(...steps: Step[]): void;
  close(): Promise<void>;
}

export const reply =
  (status: number, body: unknown, headers: Record<string, string> = {}): Step =>
  (_req, res) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(text);
  };

/** Declares a longer body than it sends, then closes the socket. */
export const truncate: Step = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
  res.write('{"results":[');
  setTimeout(() => res.socket?.destroy(), 5);
};

export const reset: Step = (req) => {
  req.socket.destroy();
};

export const delay =
  (ms: number, step: Step): Step =>
  (req, res) => {
    const timer = setTimeout(() => step(req, res), ms);
    res.on('close', () => clearTimeout(timer));
  };

export async function startScriptedServer(): Promise<ScriptedServer> {
  let steps: Step[] = [reply(200, {})];
  let index = 0;
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const step = steps[Math.min(index, steps.length - 1)];
      index += 1;
      step(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(...next: Step[]) {
      steps = next;
      index = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ScriptedClient {
  server: ScriptedServer;
  /** A client of the server with a test key. */
  client: HubSpotClient;
  /** Another client of the same server, e.g. with a rate budget of its own. */
  clientWith(options: Partial<HubSpotClientOptions>): HubSpotClient;
}

/**
 * A scripted server and a client of it, started before the calling file's tests and closed after them.
 * @example const scripted = useScriptedClient(); ... scripted.server.script(reply(200, body)); await read(scripted.client);
 */
export function useScriptedClient(): ScriptedClient {
  let dispatcher: Agent;
  const scripted = {} as ScriptedClient;
  beforeAll(async () => {
    scripted.server = await startScriptedServer();
    dispatcher = new Agent({ keepAliveTimeout: 1000 });
    scripted.clientWith = (options) =>
      new HubSpotClient({
        baseUrl: scripted.server.url,
        keyProvider: staticKeyProvider('pat-na1-test'),
        dispatcher,
        ...options,
      });
    scripted.client = scripted.clientWith({});
  });
  afterAll(async () => {
    await dispatcher.close();
    await scripted.server.close();
  });
  return scripted;
}
