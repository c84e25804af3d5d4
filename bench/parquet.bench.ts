/**
 * Parquet encoder benchmark: the project's writer (convertRecord -> NdjsonSpool -> DuckDB read_json -> ZSTD Parquet)
 * against parquetjs-lite (typed columns, SNAPPY) on the same 200,000 deterministic records x 45 properties.
 * Each encoder runs in its own child process so peak RSS is measured separately.
 *
 *   npx tsx bench/parquet.bench.ts [--records N]
 *
 * Ends with `RESULT {"speedRatio","sizeRatio","peakRssMiB"}`: speedRatio = baseline s / ours s,
 * sizeRatio = ours bytes / baseline bytes, peakRssMiB = peak RSS of our encoder's process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FieldType, HubSpotRecord, PropertyDefinition, PropertyType } from '../lib/hubspot/types';
import { NdjsonSpool, openDuckDb, writeParquetFromNdjson } from '../lib/parquet';
import { buildRecordColumns, convertRecord, type Column } from '../lib/schema/columns';

const DEFAULT_RECORDS = 200_000;
const META = { runId: 'bench-run', syncedAt: '2026-03-01T12:00:00.000Z' };

/** 45 properties: [type, fieldType, count]. */
const PROPERTY_MIX: [PropertyType, FieldType, number][] = [
  ['string', 'text', 12],
  ['string', 'textarea', 3],
  ['number', 'number', 8],
  ['bool', 'booleancheckbox', 5],
  ['date', 'date', 4],
  ['datetime', 'date', 6],
  ['enumeration', 'select', 4],
  ['enumeration', 'checkbox', 3],
];

const WORDS = [
  'north',
  'quiet',
  'blue',
  'delta',
  'Zürich',
  'river',
  'amber',
  'lovelace',
  'stone',
  'orbit',
  'cedar',
  'nova',
];
const OPTIONS = ['lead', 'customer', 'opportunity', 'evangelist', 'other', 'subscriber'];

function buildProperties(): PropertyDefinition[] {
  return PROPERTY_MIX.flatMap(([type, fieldType, count]) =>
    Array.from({ length: count }, (_, i) => ({
      name: `${type}_${fieldType}_${i}`,
      label: `${type} ${i}`,
      type,
      fieldType,
      groupName: 'bench',
      options: [],
    })),
  );
}

/** mulberry32: small deterministic PRNG. */
function makeRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function valueFor(p: PropertyDefinition, i: number, random: () => number): string | null {
  if (random() < 0.3) return null;
  if (random() < 0.01) return random() < 0.5 ? 'N/A' : '';
  const word = () => WORDS[Math.floor(random() * WORDS.length)];
  const ms = 1_546_300_800_000 + Math.floor(random() * 220_000_000_000);
  switch (p.type) {
    case 'number':
      return random() < 0.5 ? String(Math.floor(random() * 10_000)) : (random() * 1000).toFixed(3);
    case 'bool':
      return random() < 0.5 ? 'true' : 'false';
    case 'date':
      return new Date(ms - (ms % 86_400_000)).toISOString().slice(0, 10);
    case 'datetime':
      return random() < 0.1 ? String(ms) : new Date(ms).toISOString();
    case 'enumeration':
      if (p.fieldType === 'checkbox') return OPTIONS.filter(() => random() < 0.3).join(';');
      return OPTIONS[Math.floor(random() * OPTIONS.length)];
    default:
      return p.fieldType === 'textarea'
        ? Array.from({ length: 3 + Math.floor(random() * 20) }, word).join(' ')
        : `${word()} ${i % 997}`;
  }
}

/** Wraps a generator and accumulates the seconds spent generating, so encoders are timed without it. */
function* timeGeneration<T>(source: Iterator<T>, spent: { seconds: number }): Generator<T> {
  for (;;) {
    const started = process.hrtime.bigint();
    const next = source.next();
    spent.seconds += Number(process.hrtime.bigint() - started) / 1e9;
    if (next.done) return;
    yield next.value;
  }
}

/** Deterministic records, generated lazily so the generator never holds the data set. */
function* generateRecords(properties: PropertyDefinition[], count: number): Generator<HubSpotRecord> {
  const random = makeRandom(42);
  for (let i = 0; i < count; i += 1) {
    const values: Record<string, string | null> = {};
    for (const p of properties) values[p.name] = valueFor(p, i, random);
    const created = 1_546_300_800_000 + i * 60_000;
    yield {
      id: String(100_000 + i),
      properties: values,
      createdAt: new Date(created).toISOString(),
      updatedAt: new Date(created + 3_600_000).toISOString(),
      archived: false,
    };
  }
}

const phases: Record<string, number> = {};
/** DuckDB settings of our encoder (the writer's defaults unless set here). */
const OURS_DUCKDB = { memoryLimit: process.env.BENCH_DUCKDB_MEMORY ?? '512MB', threads: 2 };

