/**
 * Fast `new Date(ms).toISOString()` for generated timestamps: the `YYYY-MM-DDT` part is cached per day and the
 * time of day is built from a two-digit table. Identical output; outside years 1970-9999 it defers to Date.
 */
const DAY_MS = 86_400_000;
const MAX_FAST_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));
const dayPrefixes = new Map<number, string>();

/** Same string as `new Date(ms).toISOString()` for integer `ms`. */
export function isoString(ms: number): string {
  if (!(ms >= 0 && ms <= MAX_FAST_MS) || ms !== Math.floor(ms)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  let rest = ms - day * DAY_MS;
  const millis = rest % 1000;
  rest = (rest - millis) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  return `${prefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[millis]}Z`;
}
