/**
 * The simulator in a child process for benchmarks: its CPU and memory are not the engine's, so the bench's peak
 * RSS is the engine's own, and it runs at a higher priority, as HubSpot answers from its own machines.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { SimulatorOptions } from '../../sim';

/** What the child is started with: the simulator's own options, JSON-safe. */
export type SimProcessOptions = Pick<
  SimulatorOptions,
  'seed' | 'scale' | 'counts' | 'customProperties' | 'rateLimit' | 'latency' | 'searchLagMs'
> & {
  /** Objects whose ids (live and archived) and property names the child reports. */
  objects: string[];
  /** Archive live records of an object, spread over its ids, until it has this many archived. */
  archivedAtLeast?: Record<string, number>;
};

export interface SimInfo {
  url: string;
  serviceKey: string;
  /** Ids the export must hold, per object (live and archived). */
  ids: Record<string, string[]>;
  /** Live and archived counts, and property names, per object. */
  objects: Record<string, { live: number; archived: number; properties: string[] }>;
}

/** One record of an oracle answer: its id, whether archived, and the chosen properties' values (`archivedAt` too). */
export interface OracleRow {
  id: string;
  archived: boolean;
  values: Record<string, string | null>;
}

export interface SimProcess {
  info: SimInfo;
  /** The oracle's change set of a window (epoch ms, inclusive): see Oracle.changed. */
  changed(object: string, window: { from: number; to: number }, properties: string[]): Promise<OracleRow[]>;
  /** The oracle's ids of an object now, live and archived, ascending. */
  ids(object: string): Promise<{ live: string[]; archived: string[] }>;
  stop(): Promise<void>;
}

interface IdsCall {
  call: 'ids';
  object: string;
}

interface ChangedCall {
  call: 'changed';
  object: string;
  window: { from: number; to: number };
  properties: string[];
}

/** One request as the simulator's log holds it (GET /_sim/log). */
export interface LogEntry {
  method: string;
  path: string;
  query?: string;
  route: string;
  status: number;
  at: number;
}

const CHILD_FLAG = '--serve-sim';

/** Child mode: serve the simulator; answer with its URL, key and the ids an export must hold. */
async function serve(): Promise<void> {
  const { startSimulator } = await import('../../sim');
  const { objects, archivedAtLeast, ...options } = JSON.parse(process.env.BENCH_SIM ?? '{}') as SimProcessOptions;
  const sim = await startSimulator(options);
  for (const [object, wanted] of Object.entries(archivedAtLeast ?? {})) {
    const more = wanted - sim.oracle.ids(object, { archived: true }).length;
    const live = sim.oracle.ids(object);
    // Spread over the id space, as archivals over years are.
    for (let k = 0; k < more; k++) sim.admin.archiveRecord(object, live[Math.floor((k * live.length) / more)]);
  }
  const info: SimInfo = { url: sim.url, serviceKey: sim.serviceKey, ids: {}, objects: {} };
  for (const object of objects) {
    const live = sim.oracle.ids(object);
    const archived = sim.oracle.ids(object, { archived: true });
    info.ids[object] = [...live, ...archived];
    info.objects[object] = {
      live: live.length,
      archived: archived.length,
      properties: sim.oracle.properties(object).map((p) => p.name),
    };
  }
  process.send?.(info);
  process.on('message', (message: 'stop' | ChangedCall | IdsCall) => {
    if (message === 'stop') {
      void sim.close().then(() => process.exit(0));
      return;
    }
    if (message.call === 'ids') {
      const { object } = message;
      process.send?.({ live: sim.oracle.ids(object), archived: sim.oracle.ids(object, { archived: true }) });
      return;
    }
    const rows: OracleRow[] = sim.oracle.changed(message.object, message.window).map((r) => ({
      id: r.id,
      archived: r.archived,
      values: Object.fromEntries(
        message.properties.map((p) => [p, p === 'archivedAt' ? (r.archivedAt ?? null) : (r.properties[p] ?? null)]),
      ),
    }));
    process.send?.({ rows });
  });
}

export function startSimulatorProcess(options: SimProcessOptions): Promise<SimProcess> {
  const child: ChildProcess = fork(path.join(__dirname, 'sim-process.ts'), [CHILD_FLAG], {
    env: { ...process.env, BENCH_SIM: JSON.stringify(options) },
    execArgv: [...process.execArgv, '--max-old-space-size=8192'],
  });
  // The engine's CPU (JSON, spooling, DuckDB) must not slow the simulator's answers down on two cores.
  if (child.pid !== undefined) os.setPriority(child.pid, -10);
  return new Promise((resolve, reject) => {
    const exited = (code: number | null) => reject(new Error(`simulator process exited with ${code}`));
    child.once('exit', exited);
    child.once('message', (info) => {
      child.off('exit', exited);
      resolve({
        info: info as SimInfo,
        changed: (object, window, properties) =>
          new Promise((answered) => {
            child.once('message', (answer) => answered((answer as { rows: OracleRow[] }).rows));
            child.send({ call: 'changed', object, window, properties } satisfies ChangedCall);
          }),
        ids: (object) =>
          new Promise((answered) => {
            child.once('message', (answer) => answered(answer as { live: string[]; archived: string[] }));
            child.send({ call: 'ids', object } satisfies IdsCall);
          }),
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.send('stop');
          }),
      });
    });
  });
}

/** The simulator's request log since its last reset (and resets it when asked). */
export async function simLog(url: string, options: { reset?: boolean } = {}): Promise<LogEntry[]> {
  const { entries } = (await (await fetch(`${url}/_sim/log`)).json()) as { entries: LogEntry[] };
  if (options.reset) await fetch(`${url}/_sim/log`, { method: 'DELETE' });
  return entries;
}

if (process.argv.includes(CHILD_FLAG)) void serve();
