/**
 * The parse rules of parse-value.ts as DuckDB SQL expressions, so that DuckDB's vectorised functions type the
 * raw wire text of a whole spool at once. Each builder takes the SQL of a VARCHAR expression (the raw text, NULL
 * when absent) and returns SQL that is the typed value, or NULL when the text does not parse. The two
 * implementations must agree value for value: test/unit/schema/write-record-part.test.ts compares them.
 */
import { quoteLiteral } from '../parquet/sql';
import { MULTI_SELECT_SEPARATOR, type RecordColumnType } from './type-map';

/** Characters JavaScript's String.prototype.trim removes (WhiteSpace and LineTerminator). */
export const JS_WHITESPACE =
  '\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a' +
  '\u2028\u2029\u202f\u205f\u3000\ufeff';

/** Regular expressions (RE2, full match) restating the patterns of parse-value.ts. */
const PATTERNS = {
  number: '[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?',
  epochMs: '-?\\d{1,16}',
  date: '\\d{4}-\\d{2}-\\d{2}',
  canonicalUtc: '\\d{4}-\\d{2}-\\d{2}T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d\\.\\d{3}Z',
  iso: '(?i)^(\\d{4})-(\\d{2})-(\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?(Z|[+-]\\d{2}:?\\d{2})?)?$',
} as const;

/** Epoch milliseconds of 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: years JS formats with 4 digits. */
export const EPOCH_MS_RANGE = { min: -62_167_219_200_000, max: 253_402_300_799_999 } as const;
const MS_PER_DAY = 86_400_000;

/** JavaScript's `text.trim()`. */
export function trimSql(raw: string): string {
  return `trim(${raw}, ${quoteLiteral(JS_WHITESPACE)})`;
}

/*
 * NULL text (an absent value: most cells of a sparse column) is answered first by the parsers with a general
 * fallback: a NULL fails every WHEN and would otherwise run the fallback, which on the simulator's contacts was
 * two thirds of DuckDB's typing time.
 *
 * Each parser tries a cheap path on the untrimmed text first (a plain comparison, or one small full-match regexp
 * and a cast): text it accepts has no surrounding whitespace, so the exact rule below would give the same value.
 * Only the rare remaining values pay for trimming (a Unicode character set) and the general ISO/epoch parsing.
 */

/** A finite DOUBLE of `text` that matches PATTERNS.number; `+ 0.0` turns -0 into 0, as JSON.stringify does. */
function finiteDoubleSql(text: string): string {
  const value = `TRY_CAST(${text} AS DOUBLE)`;
  return `CASE WHEN isfinite(${value}) THEN ${value} + 0.0 END`;
}

/** `parseDouble`: a finite decimal or exponent after trimming. */
export function parseDoubleSql(raw: string): string {
  const trimmed = trimSql(raw);
  const number = quoteLiteral(PATTERNS.number);
  return (
    `CASE WHEN regexp_full_match(${raw}, ${number}) THEN ${finiteDoubleSql(raw)} ` +
    `WHEN regexp_full_match(${trimmed}, ${number}) THEN ${finiteDoubleSql(trimmed)} END`
  );
}

/** `parseBoolean`: 'true' / 'false' after trimming, any case. */
export function parseBooleanSql(raw: string): string {
  return (
    `CASE ${raw} WHEN 'true' THEN true WHEN 'false' THEN false ` +
    `ELSE CASE lower(${trimSql(raw)}) WHEN 'true' THEN true WHEN 'false' THEN false END END`
  );
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil; never raises). */
function daysFromCivilSql(year: string, month: string, day: string): string {
  const y = `(${year} - CASE WHEN ${month} <= 2 THEN 1 ELSE 0 END)`;
  const era = `((${y} + 400) // 400 - 1)`; // floor(y / 400) for y >= -400: DuckDB's // truncates
  const yoe = `(${y} - ${era} * 400)`;
  const doy = `((153 * (${month} + CASE WHEN ${month} > 2 THEN -3 ELSE 9 END) + 2) // 5 + ${day} - 1)`;
  return `(${era} * 146097 + ${yoe} * 365 + ${yoe} // 4 - ${yoe} // 100 + ${doy} - 719468)`;
}

/** Epoch ms of the regexp_extract struct `g` of PATTERNS.iso, NULL when a field is out of range. */
function isoStructMsSql(): string {
  const int = (field: string) => `TRY_CAST(NULLIF(g.${field}, '') AS BIGINT)`;
  const [y, mo, d] = [int('y'), int('mo'), int('d')];
  const [h, mi, s] = [`coalesce(${int('h')}, 0)`, `coalesce(${int('mi')}, 0)`, `coalesce(${int('s')}, 0)`];
  const fraction = `CAST(left(rpad(g.f, 3, '0'), 3) AS BIGINT)`;
  const offsetHours = `TRY_CAST(substr(g.z, 2, 2) AS BIGINT)`;
  const offsetMinutes = `TRY_CAST(right(g.z, 2) AS BIGINT)`;
  const leap = `(${y} % 4 = 0 AND (${y} % 100 <> 0 OR ${y} % 400 = 0))`;
  const daysInMonth =
    `CASE WHEN ${mo} IN (4, 6, 9, 11) THEN 30 WHEN ${mo} = 2 THEN CASE WHEN ${leap} THEN 29 ELSE 28 END ` +
    `ELSE 31 END`;
  const offsetMs =
    `CASE WHEN g.z = '' OR upper(g.z) = 'Z' THEN 0 ` +
    `ELSE (CASE WHEN left(g.z, 1) = '-' THEN -1 ELSE 1 END) * (${offsetHours} * 3600000 + ${offsetMinutes} * 60000) END`;
  const valid =
    `g.y <> '' AND ${mo} BETWEEN 1 AND 12 AND ${d} BETWEEN 1 AND ${daysInMonth} ` +
    `AND ${h} <= 23 AND ${mi} <= 59 AND ${s} <= 59 ` +
    `AND (g.z = '' OR upper(g.z) = 'Z' OR (${offsetHours} <= 23 AND ${offsetMinutes} <= 59))`;
  const ms =
    `${daysFromCivilSql(y, mo, d)} * ${MS_PER_DAY} + ${h} * 3600000 + ${mi} * 60000 + ${s} * 1000 ` +
    `+ CASE WHEN g.f = '' THEN 0 ELSE ${fraction} END - (${offsetMs})`;
  return `CASE WHEN ${valid} THEN ${ms} END`;
}