async function encodeOurs(columns: Column[], records: Iterable<HubSpotRecord>, dir: string): Promise<string> {
  const phaseStart = process.hrtime.bigint();
  const spool = await NdjsonSpool.create(join(dir, 'ours.ndjson'));
  for (const record of records) await spool.append(convertRecord(record, columns, META).row);
  await spool.close();
  phases.spoolSeconds = Number(process.hrtime.bigint() - phaseStart) / 1e9;
  phases.spoolMiB = spool.bytes / 2 ** 20;
  phases.spoolPeakRssMiB = process.resourceUsage().maxRSS / 1024;
  const db = await openDuckDb(OURS_DUCKDB);
  const parquetPath = join(dir, 'ours.parquet');
  await writeParquetFromNdjson(db, { ndjsonPath: spool.path, parquetPath, columns, compression: 'zstd' });
  await db.close();
  return parquetPath;
}

const PARQUETJS_TYPES: Record<string, Record<string, unknown>> = {
  VARCHAR: { type: 'UTF8' },
  DOUBLE: { type: 'DOUBLE' },
  BOOLEAN: { type: 'BOOLEAN' },
  DATE: { type: 'DATE' },
  TIMESTAMP: { type: 'TIMESTAMP_MILLIS' },
  'VARCHAR[]': { type: 'UTF8', repeated: true },
  // parquetjs-lite has no MAP: the unparsed map is stored as JSON text.
  'MAP(VARCHAR, VARCHAR)': { type: 'UTF8' },
};

async function encodeBaseline(columns: Column[], records: Iterable<HubSpotRecord>, dir: string): Promise<string> {
  const parquet = require('parquetjs-lite');
  const fields = Object.fromEntries(
    columns.map((c) => [
      c.name,
      { ...PARQUETJS_TYPES[c.type], ...(c.type === 'VARCHAR[]' ? {} : { optional: true }), compression: 'SNAPPY' },
    ]),
  );
  const parquetPath = join(dir, 'baseline.parquet');
  const writer = await parquet.ParquetWriter.openFile(new parquet.ParquetSchema(fields), parquetPath);
  for (const record of records) {
    const { row } = convertRecord(record, columns, META);
    const typed: Record<string, unknown> = {};
    for (const c of columns) {
      const value = row[c.name];
      if (value === undefined || value === null) continue;
      if (c.type === 'TIMESTAMP') typed[c.name] = new Date(`${(value as string).replace(' ', 'T')}Z`);
      else if (c.type === 'DATE') typed[c.name] = new Date(`${value as string}T00:00:00Z`);
      else if (c.type === 'MAP(VARCHAR, VARCHAR)') typed[c.name] = JSON.stringify(value);
      else typed[c.name] = value;
    }
    await writer.appendRow(typed);
  }
  await writer.close();
  return parquetPath;
}

interface ChildResult {
  encoder: string;
  /** Wall seconds spent encoding (record generation excluded). */
  seconds: number;
  /** CPU seconds of the whole child (all threads, generation included): robust when the machine is shared. */
  cpuSeconds: number;
  bytes: number;
  peakRssMiB: number;
  phases: Record<string, number>;
}

async function runChild(encoder: string, count: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${encoder}-`));
  try {
    const columns = buildRecordColumns(buildProperties());
    const generation = { seconds: 0 };
    const records = timeGeneration(generateRecords(buildProperties(), count), generation);
    const started = process.hrtime.bigint();
    const cpuStarted = process.cpuUsage();
    const path = await (encoder === 'ours' ? encodeOurs : encodeBaseline)(columns, records, dir);
    const cpu = process.cpuUsage(cpuStarted);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9 - generation.seconds;
    phases.generationSeconds = generation.seconds;
    const result: ChildResult = {
      encoder,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      bytes: statSync(path).size,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      phases,
    };
    console.log(JSON.stringify(result));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function spawnChild(encoder: string, count: number): ChildResult {
  const output = execFileSync(
    process.execPath,
    [...process.execArgv, __filename, '--child', encoder, '--records', String(count)],
    {
      encoding: 'utf8',
      maxBuffer: 1024 * 1024,
    },
  );
  return JSON.parse(output.trim().split('\n').pop()!) as ChildResult;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const recordsAt = args.indexOf('--records');
  const count = recordsAt >= 0 ? Number(args[recordsAt + 1]) : DEFAULT_RECORDS;
  const childAt = args.indexOf('--child');
  if (childAt >= 0) return runChild(args[childAt + 1], count);

  console.log(
    `records=${count} properties=${buildProperties().length} columns=${buildRecordColumns(buildProperties()).length}`,
  );
  const ours = spawnChild('ours', count);
  const baseline = spawnChild('baseline', count);
  console.log('encoder                        encode s    CPU s        bytes   peak RSS MiB');
  for (const [label, r] of [
    ['ours (spool + DuckDB, ZSTD)', ours],
    ['parquetjs-lite (typed, SNAPPY)', baseline],
  ] as const) {
    console.log(
      `${label.padEnd(30)} ${r.seconds.toFixed(2).padStart(8)} ${r.cpuSeconds.toFixed(2).padStart(8)} ${String(r.bytes).padStart(12)} ${r.peakRssMiB.toFixed(1).padStart(14)}`,
    );
  }
  console.log(`phases: ours ${JSON.stringify(ours.phases)} baseline ${JSON.stringify(baseline.phases)}`);
  const result = {
    speedRatio: Number((baseline.seconds / ours.seconds).toFixed(2)),
    sizeRatio: Number((ours.bytes / baseline.bytes).toFixed(3)),
    peakRssMiB: Number(ours.peakRssMiB.toFixed(1)),
  };
  console.log(`RESULT ${JSON.stringify(result)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
