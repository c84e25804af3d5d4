/** One simulator + one storage target + the engine's dependencies, as the end-to-end tests use them. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { staticKeyProvider, type ServiceKeyProvider } from '../../lib/hubspot';
import type { HubSpotRecord } from '../../lib/hubspot/types';
import { openDuckDb, type DuckDb } from '../../lib/parquet';
import { readLatest, readManifest, type Manifest } from '../../lib/store/manifest';
import type { TableRef } from '../../lib/store/layout';
import type { StorageTarget } from '../../lib/store/target';
import { createSyncRuntime, type CreateSyncDepsOptions, type SyncRuntime } from '../../lib/sync/create-deps';
import type { SyncDeps } from '../../lib/sync/deps';
import { runLocally, type LocalRunOptions } from '../../lib/sync/local-driver';
import { parseRunInput } from '../../lib/sync/run-input';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../sim';
import { expectedColumns, expectedRow, expectedRowsQuery } from './expected-record-table';

export interface Harness {
  sim: Simulator;
  runtime: SyncRuntime;
  deps: SyncDeps;
  target: StorageTarget;
  db: DuckDb;
  /** Messages the engine logged (warnings prefixed `warn:`). */
  logs: string[];
  run(input: Record<string, unknown>, options?: LocalRunOptions): ReturnType<typeof runLocally>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  sim?: SimulatorOptions;
  /** Output location; default a temp folder. */
  location?: string;
  s3Client?: S3Client;
  keyProvider?: (sim: Simulator) => ServiceKeyProvider;
  deps?: Partial<CreateSyncDepsOptions>;
}

/** Fast limits: tests about the rate budget set their own. */
export const FAST_LIMITS = { maxPerWindow: 2000, windowMs: 1000, searchPerSecond: 200 } as const;

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = await startSimulator({ seed: 7, scale: 'tiny', rateLimit: FAST_LIMITS, ...options.sim });
  const folder = await mkdtemp(join(tmpdir(), 'hs3-e2e-'));
  const logs: string[] = [];
  const runtime = await createSyncRuntime({
    keyProvider: options.keyProvider?.(sim) ?? staticKeyProvider(sim.serviceKey, 'test key'),
    location: options.location ?? folder,
    baseUrl: sim.url,
    s3Client: options.s3Client,
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(`warn: ${m}`) },
    ...options.deps,
  });
  const db = await openDuckDb();
  return {
    sim,
    runtime,
    deps: runtime.deps,
    target: runtime.deps.target,
    db,
    logs,
    run: (input, runOptions) =>
      runLocally(runtime.deps, parseRunInput(input), {
        depsFor: () => ({ ...runtime.deps, client: runtime.newClient() }),
        // Step retries without the deployed backoff (30 s and more), as the state machine tests do.
        sleep: async () => undefined,
        ...runOptions,
      }),
    async close() {
      await runtime.close();
      await db.close();
      await sim.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/** Copies a published dataset's parts to local files (S3 or folder alike) and returns its manifest and file list. */
export async function fetchPublished(
  h: Harness,
  table: TableRef,
  runId?: string,
): Promise<{ manifest: Manifest; files: string[] }> {
  const id = runId ?? (await readLatest(h.target, table))?.runId;
  const manifest = id ? await readManifest(h.target, table, id) : undefined;
  if (!manifest) throw new Error(`no published manifest for ${JSON.stringify(table)}`);
  const dir = await mkdtemp(join(h.deps.workDir, 'fetched-'));
  const files: string[] = [];
  for (const [i, entry] of manifest.entries.entries()) {
    const key = entry.url.slice(h.target.url('_').length - 1);
    const body = await h.target.getObject(key);
    if (!body) throw new Error(`manifest entry ${entry.url} is missing`);
    files.push(join(dir, `part-${i}.parquet`));
    await writeFile(files[i], body);
  }
  return { manifest, files };
}

export const parquetList = (files: string[]): string => `[${files.map((f) => `'${f}'`).join(', ')}]`;

export interface OracleDiffOptions {
  /** The oracle records the export must hold (default all, live and archived): a change set's window, say. */
  keep?: (record: HubSpotRecord) => boolean;
  /**
   * Rows may carry any run's id: a built (compact) snapshot keeps each unchanged row as the run that read it wrote
   * it. Default false: every row must carry `runId`.
   */
  anyRunId?: boolean;
}

/**
 * Builds what the export of `object` must hold from the simulator's raw records (live and archived, or those `keep`
 * takes) through the documented mapping, restated in test/helpers/expected-record-table.ts apart from lib/schema,
 * and returns the rows the two sides do not share, both ways, ignoring `_synced_at`. Columns (names, order, types)
 * that differ from the mapping's throw, naming each difference.
 */
export async function diffAgainstOracle(
  h: Harness,
  object: string,
  files: string[],
  runId: string,
  { keep = () => true, anyRunId = false }: OracleDiffOptions = {},
) {
  const columns = expectedColumns(h.sim.oracle.properties(object));
  const actual = `read_parquet(${parquetList(files)})`;
  const described = await h.db.query<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${actual}`);
  const got = described.map((d) => `${d.column_name} ${d.column_type}`);
  const want = columns.map((c) => `${c.name} ${c.type}`);
  const differences = want
    .map((w, i) => (w === got[i] ? undefined : `column ${i}: expected ${w}, exported ${got[i] ?? 'nothing'}`))
    .concat(got.slice(want.length).map((g, i) => `column ${want.length + i}: exported ${g}, expected nothing`))
    .filter((d) => d !== undefined);
  if (differences.length > 0) {
    throw new Error(`${object}: the export's columns differ from the documented mapping:\n${differences.join('\n')}`);
  }

  const compared = columns.filter((c) => c.name !== '_synced_at' && !(anyRunId && c.name === '_run_id'));
  const records = [...h.sim.oracle.records(object), ...h.sim.oracle.records(object, { archived: true })].filter(keep);
  const rows = records.map((record) => expectedRow(record, compared, runId));
  const path = join(h.deps.workDir, `expected-${object}.ndjson`);
  const lines = rows.map(({ cells }) =>
    JSON.stringify(Object.fromEntries(compared.map((c, i) => [`c${i}`, cells[c.name]]))),
  );
  await writeFile(path, lines.map((line) => `${line}\n`).join(''));
  const expected = expectedRowsQuery(path, compared);
  const exported = `SELECT * EXCLUDE (_synced_at${anyRunId ? ', _run_id' : ''}) FROM ${actual}`;
  const count = async (sql: string) =>
    Number((await h.db.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql})`))[0].n);
  return {
    expectedRows: rows.length,
    unparsed: rows.reduce((n, r) => n + r.unparsed, 0),
    missing: await count(`${expected} EXCEPT ALL ${exported}`),
    unexpected: await count(`${exported} EXCEPT ALL ${expected}`),
    duplicateIds: await count(`SELECT id FROM ${actual} GROUP BY id HAVING count(*) > 1`),
  };
}
