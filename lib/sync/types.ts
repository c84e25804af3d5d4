import type { PropertyDefinition } from '../hubspot/types';
import type { RunMode } from './run-input';

/** What one work item exports. `records` is a CRM object (standard or custom); the others are small tables. */
export const WORK_KINDS = ['records', 'owners', 'pipelines'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

/**
 * One unit of the Map state: small enough for Step Functions' 256 KB payload, so property
 * definitions stay in the run's plan file and items carry only names.
 */
export interface WorkItem {
  runId: string;
  kind: WorkKind;
  /** Output name: the object type name, custom schema name, 'owners' or 'pipelines'. */
  object: string;
  /** What the API path takes (objectTypeId for custom objects). */
  apiName: string;
  /** Mode after resolution: an incremental run of an object with no watermark yet becomes full. */
  mode: RunMode;
  snapshotDate: string;
  /** When the run was planned (ISO): a full snapshot is the portal as of this moment. */
  startedAt: string;
  lastModifiedProperty?: string;
  /** Incremental/backfill window, ISO. */
  since?: string;
  until?: string;
  /** Association pairs read while this object is paged (full runs), as `to` object names. */
  associationTargets?: string[];
  /** Live records the plan's probe counted, for progress and ETA. */
  expected?: number;
  /** The pipelines table: whose pipelines it holds (pipelineObjectsFor); all of them when absent. */
  pipelineObjects?: string[];
  /** How far HubSpot's clock was behind this machine's when planned (ms): incremental windows reach back that much further. */
  clockSkewMs?: number;
  /** The ids search knew of when planned (large objects, full runs): where id ranges and slices are cut. */
  idBounds?: IdBounds;
  /** What search counted when planned (full and incremental runs): the next incremental run compares with it. */
  liveCount?: LiveCount;
  /** Incremental runs: whether archived records are listed, and from when (archived-sweep.ts). */
  archived?: ArchivedDecision;
  /** One of several items that export this object side by side (deployed: one Lambda each); absent: the whole object. */
  slice?: ItemSlice;
  /** Compact runs: the snapshot and the change sets the new snapshot is built from (after this run's own). */
  built?: BuildSources;
}

/** What a compact item builds its snapshot from: runs whose manifests name the parts (compact-sources.ts). */
export interface BuildSources {
  /** The run of the newest complete snapshot (`_latest`), full or built. */
  base: string;
  /** Runs of the change sets published after it, oldest first. */
  changeSets: string[];
}

/** Lowest and highest live id seen at plan time (decimal strings); search holds every record up to `max`. */
export interface IdBounds {
  min: string;
  max: string;
}

/** An object's records split by id across items: this item reads the ids in [start, end). */
export interface ItemSlice {
  /** 0-based; its parts are numbered from index x SLICE_PART_BLOCK, so slices never share a part number. */
  index: number;
  count: number;
  /** First id (inclusive); absent: from the first record. */
  start?: string;
  /** First id of the next slice (exclusive); absent: to the last record. */
  end?: string;
}

/** Why an object could not be exported; `reason` is the one line users see. */
export interface ObjectFailure {
  object: string;
  reason: string;
  /**
   * The dataset the object would have written when that is not its own name: `<object>.changes` in a backfill,
   * and in an incremental run of an object that has a watermark (namedByDataset in plan.ts).
   */
  dataset?: string;
}

/** Stored once per run in `_state/runs/<runId>/plan.json`; steps and finalize read it. */
export interface RunPlan {
  runId: string;
  mode: RunMode;
  snapshotDate: string;
  startedAt: string;
  since?: string;
  until?: string;
  items: WorkItem[];
  failures: ObjectFailure[];
  /** Objects another live run is exporting: left to it, neither exported nor failed here. */
  skipped?: ObjectFailure[];
  /** Property definitions per exported object name: those requested from HubSpot (excluded ones left out). */
  properties: Record<string, PropertyDefinition[]>;
  /** Per object, what the sensitive-property settings left out or hash; objects they do not touch are absent. */
  propertyHandling?: Record<string, PropertyHandling>;
  /** Names the key the hashed columns are written with (ValueHasher.keyId); set when any column is hashed. */
  hashKeyId?: string;
}

/** What the sensitive-property settings make of one object's properties (sensitive-properties.ts). */
export interface PropertyHandling {
  /** The definitions left out: never requested, no column (the property metadata table marks them excluded). */
  excluded: PropertyDefinition[];
  /** Names of the properties whose columns hold keyed hashes. */
  hashed: string[];
}

/** What finalize reports for a run: one outcome per dataset. */
export interface RunResult {
  runId: string;
  mode: RunMode;
  snapshotDate: string;
  startedAt: string;
  finishedAt: string;
  outcomes: ObjectOutcome[];
}

/** What a sync step hands back to its driver. */
export interface StepResult {
  done: boolean;
  rows: number;
  parts: number;
}

/** Per-object outcome of a run, used for the summary, exit code and completion events. */
export interface ObjectOutcome {
  object: string;
  dataset: string;
  /** `skipped`: another run held the object (its lease), so this one left it alone. */
  status: 'completed' | 'failed' | 'skipped';
  mode: RunMode;
  rows: number;
  files: number;
  bytes: number;
  unparsed: number;
  requests: number;
  retries: number;
  seconds: number;
  manifestUrl?: string;
  reason?: string;
  /** `database.table` the dataset was registered as, when a catalog is configured. */
  catalogTable?: string;
  /** Why the catalog did not take a published dataset (the data itself is published). */
  catalogError?: string;
}

/** What the object's state file keeps between runs about its archived records. */
export interface ArchivedState {
  /** Archivals up to this instant are in a published dataset (the window end of the last sweep). */
  sweptUntil: string;
  /** Live records search counted with ids up to `countedBelow` (inclusive), when the last run was planned. */
  countedBelow: string;
  live: number;
  /** A drop was seen but its sweep put off (archivedSweepAtMostEveryMs): the next allowed run sweeps. */
  pending?: boolean;
}

/** What the plan counted now: the highest id search knows and how many live records it counts in all. */
export interface LiveCount {
  countedBelow: string;
  live: number;
}

/** The decision a records item carries: sweep (from when), or not. */
export interface ArchivedDecision {
  sweep: boolean;
  /** Archivals from this instant are kept (the last sweep's end; before the window's own start). */
  from?: string;
  /** A drop not swept yet. */
  pending?: boolean;
}
