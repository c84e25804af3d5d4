/**
 * POST /crm/v3/objects/{objectType}/batch/read: full records by id, properties in the body (no URL limit).
 */
import type { HubSpotClient } from './client';
import { PROPERTY_LIMITS, completeRecord, hasResults, sliceInto } from './property-chunks';
import type { BatchReadResponse, HubSpotRecord } from './types';

export interface ReadRecordsOptions {
  /** Read archived records (`?archived=true`). */
  archived?: boolean;
  /** Batch calls in flight at once (default 2); the budget still paces them. */
  concurrency?: number;
}

/**
 * Reads records by id in batches of 100, in input order. Ids HubSpot reports as failed in a 207
 * (e.g. deleted meanwhile) are left out; every requested property is a key of each record.
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
  const results: HubSpotRecord[][] = new Array(batches.length);
  const concurrency = Math.max(1, options.concurrency ?? 2);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const index = next++;
      results[index] = await readBatch(client, objectType, batches[index], properties, options.archived);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
  return results.flat();
}

async function readBatch(
  client: HubSpotClient,
  objectType: string,
  ids: string[],
  properties: string[],
  archived: boolean | undefined,
): Promise<HubSpotRecord[]> {
  const response = await client.request<BatchReadResponse<HubSpotRecord>>({
    method: 'POST',
    path: `/crm/v3/objects/${encodeURIComponent(objectType)}/batch/read`,
    query: archived ? { archived: true } : undefined,
    body: { inputs: ids.map((id) => ({ id })), properties },
    validate: hasResults,
  });
  const byId = new Map(response.results.map((record) => [String(record.id), record]));
  return ids.flatMap((id) => {
    const record = byId.get(id);
    return record ? [completeRecord({ ...record, id: String(record.id) }, properties)] : [];
  });
}
