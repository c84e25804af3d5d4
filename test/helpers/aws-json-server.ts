/**
 * A loopback server speaking the AWS JSON 1.1 protocol (Glue, Secrets Manager, EventBridge): the operation is named
 * by the X-Amz-Target header (`AWSGlue.GetTable`), input and output are JSON, and an error answers 400 with its
 * name as `__type`, which the real SDK clients turn back into the named exception. Point a client at it with
 * AWS_ENDPOINT_URL_<SERVICE>. For services that cannot run here; each test says what its handler answers.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type AwsJsonHandler = (target: string, input: Record<string, unknown>) => unknown;

export interface AwsJsonServer {
  endpoint: string;
  close(): Promise<void>;
}

export async function serveAwsJson(handle: AwsJsonHandler): Promise<AwsJsonServer> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(body));
      };
      const target = String(request.headers['x-amz-target'] ?? '');
      Promise.resolve()
        .then(() => handle(target, JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>))
        .then(
          (output) => reply(200, output ?? {}),
          (error: Error) => reply(400, { __type: error.name, message: error.message }),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
