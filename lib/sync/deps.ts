import type { HubSpotClient, ServiceKeyProvider } from '../hubspot';
import type { Compression, DuckDb } from '../parquet';
import type { TableCatalog } from '../store/catalog';
import type { StorageTarget } from '../store/target';
import { DEFAULT_ASSOCIATION_PAIRS } from '../hubspot/object-types';
import type { PlanCache } from './plan-cache';
import type { PropertyRef } from './sensitive-properties';

/** Structured log sink; the Lambda passes Powertools' logger, the CLI a line printer. */
export interface SyncLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Progress of one object, reported after every page. */
export interface ProgressEvent {
  object: string;
  phase: string;
  rows: number;
  pages: number;
  requests: number;
  /** Estimated records (live records from a search total), when known: the whole object's, in every slice. */
  expected?: number;
  done?: boolean;
  /** The slice of the object this item exports, when it is split across items (counts are the slice's). */
  slice?: number;
}

/** Tunables with production defaults; every one can be overridden per driver. */
export interface SyncSettings {
  /** Rows per Parquet part; bounds spool size and the work lost to a crash. */
  partRows: number;
  /**
   * Cells (rows x columns) per part at most: wide objects get shorter parts. DuckDB's memory while it writes a
   * part grows with its cells and runs past its own limit on wide ones (bench:memory: 100,000 x 1,000 columns
   * took the process to 1.99 GB of the sync step's 2 GB), so the part, not the portal, bounds it.
   */
  partCells: number;
  /**
   * How long a run's lease on an object lasts unless renewed: by every checkpoint, and every third of
   * it by the local driver's heartbeat. Deployed runs use the state machine's timeout (24 h), since
   * items wait in the Map queue unrenewed; finalize releases leases either way.
   */
  leaseTtlMs: number;
  /** Overlap subtracted from the watermark: HubSpot search lags writes slightly. */
  lookbackMs: number;
  /** Stop starting new pages this long before the step's deadline. */
  deadlineMarginMs: number;
  associationPairs: readonly (readonly [string, string])[];
  compression: Compression;
  /** Most id ranges one item reads at once (the scheduler decides how many of them it needs). */
  maxRanges: number;
  /**
   * A range with fewer records left is not split (a split costs a partial page at each end), and an object with
   * fewer than twice this many is read in one range.
   */
  minSplitRecords: number;
  /** Full runs read id ranges below the plan's highest id through search too, on its own 5/s budget. */
  searchInFullRuns: boolean;
  /**
   * How long a write may take to reach HubSpot's search index ("several seconds", per peers): full runs take whole
   * records from search only once the run is this old, so no value older than the run's start is exported.
   */
  searchLagMs: number;
  /** Items a large object is split into (deployed: one Lambda each); 1 reads it in one item. */
  slicesPerObject: number;
  /** An object is split only when each slice gets at least this many records. */
  sliceMinRecords: number;
  /** Incremental runs list archived records at least this often, whatever the counts say (archived-sweep.ts). */
  archivedSweepEveryMs: number;
  /** ... and at most this often when the counts say records were archived (0: whenever they do). */
  archivedSweepAtMostEveryMs: number;
  /** Properties never requested from HubSpot nor written (sensitive-properties.ts). */
  excludeProperties: readonly PropertyRef[];
  /** Properties whose columns hold keyed hashes of their values; needs SyncDeps.hashKey. */
  hashProperties: readonly PropertyRef[];
}

export const DEFAULT_SYNC_SETTINGS: SyncSettings = {
  partRows: 100_000,
  partCells: 10_000_000,
  leaseTtlMs: 30 * 60_000,
  lookbackMs: 5 * 60_000,
  deadlineMarginMs: 60_000,
  associationPairs: DEFAULT_ASSOCIATION_PAIRS,
  compression: 'zstd',
  maxRanges: 32,
  minSplitRecords: 500,
  searchInFullRuns: true,
  searchLagMs: 60_000,
  slicesPerObject: 1,
  sliceMinRecords: 50_000,
  archivedSweepEveryMs: 24 * 60 * 60_000,
  archivedSweepAtMostEveryMs: 0,
  excludeProperties: [],
  hashProperties: [],
};

/** Test hooks: faults injected at the points a real crash can hit. */
export interface SyncHooks {
  /** Called after a part is uploaded and before the checkpoint that records it is written. */
  afterPartUpload?(key: string): void | Promise<void>;
  /** Called with each local spool and Parquet file just before it is removed: tests read what reached the disk. */
  beforeScratchRemoved?(path: string): void | Promise<void>;
}

/** Everything the engine touches outside itself, passed in by the Lambda handlers or the local driver. */
export interface SyncDeps {
  client: HubSpotClient;
  target: StorageTarget;
  /** Local scratch folder for spools and Parquet files before upload. */
  workDir: string;
  duckdb: () => Promise<DuckDb>;
  now: () => Date;
  log: SyncLogger;
  settings: SyncSettings;
  /** Where finalize registers each published dataset (a Glue database); none by default. */
  catalog?: TableCatalog;
  onProgress?: (event: ProgressEvent) => void;
  hooks?: SyncHooks;
  /** Run plans read so far (createSyncRuntime makes one); without it every step reads its plan. */
  plans?: PlanCache;
  /** The key of hashed properties (settings.hashProperties); read by plan and the steps that write hashes. */
  hashKey?: ServiceKeyProvider;
}
