/**
 * Record ids as HubSpot gives them: decimal strings, compared and split as integers of any length (BigInt), never
 * as text ('9' > '10') or as doubles (ids of 17 digits lose their last ones).
 */

const DECIMAL = /^\d+$/;

/** Whether `id` is a decimal record id. */
export const isRecordId = (id: unknown): id is string => typeof id === 'string' && DECIMAL.test(id);

/** Numeric comparison of decimal id strings of any length: negative, 0 or positive. */
export function compareIds(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  return x.length !== y.length ? x.length - y.length : x < y ? -1 : x > y ? 1 : 0;
}

/** The id after `id`: the first one a cursor "from" it has not read once `id` is read. */
export const nextId = (id: string): string => (BigInt(id) + 1n).toString();

/** The ids from `from` (inclusive) to `to` (exclusive), as a count; 0 when `to` is not after `from`. */
export function idSpan(from: string, to: string): number {
  const span = BigInt(to) - BigInt(from);
  return span > 0n ? Number(span) : 0;
}

/** The id halfway from `from` to `to` (rounded down), or undefined when no id lies strictly between them. */
export function midId(from: string, to: string): string | undefined {
  const low = BigInt(from);
  const high = BigInt(to);
  const mid = low + (high - low) / 2n;
  return mid > low && mid < high ? mid.toString() : undefined;
}

/** The highest of `ids` (decimal strings). */
export const maxId = (ids: readonly string[]): string => ids.reduce((max, id) => (compareIds(id, max) > 0 ? id : max));
