/** Starts s3rver (the real S3 wire protocol) on 127.0.0.1 with a temp folder and one bucket. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

interface S3rverStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  deleteObject(bucket: string, key: string): Promise<void>;
}

// s3rver ships no types.
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverServer & { store: S3rverStore };

/**
 * s3rver on 127.0.0.1 serving `bucket` from `directory`. Its file store removes a key's folder once a delete leaves it
 * empty, so a PUT of a sibling key racing that delete opens its file in a folder just removed, and the unhandled
 * ENOENT of its write stream kills the process. S3 has no folders: here a delete removes the object's files only.
 */
export function createS3rver(options: { directory: string; bucket: string; port?: number }): S3rverServer {
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    configureBuckets: [{ name: options.bucket }],
  });
  const store = server.store;
  store.deleteObject = async (bucket, key) => {
    const files = ['object', 'object.md5', 'metadata.json'].map((resource) =>
      store.getResourcePath(bucket, key, resource),
    );
    await Promise.all(files.map((file) => rm(file, { force: true })));
  };
  return server;
}

export interface S3rverHandle {
  endpoint: string;
  bucket: string;
  client: S3Client;
  /** Config of `client`, to build more clients against the same server. */
  clientConfig: S3ClientConfig;
  /** Folder s3rver stores objects in. */
  directory: string;
  close(): Promise<void>;
}

/**
 * @example const s3 = await startS3rver(); const target = openTarget(`s3://${s3.bucket}/x`, { s3Client: s3.client });
 */
export async function startS3rver(options: { bucket?: string } = {}): Promise<S3rverHandle> {
  const bucket = options.bucket ?? 'test-bucket';
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = createS3rver({ directory, bucket });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
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
    directory,
    async close() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
