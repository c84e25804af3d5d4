/**
 * The output layout (DESIGN.md "Output layout") as data and pure functions: where parts, manifests,
 * latest pointers and state live, relative to the target root.
 */
import { InvalidKeyError } from './errors';

export type TableRef =
  | { kind: 'snapshot'; object: string }
  | { kind: 'changes'; object: string }
  | { kind: 'associations'; from: string; to: string }
  | { kind: 'merges'; object: string }
  | { kind: 'properties' };

/** Folder and date partition per table kind. */
export const TABLE_LAYOUT = {
  snapshot: { root: 'snapshots', datePartition: 'snapshot_date' },
  changes: { root: 'changes', datePartition: 'change_date' },
  associations: { root: 'associations', datePartition: 'snapshot_date' },
  merges: { root: 'merges', datePartition: 'snapshot_date' },
  properties: { root: 'metadata', datePartition: 'snapshot_date' },
} as const satisfies Record<TableRef['kind'], { root: string; datePartition: string }>;

export const LAYOUT = {
  manifests: '_manifests',
  latest: '_latest',
  state: '_state',
  partDigits: 5,
  partExtension: '.parquet',
  associationSeparator: '__',
  changesSuffix: '.changes',
  mergesSuffix: '.merges',
  propertiesDataset: 'metadata.properties',
  /** Folder level of a run under its date partition: `run_id=<run>`. */
  runPartition: 'run_id',
} as const;

/**
 * Names of the partition folders (`snapshot_date=`, `change_date=`, `run_id=`): readers with hive partitioning
 * (DuckDB by default, Athena, Spark) show the folder's value in a column of that name, over a data column's.
 */
export const PARTITION_COLUMNS: readonly string[] = [
  ...new Set(Object.values(TABLE_LAYOUT).map((table) => table.datePartition)),
  LAYOUT.runPartition,
];

const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Throws InvalidKeyError naming the value unless it holds only letters, digits, `_` and `-`. */
export function assertObjectName(name: string, what = 'object name'): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new InvalidKeyError(`Bad ${what} ${JSON.stringify(name)}: use only letters, digits, '_' and '-'`);
  }
  return name;
}

/** Throws InvalidKeyError naming the run id unless it is letters, digits and `_ . : -` (no '/', not '.'-led). */
export function assertRunId(runId: string): string {
  if (typeof runId !== 'string' || runId.length > 128 || !RUN_ID_PATTERN.test(runId)) {
    throw new InvalidKeyError(`Bad run id ${JSON.stringify(runId)}: use letters, digits, '_', '.', ':' and '-'`);
  }
  return runId;
}

function assertDate(date: string): string {
  const valid = DATE_PATTERN.test(date) && new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) === date;
  if (!valid) throw new InvalidKeyError(`Bad date ${JSON.stringify(date)}: use YYYY-MM-DD`);
  return date;
}

/** Folder of a table, without the trailing '/': `snapshots/contacts`, `changes/deals`, `metadata/properties`. */
export function tableFolder(table: TableRef): string {
  switch (table.kind) {
    case 'snapshot':
    case 'changes':
    case 'merges':
      return `${TABLE_LAYOUT[table.kind].root}/${assertObjectName(table.object)}`;
    case 'associations':
      return `${TABLE_LAYOUT.associations.root}/${assertObjectName(table.from, 'association from')}${LAYOUT.associationSeparator}${assertObjectName(table.to, 'association to')}`;
    case 'properties':
      return `${TABLE_LAYOUT.properties.root}/properties`;
  }
}

/** Folder of a run's parts, ending in '/': `snapshots/contacts/snapshot_date=2026-01-02/run_id=R/`. */
export function runPrefix(table: TableRef, date: string, runId: string): string {
  return `${tableFolder(table)}/${TABLE_LAYOUT[table.kind].datePartition}=${assertDate(date)}/${LAYOUT.runPartition}=${assertRunId(runId)}/`;
}

/** Key of one part: `<runPrefix>part-00000.parquet`. */
export function partKey(table: TableRef, date: string, runId: string, index: number): string {
  if (!Number.isInteger(index) || index < 0) throw new InvalidKeyError(`Bad part index ${index}: use an integer >= 0`);
  return `${runPrefix(table, date, runId)}part-${String(index).padStart(LAYOUT.partDigits, '0')}${LAYOUT.partExtension}`;
}

/** snapshot -> object; changes -> `object.changes`; merges -> `object.merges`; associations -> `associations.from__to`; properties -> 'metadata.properties'. */
export function datasetName(table: TableRef): string {
  switch (table.kind) {
    case 'snapshot':
      return assertObjectName(table.object);
    case 'changes':
      return `${assertObjectName(table.object)}${LAYOUT.changesSuffix}`;
    case 'merges':
      return `${assertObjectName(table.object)}${LAYOUT.mergesSuffix}`;
    case 'associations':
      return `associations.${assertObjectName(table.from, 'association from')}${LAYOUT.associationSeparator}${assertObjectName(table.to, 'association to')}`;
    case 'properties':
      return LAYOUT.propertiesDataset;
  }
}

/** `_manifests/<dataset>/<runId>.json` */
export function manifestKey(table: TableRef, runId: string): string {
  return `${LAYOUT.manifests}/${datasetName(table)}/${assertRunId(runId)}.json`;
}

/** `_latest/<dataset>.json` */
export function latestKey(table: TableRef): string {
  return `${LAYOUT.latest}/${datasetName(table)}.json`;
}

/** `_state/<name>.json`; name may hold '/'-separated segments of letters, digits, `_ . -` (e.g. `runs/R/plan`). */
export function stateKey(name: string): string {
  const segments = typeof name === 'string' ? name.split('/') : [];
  const valid = segments.length > 0 && segments.every((s) => /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/.test(s));
  if (!valid) throw new InvalidKeyError(`Bad state name ${JSON.stringify(name)}`);
  return `${LAYOUT.state}/${name}.json`;
}
