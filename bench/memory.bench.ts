/**
 * Memory and scratch disk of full exports as the sync-step Lambda runs them, as portals grow in records and width.
 *
 *   npm run bench:memory [-- --cases 100k,1m,wide --step-seconds 120 --compact 1]
 *
 * Cases: 100,000 and 1,000,000 contacts with 200 properties, and 100,000 contacts with 1,000. Each runs in a fresh
 * engine process (its peak RSS is that export's alone) with the deployed sync step's settings: DuckDB's memory
 * limit for a 2,048 MB function, one work item at a time as one Lambda holds one, and a deadline every
 * `step-seconds` (the step stops, the next resumes from the checkpoint, as Step Functions' loop does). The
 * simulator runs in a process of its own, with limits high enough that the engine, not the budget, sets the pace
 * (the most pages in flight, the most memory). Prints per case peak RSS, peak scratch disk (spools, parts, DuckDB
 * spill), steps, and records lost or duplicated; ends with `RESULT {...}`. With `--compact 1`, each case then runs
 * a compact run in a fresh engine process, building the snapshot again from the full run's parts (the figures of
 * the build alone: `compact*` in the RESULT).
 */
import { fork } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { duckdbMemoryFor } from '../functions/runtime';
import { staticKeyProvider } from '../lib/hubspot';
import { createSyncRuntime } from '../lib/sync/create-deps';
import { DEFAULT_SYNC_SETTINGS } from '../lib/sync/deps';
import { runLocally } from '../lib/sync/local-driver';
import { parseRunInput } from '../lib/sync/run-input';
import { benchArgs, peakRssSampler } from './lib/args';
import { compareIds } from './lib/compare-ids';
import { startSimulatorProcess, type SimInfo } from './lib/sim-process';

const args = benchArgs();
const CASES = {
  '100k': { contacts: 100_000, properties: 200 },
  '1m': { contacts: 1_000_000, properties: 200 },
  wide: { contacts: 100_000, properties: 1_000 },
  /** Not in the default list (a long export): the size a compact build must fit a sync step at. */
  wide1m: { contacts: 1_000_000, properties: 600 },
  /** Not in the default list: a check of the bench itself in seconds. */
  smoke: { contacts: 5_000, properties: 200 },
} as const;
type CaseName = keyof typeof CASES;
const STEP_SECONDS = Number(args.get('step-seconds') ?? 120);
/** As deployed (cdk/constructs/worker.ts): the sync step's memory and ephemeral storage. */
const LAMBDA = { memoryMiB: 2048, tmpMiB: 4096 } as const;
/** Contacts' properties that are not custom (the simulator's system and HubSpot-defined ones). */
const BUILT_IN_PROPERTIES = 43;
const LIMITS = { maxPerWindow: 20_000, windowMs: 1_000, searchPerSecond: 500, daily: 1e9 } as const;

/** A full export, or a compact run building the snapshot again from the full one (in a process of its own). */
type RunKind = 'full' | 'compact';

interface CaseFigures {
  case: CaseName;
  run: RunKind;
  records: number;
  properties: number;
  seconds: number;
  steps: number;
  peakRssMiB: number;
  /** The JS heap's peak: what would grow with the records if anything held them. */
  peakHeapMiB: number;
  peakSpoolMiB: number;
  lost: number;
  duplicated: number;
}

/** Bytes under a folder (files only), or 0 once it is gone. */
async function folderBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let bytes = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    bytes += await stat(path.join(entry.parentPath, entry.name)).then(
      (s) => s.size,
      () => 0,
    );
  }
  return bytes;
}

