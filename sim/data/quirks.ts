/**
 * Values that break naive code, placed deterministically: in every object type, record index
 * QUIRK_FIRST_INDEX + n gets quirk n in the first property whose generator matches.
 */
import type { GeneratorName } from './property-kinds';
import type { SimProperty } from './property-catalog';

export const LONG_STRING_LENGTH = 65_536;

export const QUIRK_FIRST_INDEX = 1;

export const QUIRKS: readonly { readonly generators: readonly GeneratorName[]; readonly value: string }[] = [
  { generators: ['firstname', 'word'], value: 'Zoë 🦄 Ünïcødé — 日本語 ✓' },
  { generators: ['lastname', 'word'], value: 'O\'Brien "The \\ Hammer"' },
  { generators: ['sentence'], value: 'line one\nline two\r\n\tline "three" \\ end' },
  { generators: ['sentence'], value: 'L'.repeat(LONG_STRING_LENGTH) },
  { generators: ['word', 'firstname'], value: '' },
  { generators: ['number'], value: '12abc' },
  { generators: ['number'], value: 'N/A' },
  { generators: ['datetime'], value: '2020-02-29T03:30:17.000Z' },
  { generators: ['datetime'], value: '1582947017000' },
  { generators: ['date'], value: '2020-02-29' },
  { generators: ['multi'], value: 'a;b;c' },
  { generators: ['bool'], value: 'yes' },
  { generators: ['bool'], value: '' },
];

/** Map of record index -> (property index -> quirk value) for one type. */
export function placeQuirks(properties: readonly SimProperty[], count: number): Map<number, Map<number, string>> {
  const placed = new Map<number, Map<number, string>>();
  QUIRKS.forEach((quirk, n) => {
    const index = QUIRK_FIRST_INDEX + n;
    if (index >= count) return;
    const propertyIndex = properties.findIndex((p) => quirk.generators.includes(p.generator));
    if (propertyIndex < 0) return;
    placed.set(index, new Map([[propertyIndex, quirk.value]]));
  });
  return placed;
}
