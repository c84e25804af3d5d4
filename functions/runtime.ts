import { mkdir, rm } from 'node:fs/promises';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { KEY_KINDS, RateBudget, searchShare, secretsManagerKeyProvider } from '../lib/hubspot';
import { archivedListSettings } from '../lib/sync/archived-sweep';
import { createSyncRuntime, type SyncRuntime } from '../lib/sync/create-deps';
import type { CompletionEvent, EventPublisher } from '../lib/sync/events';
import { METRICS_NAMESPACE, type MetricPoint } from '../lib/sync/run-metrics';
import { readFunctionConfig, type FunctionConfig } from './env';

export const logger = new Logger({ serviceName: 'hubspot-s3-sync' });

/**
 * DuckDB's memory limit: 60% of the function's memory, and at least 1 GiB left over, since the process runs ~400 MB
 * above the limit on wide parts (create-deps.ts) and Node, the next pages and the upload need the rest; 256 MB at least.
 */
export function duckdbMemoryFor(env: NodeJS.ProcessEnv): string {
  const functionMiB = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? 2048);
  return `${Math.max(256, Math.min(Math.floor(functionMiB * 0.6), functionMiB - 1024))}MB`;
}

/** The functions' scratch folder: /tmp outlives a process that Lambda killed (timeout, out of memory). */
const WORK_DIR = '/tmp/hubspot-s3-sync';

let runtime: Promise<SyncRuntime> | undefined;
let config: FunctionConfig | undefined;

/**
 * The engine's dependencies as a function configured by `config` builds them, scratch files in `workDir`: keys read
 * from their secrets, Powertools' logger, a DuckDB sized to the function. getRuntime makes one per warm container.
 */
export function createFunctionRuntime(config: FunctionConfig, workDir: string): Promise<SyncRuntime> {
  const { location, secretId, hubspotUrl, glueDatabase, glueTablePrefix, parallelObjects, associationPairs } = config;
  const { objectParallelism, apiVersion, excludeProperties, hashProperties, hashKeySecretId } = config;
  const archivedLists = archivedListSettings(config.listArchivedEveryHours, config.listArchivedAtMostEveryHours);
  return createSyncRuntime({
    keyProvider: secretsManagerKeyProvider({ secretId }),
    // The hash key, like the service key, is read from its secret: the environment holds only the secret's ARN.
    ...(hashKeySecretId
      ? { hashKey: secretsManagerKeyProvider({ secretId: hashKeySecretId, kind: KEY_KINDS.hash }) }
      : {}),
    location,
    baseUrl: hubspotUrl,
    workDir,
    log: {
      info: (message, fields) => logger.info(message, { ...fields }),
      warn: (message, fields) => logger.warn(message, { ...fields }),
    },
    duckdb: { memoryLimit: duckdbMemoryFor(process.env) },
    // Search answers carry no rate-limit headers: the objects exported at once split the key's search rate.
    client: { budget: new RateBudget(searchShare(parallelObjects)), ...(apiVersion ? { apiVersion } : {}) },
    // Items wait in the Map queue without renewing: hold leases for the state machine's whole timeout.
    settings: {
      leaseTtlMs: 24 * 60 * 60_000,
      ...(associationPairs ? { associationPairs } : {}),
      ...(objectParallelism ? { slicesPerObject: objectParallelism } : {}),
      ...archivedLists,
      ...(excludeProperties ? { excludeProperties } : {}),
      ...(hashProperties ? { hashProperties } : {}),
    },
    ...(glueDatabase ? { glue: { database: glueDatabase, tablePrefix: glueTablePrefix } } : {}),
  });
}

/** Built once per warm container: the secret cache, rate budget, DuckDB and connections survive invocations. */
export function getRuntime(): Promise<SyncRuntime> {
  const read = (config ??= readFunctionConfig());
  // A new process starts with an empty scratch folder: a killed one left its spools, parts and DuckDB spill there.
  runtime ??= rm(WORK_DIR, { recursive: true, force: true })
    .then(() => mkdir(WORK_DIR, { recursive: true }))
    .then(() => createFunctionRuntime(read, WORK_DIR));
  // A failed start must not stick to the warm container: the next invocation tries again.
  runtime.catch(() => (runtime = undefined));
  return runtime;
}

const EVENTS_PER_CALL = 10;

/** Publishes completion events to EventBridge, ten per PutEvents call; failed entries are an error. */
export function eventBridgePublisher(
  client = new EventBridgeClient({}),
  busName = readFunctionConfig().eventBusName,
): EventPublisher {
  return async (events: CompletionEvent[]) => {
    for (let i = 0; i < events.length; i += EVENTS_PER_CALL) {
      const entries = events.slice(i, i + EVENTS_PER_CALL).map((e) => ({
        Source: e.source,
        DetailType: e.detailType,
        Detail: JSON.stringify(e.detail),
        EventBusName: busName,
      }));
      const out = await client.send(new PutEventsCommand({ Entries: entries }));
      if (out.FailedEntryCount) throw new Error(`EventBridge rejected ${out.FailedEntryCount} completion event(s)`);
    }
  };
}

/** Publishes metric points as CloudWatch embedded metric format (EMF) lines on stdout, one per dimension set. */
export type MetricsPublisher = (points: MetricPoint[]) => void;

/**
 * EMF through Powertools Metrics. The `service` default dimension is dropped, so the dimensions are exactly the
 * points' own (Mode; Dataset and Mode), as the stack's alarms name them.
 */
export function emfMetricsPublisher(metrics = new Metrics({ namespace: METRICS_NAMESPACE })): MetricsPublisher {
  metrics.clearDefaultDimensions();
  return (points) => {
    const groups = new Map<string, MetricPoint[]>();
    for (const point of points) {
      const key = JSON.stringify(point.dimensions);
      groups.set(key, [...(groups.get(key) ?? []), point]);
    }
    for (const group of groups.values()) {
      metrics.addDimensions(group[0].dimensions);
      for (const { name, unit, value } of group) metrics.addMetric(name, unit, value);
      metrics.publishStoredMetrics();
    }
  };
}
