import { buildRecordColumns } from '../schema/columns';
import type { PropertyDefinition } from '../hubspot/types';
import type { TableRef } from '../store/layout';
import { findPublished, publishRelease, type DatasetRun, type Release } from './dataset';
import type { SyncDeps } from './deps';
import { completedOutcome } from './outcomes';
import { readAllDefinitions, storeDefinitions, type PartRecord, type StoredDefinitions } from './state';
import type { ColumnSpec } from '../parquet';
import { firstFreePartIndex, scratchDir, uploadRows } from './parts';
import { META_COLUMNS } from '../schema/columns';
import { metaValues } from './side-tables';
import type { ObjectOutcome, RunPlan } from './types';

const TABLE: TableRef = { kind: 'properties' };
const NAME = 'properties';

/** One row per object and property: how analysts decode enumeration values and find labels. */
export const PROPERTY_METADATA_COLUMNS: ColumnSpec[] = [
  { name: 'object', type: 'VARCHAR' },
  { name: 'name', type: 'VARCHAR' },
  { name: 'column_name', type: 'VARCHAR' },
  { name: 'column_type', type: 'VARCHAR' },
  /** `exported`, `hashed` (the column holds keyed hashes) or `excluded` (never requested, no column). */
  { name: 'handling', type: 'VARCHAR' },
  { name: 'label', type: 'VARCHAR' },
  { name: 'type', type: 'VARCHAR' },
  { name: 'field_type', type: 'VARCHAR' },
  { name: 'group_name', type: 'VARCHAR' },
  { name: 'description', type: 'VARCHAR' },
  /** Enumeration value -> label: `options[dealstage]` decodes a value. */
  { name: 'options', type: 'MAP(VARCHAR, VARCHAR)' },
  { name: 'calculated', type: 'BOOLEAN' },
  { name: 'has_unique_value', type: 'BOOLEAN' },
  { name: 'hidden', type: 'BOOLEAN' },
  { name: 'hubspot_defined', type: 'BOOLEAN' },
  ...META_COLUMNS,
];

/** Values of `handling` in the property metadata table. */
export const PROPERTY_HANDLING = { exported: 'exported', hashed: 'hashed', excluded: 'excluded' } as const;

/** The definition's own fields, as the metadata row holds them. */
const definitionValues = (p: PropertyDefinition) => ({
  label: p.label,
  type: p.type,
  field_type: p.fieldType,
  group_name: p.groupName,
  description: p.description ?? null,
  options: Object.fromEntries((p.options ?? []).map((o) => [o.value, o.label])),
  calculated: p.calculated ?? null,
  has_unique_value: p.hasUniqueValue ?? null,
  hidden: p.hidden ?? null,
  hubspot_defined: p.hubspotDefined ?? null,
});

/**
 * Rows of every object's stored definitions; `_run_id` and `_synced_at` say which run read them, and when. Excluded
 * properties keep their row (no column, `handling` excluded), after the exported ones.
 */
export function propertyMetadataRows(definitions: StoredDefinitions[]): Record<string, unknown>[] {
  return definitions.flatMap(({ object, properties, handling, runId, readAt }) => {
    const meta = metaValues({ runId, syncedAt: readAt });
    const columns = buildRecordColumns(properties, { hashed: new Set(handling?.hashed ?? []) });
    const exported = columns.flatMap((column) => {
      const p = column.property;
      if (!p) return [];
      const how = column.hashed ? PROPERTY_HANDLING.hashed : PROPERTY_HANDLING.exported;
      const row = { object, name: p.name, column_name: column.name, column_type: column.type, handling: how };
      return [{ ...row, ...definitionValues(p), ...meta }];
    });
    const excluded = (handling?.excluded ?? []).map((p) => ({
      object,
      name: p.name,
      column_name: null,
      column_type: null,
      handling: PROPERTY_HANDLING.excluded,
      ...definitionValues(p),
      ...meta,
    }));
    return [...exported, ...excluded];
  });
}

/**
 * Stores the definitions of the objects this run exported, then writes and publishes `metadata/properties` with
 * every object's stored definitions (those of objects this run did not export as an earlier run read them). A full
 * run always publishes it; an incremental or backfill run only when some definitions changed (a new property, a
 * new option, a property newly excluded or hashed), so hourly runs do not add an identical snapshot each hour. Undefined when not published.
 */
export async function publishPropertyMetadata(
  deps: SyncDeps,
  plan: RunPlan,
  objects: string[],
): Promise<ObjectOutcome | undefined> {
  const run: DatasetRun = { table: TABLE, runId: plan.runId, snapshotDate: plan.snapshotDate };
  const release = (parts: PartRecord[]): Release => ({
    ...run,
    object: NAME,
    mode: plan.mode,
    startedAt: deps.now().toISOString(),
    columns: PROPERTY_METADATA_COLUMNS,
    parts,
    watermark: null,
  });
  // A retried finalize finds the metadata published already: it is read back, not written again.
  const published = await findPublished(deps, run);
  if (published) return completedOutcome(await publishRelease(deps, release([]), published));
  let changed = false;
  const readAt = { runId: plan.runId, readAt: plan.startedAt };
  for (const object of objects.filter((name) => plan.properties[name])) {
    const handling = plan.propertyHandling?.[object];
    if (await storeDefinitions(deps.target, object, plan.properties[object], readAt, handling)) changed = true;
  }
  if (plan.mode !== 'full' && plan.mode !== 'compact' && !changed) return undefined;
  const dir = await scratchDir(deps, plan.runId, 'metadata-properties');
  const index = await firstFreePartIndex(deps, [TABLE], plan.snapshotDate, plan.runId, []);
  const rows = propertyMetadataRows(await readAllDefinitions(deps.target));
  const part = await uploadRows(deps, rows, dir, {
    ...run,
    date: plan.snapshotDate,
    index,
    columns: PROPERTY_METADATA_COLUMNS,
  });
  return completedOutcome(await publishRelease(deps, release([part])));
}
