/** Generates one property value from a hash: pure, so any record can be rebuilt at any time. */
import { DATA_END_MS, DATA_START_MS } from '../settings';
import { mixHash } from './hash';
import { isoString } from './iso-time';
import type { SimProperty } from './property-catalog';

const FIRST_NAMES = ['Ada', 'Grace', 'Linus', 'Zoë', 'José', 'Amélie', 'Björn', 'Chidi', 'Mei', 'Omar', 'Priya', 'Sam'];
const LAST_NAMES = ['Lovelace', 'Hopper', "O'Neil", 'Müller', 'García', 'Nakamura', 'Okafor', 'Smith', 'Łukasiewicz'];
const WORDS = ['alpha', 'bravo', 'Berlin', 'Zürich', 'São Paulo', 'north', 'blue', 'rapid', 'quiet', 'Acme', 'delta'];
const ODD_WORDS = ['emoji 🎉 party', 'tab\there', 'say "cheese"', 'back\\slash', '  padded  ', '<script>x</script>'];
const DAY_MS = 86_400_000;
/** First names as email local parts: lower case, accents dropped (NFD, then non-ASCII removed). */
const EMAIL_NAMES = FIRST_NAMES.map((n) =>
  n
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^\x20-\x7e]/g, ''),
);
/** The 2,000 `YYYY-MM-DD` dates from DATA_START_MS that date properties take. */
const DATES = Array.from({ length: 2000 }, (_, d) => new Date(DATA_START_MS + d * DAY_MS).toISOString().slice(0, 10));

/** Generates the value of `prop` from the record hash `h` (already past the fill check). */
export function generateValue(prop: SimProperty, h: number, ownerIds: readonly string[]): string {
  const h2 = mixHash(h, 0x5bd1e995);
  switch (prop.generator) {
    case 'firstname':
      return pick(FIRST_NAMES, h2);
    case 'lastname':
      return pick(LAST_NAMES, h2);
    case 'email':
      return `${pick(EMAIL_NAMES, h2)}.${h2 % 100_000}@example.com`;
    case 'word':
      return h2 % 53 === 0 ? pick(ODD_WORDS, h2 >>> 8) : `${pick(WORDS, h2)} ${h2 % 1000}`;
    case 'sentence':
      return h2 % 7 === 0
        ? `${pick(WORDS, h2)} first line\nsecond line with "quotes"`
        : `${pick(WORDS, h2)} ${pick(WORDS, h2 >>> 5)} ${pick(WORDS, h2 >>> 10)}.`;
    case 'html':
      return `<p>${pick(WORDS, h2)} <b>${h2 % 100}</b> &amp; more</p>`;
    case 'url':
      return `https://files.example.com/f/${h2 % 1_000_000}.pdf`;
    case 'phone':
      return `+1 555-${String(h2 % 10_000).padStart(4, '0')}`;
    case 'number':
      return generateNumber(h2);
    case 'money':
      return ((h2 % 10_000_000) / 100).toFixed(2);
    case 'bool':
      return h2 % 61 === 0 ? 'yes' : h2 % 2 === 0 ? 'true' : 'false';
    case 'option':
      return pick(prop.optionValues, h2);
    case 'multi':
      return generateMulti(prop.optionValues, h2);
    case 'date':
      return DATES[h2 % DATES.length];
    case 'datetime':
      return generateDatetime(h2);
    case 'owner':
      return ownerIds.length === 0 ? '' : pick(ownerIds, h2);
    case 'system':
      return '';
  }
}

function pick<T>(list: readonly T[], h: number): T {
  return list[h % list.length];
}

function generateNumber(h: number): string {
  if (h % 97 === 0) return '12abc';
  if (h % 89 === 0) return 'N/A';
  if (h % 83 === 0) return '';
  return h % 3 === 0 ? String((h % 1_000_000) / 1000) : String(h % 10_000);
}

function generateMulti(values: readonly string[], h: number): string {
  const picked = values.filter((_, i) => ((h >>> i) & 1) === 1);
  return (picked.length > 0 ? picked : [values[h % values.length]]).join(';');
}

function generateDatetime(h: number): string {
  const ms = DATA_START_MS + (h % Math.floor((DATA_END_MS - DATA_START_MS) / 1000)) * 1000;
  // Older data holds epoch milliseconds as a string.
  return h % 11 === 0 ? String(ms) : isoString(ms);
}
