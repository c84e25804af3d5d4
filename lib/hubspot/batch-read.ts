/**
 * POST .../objects/{objectType}/batch/read: full records by id, properties in the body (no URL limit).
 */
import { mapLimit } from '../core/map-limit';
import type { HubSpotClient } from './client';
import { summarizeErrors } from './error-body';
import { TransientError } from './errors';
import { PROPERTY_LIMITS, completeRecord, hasResults, sliceInto } from './property-chunks';
import type { BatchReadResponse, HubSpotErrorBody, HubSpotRecord } from './types';

export interface ReadRecordsOptions {
  /** Read archived records (`?archived=true`). */
  archived?: boolean;
  /** Batch calls in flight at once (default 2); the budget still paces them. */
  concurrency?: number;
  /** Go before the lane's other waiting requests (ids search found: reading them lets the next search go out). */
  urgent?: boolean;
}

/**
 * Reads records by id in batches of 100, in input order. Ids HubSpot reports not found (deleted meanwhile; in a 207,
 * or in 2026-09's `errors` at the usual status) are left out; any other missing id fails the batch as transient
 * (retried by the step), never dropped silently.
 * Every requested property is a key of each record.
 * @example const records = await readRecords(client, 'contacts', ['1', '2'], ['email', 'firstname']);
 */
export async function readRecords(
  client: HubSpotClient,
  objectType: string,
  ids: string[],
  properties: string[],
  options: ReadRecordsOptions = {},
): Promise<HubSpotRecord[]> {
  const unique = [...new Set(ids)];
  const batches = sliceInto(unique, PROPERTY_LIMITS.batchReadSize);
  const results = await mapLimit(batches, options.concurrency ?? 2, (batch) =>
    readBatch(client, objectType, batch, properties, options),
  );
  return results.flat();
}

async function readBatch(
  client: HubSpotClient,
  objectType: string,
  ids: string[],
  properties: string[],
  { archived, urgent }: Pick<ReadRecordsOptions, 'archived' | 'urgent'>,
): Promise<HubSpotRecord[]> {
  const response = await client.request<BatchReadResponse<HubSpotRecord>>({
    method: 'POST',
    path: client.paths.batchRead(objectType),
    query: archived ? { archived: true } : undefined,
    // The published spec requires propertiesWithHistory: sent empty.
    body: { inputs: ids.map((id) => ({ id })), properties, propertiesWithHistory: [] },
    validate: hasResults,
    urgent,
  });
  const byId = new Map(response.results.map((record) => [String(record.id), record]));
  const unexplained = missingWithoutNotFound(ids, byId, response.errors ?? []);
  if (unexplained.length) {
    const reasons = summarizeErrors(response.errors ?? []);
    throw new TransientError(
      `batch read of ${objectType} answered ${byId.size} of ${ids.length} records; ${unexplained.length} ` +
        `missing (e.g. ${unexplained[0]}) without a not-found error${reasons ? ` (${reasons})` : ''}`,
    );
  }
  return ids.flatMap((id) => {
    const record = byId.get(id);
    return record ? [completeRecord({ ...record, id: String(record.id) }, properties)] : [];
  });
}

/**
 * Requested ids the answer lacks that no OBJECT_NOT_FOUND error accounts for. A record deleted since it was listed
 * is rightly left out; any other gap (an error of another category, or none at all) would lose it silently.
 */
function missingWithoutNotFound(ids: string[], found: Map<string, unknown>, errors: HubSpotErrorBody[]): string[] {
  const missing = ids.filter((id) => !found.has(id));
  if (!missing.length) return [];
  const notFound = errors.filter((e) => e.category === 'OBJECT_NOT_FOUND');
  // A not-found error that does not list its ids covers every gap.
  if (notFound.some((e) => !e.context?.ids)) return [];
  const gone = new Set(notFound.flatMap((e) => e.context?.ids ?? []));
  return missing.filter((id) => !gone.has(id));
}
