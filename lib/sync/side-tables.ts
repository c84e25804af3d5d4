import { listOwners, listPipelines, MissingScopesError, type AssociationRow, type HubSpotClient } from '../hubspot';
import { STANDARD_OBJECT_TYPES } from '../hubspot/object-types';
import type { Owner, Pipeline } from '../hubspot/types';
import { META_COLUMNS, RUN_ID_COLUMN, SYNCED_AT_COLUMN, type RowMeta } from '../schema/columns';
import { formatTimestamp } from '../schema/parse-value';
import type { ColumnSpec } from '../parquet';
import type { WorkItem } from './types';

/** ISO text as the spool's TIMESTAMP text (what convertRecord writes too); null stays null. */
export const timestampText = (iso: string | null | undefined): string | null => {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? null : formatTimestamp(ms);
};

export const metaValues = (meta: RowMeta) => ({
  [RUN_ID_COLUMN]: meta.runId,
  [SYNCED_AT_COLUMN]: timestampText(meta.syncedAt),
});

export const ASSOCIATION_COLUMNS: ColumnSpec[] = [
  { name: 'from_id', type: 'VARCHAR' },
  { name: 'to_id', type: 'VARCHAR' },
  { name: 'category', type: 'VARCHAR' },
  { name: 'type_id', type: 'INTEGER' },
  { name: 'label', type: 'VARCHAR' },
  ...META_COLUMNS,
];

/** `<object>.merges`: records merged into another (gone from HubSpot for good) and the record they live on in. */
export const MERGE_COLUMNS: ColumnSpec[] = [
  { name: 'merged_id', type: 'VARCHAR' },
  { name: 'surviving_id', type: 'VARCHAR' },
  /** The earliest read of the surviving record that listed it, among the rows the snapshot was built from. */
  { name: 'seen_at', type: 'TIMESTAMP' },
  ...META_COLUMNS,
];

export function associationRow(link: AssociationRow, meta: RowMeta): Record<string, unknown> {
  return {
    from_id: link.fromId,
    to_id: link.toId,
    category: link.category,
    type_id: link.typeId,
    label: link.label,
    ...metaValues(meta),
  };
}

export const OWNER_COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'VARCHAR' },
  { name: 'email', type: 'VARCHAR' },
  { name: 'first_name', type: 'VARCHAR' },
  { name: 'last_name', type: 'VARCHAR' },
  { name: 'user_id', type: 'BIGINT' },
  { name: 'teams', type: 'VARCHAR[]' },
  { name: 'created_at', type: 'TIMESTAMP' },
  { name: 'updated_at', type: 'TIMESTAMP' },
  { name: 'archived', type: 'BOOLEAN' },
  ...META_COLUMNS,
];

export function ownerRow(owner: Owner, meta: RowMeta): Record<string, unknown> {
  return {
    id: owner.id,
    email: owner.email,
    first_name: owner.firstName,
    last_name: owner.lastName,
    user_id: owner.userId,
    teams: (owner.teams ?? []).map((team) => team.name),
    created_at: timestampText(owner.createdAt),
    updated_at: timestampText(owner.updatedAt),
    archived: owner.archived,
    ...metaValues(meta),
  };
}

/** One row per pipeline stage: how analysts decode dealstage / hs_pipeline_stage values. */
export const PIPELINE_COLUMNS: ColumnSpec[] = [
  { name: 'object_type', type: 'VARCHAR' },
  { name: 'pipeline_id', type: 'VARCHAR' },
  { name: 'pipeline_label', type: 'VARCHAR' },
  { name: 'pipeline_display_order', type: 'INTEGER' },
  { name: 'pipeline_archived', type: 'BOOLEAN' },
  { name: 'stage_id', type: 'VARCHAR' },
  { name: 'stage_label', type: 'VARCHAR' },
  { name: 'stage_display_order', type: 'INTEGER' },
  { name: 'stage_metadata', type: 'MAP(VARCHAR, VARCHAR)' },
  { name: 'stage_archived', type: 'BOOLEAN' },
  { name: 'created_at', type: 'TIMESTAMP' },
  { name: 'updated_at', type: 'TIMESTAMP' },
  ...META_COLUMNS,
];

export function pipelineRows(objectType: string, pipeline: Pipeline, meta: RowMeta): Record<string, unknown>[] {
  return pipeline.stages.map((stage) => ({
    object_type: objectType,
    pipeline_id: pipeline.id,
    pipeline_label: pipeline.label,
    pipeline_display_order: pipeline.displayOrder,
    pipeline_archived: pipeline.archived,
    stage_id: stage.id,
    stage_label: stage.label,
    stage_display_order: stage.displayOrder,
    stage_metadata: stage.metadata,
    stage_archived: stage.archived,
    created_at: timestampText(stage.createdAt),
    updated_at: timestampText(stage.updatedAt),
    ...metaValues(meta),
  }));
}

/** Rows of a side table, plus notes on the parts it could not read (e.g. ticket pipelines without the tickets scope). */
export interface SideTableRows {
  rows: Record<string, unknown>[];
  columns: ColumnSpec[];
  notes: Record<string, string>;
}

export async function readOwnerRows(client: HubSpotClient, meta: RowMeta): Promise<SideTableRows> {
  const rows: Record<string, unknown>[] = [];
  for (const archived of [false, true]) {
    for await (const page of listOwners(client, { archived })) rows.push(...page.map((owner) => ownerRow(owner, meta)));
  }
  return { rows, columns: OWNER_COLUMNS, notes: {} };
}

/** The object types with pipelines (deals, tickets). */
const PIPELINE_OBJECTS: readonly string[] = STANDARD_OBJECT_TYPES.filter((type) => type.hasPipelines).map(
  (type) => type.name,
);

/**
 * Which object types' pipelines a run exports: those among the objects it was asked for by name, or all of them
 * (`all`, or a list naming none). So a key without the tickets scope exports deal pipelines with
 * `--objects deals,pipelines`, while `all` never drops ticket pipelines from the table unnoticed.
 */
export function pipelineObjectsFor(requested: 'all' | readonly string[]): string[] {
  const named = requested === 'all' ? [] : PIPELINE_OBJECTS.filter((type) => requested.includes(type));
  return named.length ? named : [...PIPELINE_OBJECTS];
}

/** Whose pipelines a pipelines item holds (all, for items planned before items said). */
export const pipelineObjectsOf = (item: Pick<WorkItem, 'pipelineObjects'>): readonly string[] =>
  item.pipelineObjects ?? PIPELINE_OBJECTS;

/** Pipelines of `objectTypes`; a type the key cannot read is noted (and fails the table in finalize). */
export async function readPipelineRows(
  client: HubSpotClient,
  meta: RowMeta,
  objectTypes: readonly string[],
): Promise<SideTableRows> {
  const rows: Record<string, unknown>[] = [];
  const notes: Record<string, string> = {};
  for (const objectType of objectTypes) {
    try {
      const pipelines = await listPipelines(client, objectType);
      for (const pipeline of pipelines) rows.push(...pipelineRows(objectType, pipeline, meta));
    } catch (error) {
      if (!(error instanceof MissingScopesError)) throw error;
      notes[objectType] = error.reason;
    }
  }
  return { rows, columns: PIPELINE_COLUMNS, notes };
}
