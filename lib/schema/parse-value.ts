/**
 * Pure parsers from HubSpot wire text (always a string) to NDJSON values DuckDB reads as the column type.
 * Each returns `{ ok: true, value }` or `{ ok: false }` (the caller keeps the raw text in `_unparsed`).
 *
 * Rules (documented in lib/schema/README.md):
 * - VARCHAR keeps the text exactly, including '' (65,536 chars, newlines, emoji, quotes).
 * - DOUBLE: finite decimal or exponent text after trimming; '' / 'N/A' / '12abc' / 'Infinity' do not parse.
 * - BOOLEAN: 'true' / 'false' after trimming, any case.
 * - TIMESTAMP: ISO 8601 (date, or date-time with optional fraction and offset; no offset means UTC) or epoch
 *   milliseconds (optionally negative); written as 'YYYY-MM-DD HH:MM:SS.mmm' UTC (millisecond precision).
 * - DATE: 'YYYY-MM-DD', or a datetime (ISO or epoch ms) at exactly midnight UTC.
 * - VARCHAR[]: split on ';', items kept verbatim and in order, empty items dropped; '' is an empty list.
 * - Empty text for every non-VARCHAR type does not parse, so it is kept and counted, never dropped.
 */
import { MULTI_SELECT_SEPARATOR, type RecordColumnType } from './type-map';

export type ParseResult = { ok: true; value: unknown } | { ok: false };

const FAIL: ParseResult = { ok: false };
const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const EPOCH_MS_PATTERN = /^-?\d{1,16}$/;
const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_EPOCH_MS = 8.64e15;
const MS_PER_DAY = 86_400_000;

/** Parses a finite decimal number. */
export function parseDouble(text: string): ParseResult {
  const trimmed = text.trim();
  if (!NUMBER_PATTERN.test(trimmed)) return FAIL;
  const value = Number(trimmed);
  return Number.isFinite(value) ? { ok: true, value } : FAIL;
}

/** Parses 'true' / 'false' in any case. */
export function parseBoolean(text: string): ParseResult {
  const lower = text.trim().toLowerCase();
  if (lower === 'true') return { ok: true, value: true };
  if (lower === 'false') return { ok: true, value: false };
  return FAIL;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;
/** HubSpot's canonical datetime: parsed by slicing, no Date round trip (the hot path of every export). */
const CANONICAL_UTC_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

function isValidCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0);
}

/** Epoch milliseconds of an ISO 8601 or epoch-ms text, or undefined. */
export function parseEpochMillis(text: string): number | undefined {
  const trimmed = text.trim();
  if (EPOCH_MS_PATTERN.test(trimmed)) {
    const ms = Number(trimmed);
    return Math.abs(ms) <= MAX_EPOCH_MS ? ms : undefined;
  }
  const match = ISO_PATTERN.exec(trimmed);
  if (!match) return undefined;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = match;
  if (!isValidCalendarDate(Number(year), Number(month), Number(day))) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const ms = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}${offset}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Formats epoch milliseconds as the UTC TIMESTAMP text DuckDB reads: 'YYYY-MM-DD HH:MM:SS.mmm'. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** Parses an ISO 8601 or epoch-ms datetime into UTC TIMESTAMP text. */
export function parseTimestamp(text: string): ParseResult {
  const canonical = CANONICAL_UTC_PATTERN.exec(text);
  if (canonical && isValidCalendarDate(Number(canonical[1]), Number(canonical[2]), Number(canonical[3]))) {
    return { ok: true, value: `${text.slice(0, 10)} ${text.slice(11, 23)}` };
  }
  const ms = parseEpochMillis(text);
  if (ms === undefined) return FAIL;
  const formatted = formatTimestamp(ms);
  // Years beyond 9999 format as '+010000-...', which DuckDB would not read back as written.
  return /^\d{4}-/.test(formatted) ? { ok: true, value: formatted } : FAIL;
}

/** Parses 'YYYY-MM-DD' or a datetime at exactly midnight UTC into DATE text. */
export function parseDate(text: string): ParseResult {
  const trimmed = text.trim();
  const match = DATE_PATTERN.exec(trimmed);
  if (match) {
    return isValidCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))
      ? { ok: true, value: trimmed }
      : FAIL;
  }
  const ms = parseEpochMillis(trimmed);
  if (ms === undefined || ms % MS_PER_DAY !== 0) return FAIL;
  const formatted = formatTimestamp(ms);
  return /^\d{4}-/.test(formatted) ? { ok: true, value: formatted.slice(0, 10) } : FAIL;
}

/** Splits a multi-select value on ';' keeping order; empty items are dropped, so '' is []. */
export function parseMultiSelect(text: string): ParseResult {
  return { ok: true, value: text.split(MULTI_SELECT_SEPARATOR).filter((item) => item !== '') };
}

/** Keeps text exactly. */
export function parseVarchar(text: string): ParseResult {
  return { ok: true, value: text };
}

/** Parser per column type: the single place the parse rules are looked up. */
export const PARSERS = {
  VARCHAR: parseVarchar,
  DOUBLE: parseDouble,
  BOOLEAN: parseBoolean,
  DATE: parseDate,
  TIMESTAMP: parseTimestamp,
  'VARCHAR[]': parseMultiSelect,
  'MAP(VARCHAR, VARCHAR)': () => FAIL,
} as const satisfies Record<RecordColumnType, (text: string) => ParseResult>;

/** Parses wire text as the given column type. */
export function parseValue(text: string, type: RecordColumnType): ParseResult {
  return PARSERS[type](text);
}
