/** A small promise API over @duckdb/node-api: one in-memory database, one connection, bounded memory. */
import { InvalidInputError } from '../core/errors';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteLiteral } from './sql';

export interface DuckDbOptions {
  /** DuckDB memory_limit; default '512MB'. */
  memoryLimit?: string;
  /** DuckDB threads; default 2. */
  threads?: number;
  /** Where DuckDB spills when over the memory limit (default: DuckDB's own choice). */
  tempDir?: string;
}

export interface DuckDb {
  run(sql: string): Promise<void>;
  /** Rows as JSON-friendly objects: TIMESTAMP/DATE as text, BIGINT as text, LIST as arrays, MAP as [{key, value}]. */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

export const DUCKDB_DEFAULTS = { memoryLimit: '512MB', threads: 2 } as const;

/**
 * Opens an in-memory DuckDB with a memory limit and thread count.
 * @example const db = await openDuckDb(); await db.query('SELECT 42 AS answer'); await db.close();
 */
export async function openDuckDb(options: DuckDbOptions = {}): Promise<DuckDb> {
  const memoryLimit = options.memoryLimit ?? DUCKDB_DEFAULTS.memoryLimit;
  const threads = options.threads ?? DUCKDB_DEFAULTS.threads;
  if (!/^\d+(\.\d+)?\s*[KMGT]i?B$/i.test(memoryLimit))
    throw new InvalidInputError(`Bad memoryLimit ${JSON.stringify(memoryLimit)}`);
  if (!Number.isInteger(threads) || threads < 1) throw new InvalidInputError(`Bad threads ${threads}`);
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: memoryLimit,
    threads: String(threads),
    // Hand freed memory back to the system between part writes (jemalloc keeps it otherwise): bench:memory saw
    // DuckDB's native memory climb to its limit over a million records' parts, and stay 300-770 MB with these.
    allocator_background_threads: 'true',
    allocator_flush_threshold: '32MB',
  });
  const connection = await instance.connect();
  if (options.tempDir) await connection.run(`SET temp_directory = ${quoteLiteral(options.tempDir)}`);
  let closed = false;
  return {
    async run(sql) {
      await connection.run(sql);
    },
    async query<T>(sql: string) {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJson() as T[];
    },
    async close() {
      if (closed) return;
      closed = true;
      connection.closeSync();
      instance.closeSync();
    },
  };
}