/** `parseEpochMillis` of already trimmed text: epoch ms (BIGINT) of ISO 8601 or epoch-ms text, in JS's 4-digit years. */
export function parseEpochMillisSql(trimmed: string): string {
  const names = `['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'z']`;
  const iso = `list_transform([regexp_extract(${trimmed}, ${quoteLiteral(PATTERNS.iso)}, ${names})], lambda g: ${isoStructMsSql()})[1]`;
  const epoch = `TRY_CAST(${trimmed} AS BIGINT)`;
  const ms = `CASE WHEN regexp_full_match(${trimmed}, ${quoteLiteral(PATTERNS.epochMs)}) THEN ${epoch} ELSE ${iso} END`;
  return `list_filter([${ms}], lambda m: m BETWEEN ${EPOCH_MS_RANGE.min} AND ${EPOCH_MS_RANGE.max})[1]`;
}

/** Epoch ms of untrimmed text matching PATTERNS.epochMs, NULL outside the 4-digit years. */
function epochMsInRangeSql(raw: string): string {
  const epoch = `TRY_CAST(${raw} AS BIGINT)`;
  return `CASE WHEN ${epoch} BETWEEN ${EPOCH_MS_RANGE.min} AND ${EPOCH_MS_RANGE.max} THEN ${epoch} END`;
}

/** `parseTimestamp`: HubSpot's canonical UTC text by a plain cast, plain epoch ms, anything else in general. */
export function parseTimestampSql(raw: string): string {
  return (
    `CASE WHEN ${raw} IS NULL THEN NULL ` +
    `WHEN regexp_full_match(${raw}, ${quoteLiteral(PATTERNS.canonicalUtc)}) THEN TRY_CAST(${raw} AS TIMESTAMP) ` +
    `WHEN regexp_full_match(${raw}, ${quoteLiteral(PATTERNS.epochMs)}) THEN epoch_ms(${epochMsInRangeSql(raw)}) ` +
    `ELSE epoch_ms(${parseEpochMillisSql(trimSql(raw))}) END`
  );
}

/** `parseDate`: 'YYYY-MM-DD', or a datetime at exactly midnight UTC. */
export function parseDateSql(raw: string): string {
  const trimmed = trimSql(raw);
  const midnight = `list_transform([${parseEpochMillisSql(trimmed)}], lambda m: CASE WHEN m % ${MS_PER_DAY} = 0 THEN CAST(epoch_ms(m) AS DATE) END)[1]`;
  const date = quoteLiteral(PATTERNS.date);
  return (
    `CASE WHEN ${raw} IS NULL THEN NULL WHEN regexp_full_match(${raw}, ${date}) THEN TRY_CAST(${raw} AS DATE) ` +
    `WHEN regexp_full_match(${trimmed}, ${date}) THEN TRY_CAST(${trimmed} AS DATE) ELSE ${midnight} END`
  );
}

/** `parseMultiSelect`: split on ';', order kept, empty items dropped. */
export function parseMultiSelectSql(raw: string): string {
  return `list_filter(string_split(${raw}, ${quoteLiteral(MULTI_SELECT_SEPARATOR)}), lambda item: item <> '')`;
}

/** SQL builder per column type, as PARSERS in parse-value.ts. */
export const SQL_PARSERS = {
  VARCHAR: (raw: string) => raw,
  DOUBLE: parseDoubleSql,
  BOOLEAN: parseBooleanSql,
  DATE: parseDateSql,
  TIMESTAMP: parseTimestampSql,
  'VARCHAR[]': parseMultiSelectSql,
  'MAP(VARCHAR, VARCHAR)': () => 'CAST(NULL AS MAP(VARCHAR, VARCHAR))',
} as const satisfies Record<RecordColumnType, (raw: string) => string>;

/** Types whose parse never fails on non-null text: their values never reach `_unparsed`. */
export const INFALLIBLE_TYPES: readonly RecordColumnType[] = ['VARCHAR', 'VARCHAR[]'];

/**
 * SQL typing the raw text `raw` (a VARCHAR expression) as `type`.
 * @example buildParseSql('"amount"', 'DOUBLE') // CASE WHEN regexp_full_match(trim("amount", ...
 */
export function buildParseSql(raw: string, type: RecordColumnType): string {
  return SQL_PARSERS[type](raw);
}
