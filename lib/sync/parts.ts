import path from 'node:path';
import { access, mkdir, rm } from 'node:fs/promises';
import { NdjsonSpool, writeParquetRows, type ColumnSpec } from '../parquet';
import { writeRecordPart } from '../schema/write-record-part';
import type { Column, RowMeta } from '../schema/columns';
import { partKey, runPrefix, type TableRef } from '../store/layout';
import { InternalError } from '../core/errors';
import { reservePartNumbers, type ResumedCheckpoint } from './checkpoint';
import type { PartRecord } from './state';
import type { SyncDeps } from './deps';
import { assertInBlock, partBlockOf, SLICE_PART_BLOCK } from './slices';
import type { WorkItem } from './types';

const PART_INDEX = /part-(\d{5})\.parquet$/;

/**
 * The first part index not used in the run folder, counting parts already uploaded but never
 * checkpointed (a crash between upload and checkpoint): run files are never overwritten. One counter
 * serves all the tables an item writes, so numbers are unique within a run but not contiguous; a slice of an object
 * counts within its own block.
 */
export async function firstFreePartIndex(
  deps: SyncDeps,
  tables: TableRef[],
  date: string,
  runId: string,
  recorded: PartRecord[],
  block: { from: number; size: number } = { from: 0, size: Infinity },
): Promise<number> {
  const listings = await Promise.all(tables.map((table) => deps.target.list(runPrefix(table, date, runId))));
  const indexes = [...listings.flat().map((o) => o.key), ...recorded.map((p) => p.key)]
    .map((key) => PART_INDEX.exec(key)?.[1])
    .filter((index): index is string => index !== undefined)
    .map(Number)
    // Slices of one object write into one run folder, each numbering from its own block.
    .filter((index) => index >= block.from && index < block.from + block.size);
  return indexes.length ? Math.max(...indexes) + 1 : block.from;
}

/**
 * The part numbers one step invocation uploads under. They go on from the checkpoint's `nextPart` (what the item's
 * earlier invocations reserved; the run folder's first free number for a checkpoint from before reservations), and
 * each is reserved in the checkpoint before anything is uploaded under it: two invocations of one item running at
 * once never write the same part, since the newer one numbers on from what the older had reserved when it claimed the
 * item, and the older one's next reservation throws StepSupersededError.
 * @example const numbers = await PartNumbers.start(deps, item, resumed, [table]); await numbers.reserve(1); numbers.take();
 */
export class PartNumbers {
  private constructor(
    private readonly deps: SyncDeps,
    private readonly item: WorkItem,
    private readonly resumed: ResumedCheckpoint,
    private next: number,
  ) {}

  /** Numbers for `item`'s tables, from its claimed checkpoint. */
  static async start(
    deps: SyncDeps,
    item: WorkItem,
    resumed: ResumedCheckpoint,
    tables: TableRef[],
  ): Promise<PartNumbers> {
    const { checkpoint } = resumed;
    const recorded = [
      ...checkpoint.parts,
      ...(checkpoint.builtParts ?? []),
      ...(checkpoint.mergeParts ?? []),
      ...Object.values(checkpoint.associationParts).flat(),
    ];
    const block = { from: partBlockOf(item), size: item.slice ? SLICE_PART_BLOCK : Infinity };
    const first =
      checkpoint.nextPart ?? (await firstFreePartIndex(deps, tables, item.snapshotDate, item.runId, recorded, block));
    return new PartNumbers(deps, item, resumed, first);
  }

  /** Makes the next `count` numbers this invocation's (one checkpoint write, unless they are already). */
  reserve(count: number): Promise<void> {
    return reservePartNumbers(this.deps, this.item, this.resumed, this.next + count);
  }

  /** The next reserved number; numbers reserved and not taken stay for this invocation's next part. */
  take(): number {
    if (this.next >= (this.resumed.checkpoint.nextPart ?? 0)) {
      throw new InternalError(`${this.item.object}: part number ${this.next} was not reserved before its upload`);
    }
    assertInBlock(this.item, this.next);
    return this.next++;
  }
}

/** Scratch folder of one object in one run; spools and Parquet files live here until uploaded. */
export async function scratchDir(deps: SyncDeps, runId: string, name: string): Promise<string> {
  const dir = path.join(deps.workDir, runId, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Opens a fresh spool (a leftover of a crashed step is discarded: its rows were never checkpointed). */
export async function openSpool(dir: string, index: number): Promise<NdjsonSpool> {
  const file = path.join(dir, `spool-${index}.ndjson`);
  await rm(file, { force: true });
  return NdjsonSpool.create(file);
}

/** The local Parquet file written from a spool. */
const parquetPathOf = (spoolPath: string) => spoolPath.replace(/\.ndjson$/, '.parquet');

/** Removes a local scratch file if it exists, shown first to the beforeScratchRemoved hook. */
async function removeScratch(deps: Pick<SyncDeps, 'hooks'>, file: string): Promise<void> {
  const hook = deps.hooks?.beforeScratchRemoved;
  if (
    hook &&
    (await access(file).then(
      () => true,
      () => false,
    ))
  )
    await hook(file);
  await rm(file, { force: true });
}

/** Removes a spool and the Parquet file made from it, whichever exist. */
export async function removeLocalPart(deps: Pick<SyncDeps, 'hooks'>, spoolPath: string): Promise<void> {
  await removeScratch(deps, spoolPath);
  await removeScratch(deps, parquetPathOf(spoolPath));
}

interface UploadOptions {
  table: TableRef;
  date: string;
  runId: string;
  index: number;
  columns: ColumnSpec[];
  unparsed?: number;
}

/** Uploads a local Parquet file as the part `options` names, and removes the file. */
export async function uploadParquet(
  deps: SyncDeps,
  parquetPath: string,
  rows: number,
  options: UploadOptions,
): Promise<PartRecord> {
  const key = partKey(options.table, options.date, options.runId, options.index);
  const { bytes } = await deps.target.putFile(key, parquetPath, { contentType: 'application/vnd.apache.parquet' });
  await removeScratch(deps, parquetPath);
  await deps.hooks?.afterPartUpload?.(key);
  return { key, rows, bytes, unparsed: options.unparsed ?? 0 };
}

/**
 * Types a closed spool of raw records (toSpoolRow) into a Parquet part in DuckDB, uploads it, and removes the
 * local files; the part's `unparsed` is the writer's count.
 */
export async function uploadSpool(
  deps: SyncDeps,
  spool: NdjsonSpool,
  options: UploadOptions & { columns: Column[]; meta: RowMeta },
): Promise<PartRecord> {
  const parquetPath = parquetPathOf(spool.path);
  const db = await deps.duckdb();
  const { rows, unparsed } = await writeRecordPart(db, {
    ndjsonPath: spool.path,
    parquetPath,
    columns: options.columns,
    meta: options.meta,
    compression: deps.settings.compression,
  });
  await removeScratch(deps, spool.path);
  return uploadParquet(deps, parquetPath, rows, { ...options, unparsed });
}

/** Writes a small in-memory table (owners, pipelines, associations, metadata) as one uploaded part. */
export async function uploadRows(
  deps: SyncDeps,
  rows: Record<string, unknown>[],
  dir: string,
  options: UploadOptions,
): Promise<PartRecord> {
  const parquetPath = path.join(dir, `table-${options.index}.parquet`);
  const db = await deps.duckdb();
  await writeParquetRows(db, rows, {
    parquetPath,
    columns: options.columns,
    compression: deps.settings.compression,
    workDir: dir,
  });
  return uploadParquet(deps, parquetPath, rows.length, options);
}
