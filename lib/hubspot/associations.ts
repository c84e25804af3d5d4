/**
 * POST associations/{from}/{to}/batch/read (v4, or the dated version's path): association rows for up to 1,000 ids
 * per call, following each input's own paging. Errors (a 207's, or a dated 2026-09 answer's `errors` at its usual
 * status) that are not all OBJECT_NOT_FOUND fail the call as transient.
 */
import { mapLimit } from '../core/map-limit';
import type { HubSpotClient } from './client';
import { summarizeErrors } from './error-body';
import { TransientError } from './errors';
import { hasResults, sliceInto } from './property-chunks';
import type { AssociationResult, BatchReadResponse, HubSpotErrorBody } from './types';

export interface AssociationRow {
  fromId: string;
  toId: string;
  category: string;
  typeId: number;
  label: string | null;
}

export const ASSOCIATION_LIMITS = {
  batchSize: 1_000,
  /** Calls in flight at once: exempt from the ten-second window, so only latency would otherwise set their pace. */
  concurrency: 8,
} as const;

interface AssociationInput {
  id: string;
  after?: string;
}

/**
 * All associations from `ids` (of type `from`) to type `to`: one row per association type.
 * @example const rows = await readAssociations(client, 'contacts', 'companies', ['1', '2']);
 */
export async function readAssociations(
  client: HubSpotClient,
  from: string,
  to: string,
  ids: string[],
): Promise<AssociationRow[]> {
  const rows: AssociationRow[] = [];
  let queue: AssociationInput[] = [...new Set(ids)].map((id) => ({ id }));
  while (queue.length > 0) {
    const followUps: AssociationInput[] = [];
    const batches = sliceInto(queue, ASSOCIATION_LIMITS.batchSize);
    await mapLimit(batches, ASSOCIATION_LIMITS.concurrency, async (inputs) => {
      const response = await client.request<BatchReadResponse<AssociationResult>>({
        method: 'POST',
        path: client.paths.associationsBatchRead(from, to),
        body: { inputs },
        // HubSpot exempts the associations batch endpoints from the ten-second window: reads of associations
        // leave it to the records.
        budget: 'exempt',
        validate: hasResults,
      });
      // An answer with errors (207, or 2026-09's in-body errors) leaves out the inputs it reports: records without associations, or deleted or archived since they
      // were listed, are rightly absent (OBJECT_NOT_FOUND, e.g. subCategory crm.associations.NO_ASSOCIATIONS_FOUND),
      // but any other error would drop their associations without a word.
      const unexpected = (response.errors ?? []).filter((e) => !isNotFound(e));
      if (unexpected.length) {
        throw new TransientError(
          `association read ${from} -> ${to} reported ${unexpected.length} error(s) besides records not found ` +
            `(${summarizeErrors(unexpected)}): their associations would be lost`,
        );
      }
      for (const result of response.results) {
        const fromId = String(result.from.id);
        rows.push(...toRows(fromId, result));
        const after = result.paging?.next?.after;
        if (after !== undefined) followUps.push({ id: fromId, after });
      }
    });
    queue = followUps;
  }
  return rows;
}

/** An error that only says an input has nothing to read: its record has no associations, or no longer exists. */
function isNotFound(error: HubSpotErrorBody): boolean {
  // subCategory is text in older answers and an object in the published spec (StandardError).
  const sub = error.subCategory;
  const text = typeof sub === 'string' ? sub : sub && typeof sub === 'object' ? JSON.stringify(sub) : '';
  return error.category === 'OBJECT_NOT_FOUND' || text.includes('NO_ASSOCIATIONS_FOUND');
}

function toRows(fromId: string, result: AssociationResult): AssociationRow[] {
  return (result.to ?? []).flatMap((target) =>
    (target.associationTypes ?? []).map((type) => ({
      fromId,
      toId: String(target.toObjectId),
      category: type.category,
      typeId: type.typeId,
      label: type.label ?? null,
    })),
  );
}
