import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GlueClient } from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { Agent } from 'undici';
import {
  CLIENT_DEFAULTS,
  HubSpotClient,
  RateBudget,
  RequestScheduler,
  type HubSpotClientOptions,
  type ServiceKeyProvider,
} from '../hubspot';
import { openDuckDb, type DuckDb, type DuckDbOptions } from '../parquet';
import { GlueCatalog, type GlueCatalogOptions } from '../store/catalog';
import { InvalidKeyError } from '../store/errors';
import { parseLocation } from '../store/location';
import { openTarget } from '../store/open-target';
import { PlanCache } from './plan-cache';
import {
  DEFAULT_SYNC_SETTINGS,
  type SyncDeps,
  type SyncHooks,
  type SyncLogger,
  type ProgressEvent,
  type SyncSettings,
} from './deps';

export interface CreateSyncDepsOptions {
  keyProvider: ServiceKeyProvider;
  /** Output folder or s3://bucket/prefix. */
  location: string;
  baseUrl?: string;
  s3Client?: S3Client;
  /** Scratch folder; default a new temp folder, removed by `close()`. */
  workDir?: string;
  log: SyncLogger;
  settings?: Partial<SyncSettings>;
  duckdb?: DuckDbOptions;
  client?: Partial<HubSpotClientOptions>;
  onProgress?: (event: ProgressEvent) => void;
  hooks?: SyncHooks;
  now?: () => Date;
  /** The key of hashed properties (settings.hashProperties): HUBSPOT_S3_SYNC_HASH_KEY or a Secrets Manager secret. */
  hashKey?: ServiceKeyProvider;
  /** Register each published dataset in this Glue database (S3 locations only); the client defaults to the SDK's. */
  glue?: Omit<GlueCatalogOptions, 'client' | 'location'> & { client?: GlueCatalogOptions['client'] };
}

/** The Glue catalog of `options.glue`; Glue tables need S3 locations, so a local folder is refused up front. */
function openCatalog(options: CreateSyncDepsOptions): GlueCatalog | undefined {
  if (!options.glue) return undefined;
  if (parseLocation(options.location).kind !== 's3') {
    throw new InvalidKeyError(
      `A Glue database (${options.glue.database}) needs an s3:// output location, not ${options.location}`,
    );
  }
  return new GlueCatalog({
    ...options.glue,
    location: options.location,
    client: options.glue.client ?? new GlueClient({}),
  });
}

/**
 * DuckDB's Parquet writer holds buffers per column, so wide objects need memory whatever the row count.
 * Measured with 100,000 simulator contacts x 630 columns (2 threads, 64 KiB string dictionaries): 1.2 GB 15 s,
 * 768 MB 17 s, 512 MB 270 s (spilling). 1 GB by default; the process's RSS runs ~400 MB above the limit.
 */
export const DEFAULT_DUCKDB_MEMORY = '1GB';

/** Engine dependencies plus what a driver needs to hand each object its own client. */
export interface SyncRuntime {
  deps: SyncDeps;
  /** A client of its own (per-object request counts) sharing the key, budget and connection pool; nothing to close. */
  newClient(): HubSpotClient;
  close(): Promise<void>;
}

/**
 * Builds the engine's dependencies for either driver: one rate budget for the process, a lazily
 * opened DuckDB, a scratch folder, and the storage target.
 */
export async function createSyncRuntime(options: CreateSyncDepsOptions): Promise<SyncRuntime> {
  const catalog = openCatalog(options);
  const workDir = options.workDir ?? (await mkdtemp(path.join(os.tmpdir(), 'hubspot-s3-sync-')));
  const budget = options.client?.budget ?? new RateBudget();
  // One scheduler for the process: every object's readers ask it how many requests the budget can take.
  const scheduler = options.client?.scheduler ?? new RequestScheduler(budget);
  // One connection pool for every client: a warm Lambda makes a client per invocation and must not pile up sockets.
  const dispatcher =
    options.client?.dispatcher ??
    new Agent({ connections: CLIENT_DEFAULTS.connections, keepAliveTimeout: CLIENT_DEFAULTS.keepAliveTimeoutMs });
  const newClient = () =>
    new HubSpotClient({
      baseUrl: options.baseUrl,
      ...options.client,
      keyProvider: options.keyProvider,
      budget,
      scheduler,
      dispatcher,
    });
  let db: Promise<DuckDb> | undefined;
  const deps: SyncDeps = {
    client: newClient(),
    target: openTarget(options.location, { s3Client: options.s3Client }),
    workDir,
    duckdb: () =>
      (db ??= openDuckDb({
        memoryLimit: DEFAULT_DUCKDB_MEMORY,
        tempDir: path.join(workDir, 'duckdb'),
        ...options.duckdb,
      })),
    now: options.now ?? (() => new Date()),
    log: options.log,
    settings: { ...DEFAULT_SYNC_SETTINGS, ...options.settings },
    catalog,
    onProgress: options.onProgress,
    hooks: options.hooks,
    plans: new PlanCache(),
    ...(options.hashKey ? { hashKey: options.hashKey } : {}),
  };
  return {
    deps,
    newClient,
    async close() {
      if (!options.client?.dispatcher) await dispatcher.close();
      if (db) await (await db).close();
      if (!options.workDir) await rm(workDir, { recursive: true, force: true });
    },
  };
}
