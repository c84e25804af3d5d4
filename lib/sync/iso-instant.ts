/**
 * Instants as run input accepts them: ISO 8601 with nothing left to guess. `Date.parse` alone reads
 * `2002` as a year, `2020-01-01 00:00` in the local time zone and rolls `2026-02-30` over to March 2.
 */

/** `YYYY-MM-DD` (00:00 UTC), or `YYYY-MM-DDTHH:MM[:SS[.fraction]]` with `Z` or a `±HH:MM` offset. */
export const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2})))?$/;

/**
 * The instant `text` names, or undefined when it is not in ISO_INSTANT's form or names no real date or time
 * (month 13, February 30, 24:00, second 60, offset +24:00). Digits past milliseconds are dropped.
 * @example parseIsoInstant('2026-01-31T10:30+01:00')?.toISOString() // '2026-01-31T09:30:00.000Z'
 */
export function parseIsoInstant(text: string): Date | undefined {
  const match = ISO_INSTANT.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = [1, 2, 3, 4, 5, 6, 10, 11].map((group) =>
    Number(match[group] ?? 0),
  );
  const ms = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as they are; the read-back catches anything that rolled over.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  const real =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second &&
    offsetHours < 24 &&
    offsetMinutes < 60;
  if (!real) return undefined;
  const offset = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  return new Date(date.getTime() - offset * 60_000);
}
