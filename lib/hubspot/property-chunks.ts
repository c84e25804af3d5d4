/**
 * Pure helpers for requesting many properties: chunking names so a list URL stays under HubSpot's
 * ~16,000-character limit, and completing records so every requested property is a key.
 */
import type { HubSpotRecord } from './types';

export const PROPERTY_LIMITS = {
  /** Characters of `properties=` value per list request (HubSpot answers 414 at roughly 16,000 URL chars). */
  maxQueryChars: 14_000,
  /** Batch read: ids per call. */
  batchReadSize: 100,
} as const;

/** The encoded length of `name` inside a comma-separated query value (commas stay literal). */
function encodedLength(name: string): number {
  return encodeURIComponent(name).length;
}

/**
 * Splits property names into chunks whose comma-joined, URL-encoded length is at most `maxChars`.
 * @example chunkProperties(['a', 'bb', 'ccc'], 4) // [['a', 'bb'], ['ccc']]
 */
export function chunkProperties(
  names: readonly string[],
  maxChars: number = PROPERTY_LIMITS.maxQueryChars,
): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const name of names) {
    const added = encodedLength(name) + (current.length > 0 ? 1 : 0);
    if (current.length > 0 && length + added > maxChars) {
      chunks.push(current);
      current = [];
      length = 0;
    }
    length += current.length > 0 ? encodedLength(name) + 1 : encodedLength(name);
    current.push(name);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Splits any list into slices of at most `size`. */
export function sliceInto<T>(items: readonly T[], size: number): T[][] {
  const slices: T[][] = [];
  for (let i = 0; i < items.length; i += size) slices.push(items.slice(i, i + size));
  return slices;
}

/** A copy of the record whose `properties` has exactly the requested names (null when unset) plus any extras. */
export function completeRecord(record: HubSpotRecord, properties: readonly string[]): HubSpotRecord {
  const values: HubSpotRecord['properties'] = { ...record.properties };
  for (const name of properties) {
    if (values[name] === undefined) values[name] = null;
  }
  return { ...record, properties: values };
}

/** Whether `value` looks like `{ results: [...] }`. */
export function hasResults(value: unknown): boolean {
  return value !== null && typeof value === 'object' && Array.isArray((value as { results?: unknown }).results);
}

/** A search answer: `results` and a numeric `total` (counts and progress are read from it). */
export function hasSearchTotal(value: unknown): boolean {
  return hasResults(value) && Number.isInteger((value as { total?: unknown }).total);
}