/** Engine mode: one full export of contacts through the step loop; answers with its figures. */
async function exportCase(name: CaseName, info: SimInfo, run: RunKind, folder: string): Promise<CaseFigures> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'bench-memory-work-'));
  const rss = peakRssSampler();
  let peakSpool = 0;
  let sampling = true;
  // --trace 1: where the memory is every 10 s (native = RSS less the JS heap and Node's buffers: DuckDB, mostly).
  const trace = args.get('trace')
    ? setInterval(() => {
        const m = process.memoryUsage();
        const mib = (n: number) => Math.round(n / 2 ** 20);
        const native = m.rss - m.heapTotal - m.external;
        process.stderr.write(
          `${name} rss ${mib(m.rss)} heapUsed ${mib(m.heapUsed)} heapTotal ${mib(m.heapTotal)} external ${mib(m.external)} native ${mib(native)} MiB\n`,
        );
      }, 10_000)
    : undefined;
  const spoolSampler = (async () => {
    while (sampling) {
      peakSpool = Math.max(peakSpool, await folderBytes(workDir));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  try {
    const runtime = await createSyncRuntime({
      keyProvider: staticKeyProvider(info.serviceKey, 'bench key'),
      location: folder,
      baseUrl: info.url,
      workDir,
      duckdb: { memoryLimit: duckdbMemoryFor({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(LAMBDA.memoryMiB) }) },
      log: { info: () => undefined, warn: (message) => process.stderr.write(`warning: ${message}\n`) },
    });
    let steps = 0;
    const started = Date.now();
    const result = await runLocally(runtime.deps, parseRunInput({ mode: run, objects: ['contacts'] }), {
      concurrency: 1,
      depsFor: () => ({ ...runtime.deps, client: runtime.newClient() }),
      stepDeadline: () => {
        steps += 1;
        return Date.now() + DEFAULT_SYNC_SETTINGS.deadlineMarginMs + STEP_SECONDS * 1000;
      },
    });
    const seconds = (Date.now() - started) / 1000;
    await runtime.close();
    const failed = result.outcomes.filter((o) => o.status !== 'completed');
    if (failed.length) throw new Error(`export failed: ${failed.map((o) => `${o.dataset}: ${o.reason}`).join('; ')}`);
    const modes = result.outcomes.filter((o) => o.dataset === 'contacts').map((o) => o.mode);
    if (modes[0] !== run) throw new Error(`the ${run} run published contacts as ${modes.join(', ')}`);
    const peakRssMiB = rss.stop();
    const peakHeapMiB = rss.peakHeapMiB();
    const checked = await compareIds(folder, info, ['contacts'], result.runId);
    const { live, archived, properties } = info.objects.contacts;
    return {
      case: name,
      run,
      records: live + archived,
      properties: properties.length,
      seconds: Math.round(seconds),
      steps,
      peakRssMiB,
      peakHeapMiB,
      peakSpoolMiB: Math.round(peakSpool / 2 ** 20),
      lost: checked.lost,
      duplicated: checked.duplicated,
    };
  } finally {
    clearInterval(trace);
    sampling = false;
    await spoolSampler;
    rss.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** One export of a case in a fresh engine process: its peak RSS is that run's alone. */
function runEngine(name: CaseName, info: SimInfo, run: RunKind, folder: string): Promise<CaseFigures> {
  const engine = fork(__filename, ['--engine', name, ...process.argv.slice(2)], { execArgv: process.execArgv });
  return new Promise<CaseFigures>((resolve, reject) => {
    engine.once('message', (figures) => resolve(figures as CaseFigures));
    engine.once('exit', (code) => reject(new Error(`engine process for ${name} (${run}) exited with ${code}`)));
    engine.send({ info, run, folder });
  });
}

/**
 * One case: the simulator in its process; the full export in one engine process, then (with --compact) a compact
 * run in another, which builds the snapshot again from the full one's parts as a sync-step Lambda would.
 */
async function runCase(name: CaseName): Promise<CaseFigures[]> {
  const { contacts, properties } = CASES[name];
  const sim = await startSimulatorProcess({
    seed: 3,
    scale: contacts,
    customProperties: { contacts: properties - BUILT_IN_PROPERTIES },
    rateLimit: LIMITS,
    objects: ['contacts'],
  });
  const folder = await mkdtemp(path.join(os.tmpdir(), 'bench-memory-out-'));
  try {
    const figures = [await runEngine(name, sim.info, 'full', folder)];
    if (args.get('compact')) figures.push(await runEngine(name, sim.info, 'compact', folder));
    return figures;
  } finally {
    await sim.stop();
    await rm(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--engine') {
    process.once('message', (message) => {
      const { info, run, folder } = message as { info: SimInfo; run: RunKind; folder: string };
      void exportCase(process.argv[3] as CaseName, info, run, folder).then(
        (figures) => process.send?.(figures, () => process.exit(0)),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    });
    return;
  }
  const names = (args.get('cases') ?? '100k,1m,wide').split(',') as CaseName[];
  for (const name of names)
    if (!(name in CASES)) throw new Error(`unknown case ${name}: use ${Object.keys(CASES).join(', ')}`);
  const figures: CaseFigures[] = [];
  for (const name of names) {
    for (const f of await runCase(name)) {
      figures.push(f);
      console.log(
        `${name.padEnd(5)} ${f.run.padEnd(7)} ${f.records} records x ${f.properties} properties: ${f.seconds} s in ${f.steps} steps, ` +
          `peak RSS ${f.peakRssMiB} MiB (Lambda ${LAMBDA.memoryMiB}; JS heap ${f.peakHeapMiB}), peak scratch ${f.peakSpoolMiB} MiB ` +
          `(Lambda ${LAMBDA.tmpMiB}), lost ${f.lost}, duplicated ${f.duplicated}`,
      );
    }
  }
  const of = (name: CaseName, run: RunKind = 'full') => figures.find((f) => f.case === name && f.run === run);
  const built = figures.filter((f) => f.run === 'compact');
  const small = of('100k');
  const large = of('1m');
  const result = {
    records: figures.map((f) => f.records),
    peakRssMiB100k: small?.peakRssMiB,
    peakRssMiB1M: large?.peakRssMiB,
    peakRssMiBWide: of('wide')?.peakRssMiB,
    peakHeapMiB100k: small?.peakHeapMiB,
    peakHeapMiB1M: large?.peakHeapMiB,
    peakSpoolMiB: Math.max(...figures.map((f) => f.peakSpoolMiB)),
    rssGrowth1MVs100k: small && large ? Number((large.peakRssMiB / small.peakRssMiB - 1).toFixed(3)) : undefined,
    ...(built.length
      ? {
          compactPeakRssMiB: Object.fromEntries(built.map((f) => [f.case, f.peakRssMiB])),
          compactPeakSpoolMiB: Object.fromEntries(built.map((f) => [f.case, f.peakSpoolMiB])),
          compactSeconds: Object.fromEntries(built.map((f) => [f.case, f.seconds])),
        }
      : {}),
    insideLambda: figures.every((f) => f.peakRssMiB < LAMBDA.memoryMiB && f.peakSpoolMiB < LAMBDA.tmpMiB),
    lost: figures.reduce((sum, f) => sum + f.lost, 0),
    duplicated: figures.reduce((sum, f) => sum + f.duplicated, 0),
  };
  console.log(`RESULT ${JSON.stringify(result)}`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
