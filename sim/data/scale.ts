/** Record counts per object type for a scale name or a contacts count. */
import { LARGE_CONTACTS, SCALES, type ScaleTable } from '../settings';
import type { ScaleName } from '../types';
import type { CatalogType } from './object-catalog';

/** Counts per type name. A number scales every type from the demo ratios; `overrides` set chosen types' counts. */
export function resolveCounts(
  scale: ScaleName | number,
  types: readonly CatalogType[],
  overrides: Readonly<Record<string, number>> = {},
): Map<string, number> {
  const table = tableFor(scale);
  return new Map(
    types.map((t) => {
      const key = (t.custom ? 'custom' : t.name) as keyof ScaleTable;
      return [t.name, overrides[t.name] ?? table[key] ?? table.others];
    }),
  );
}

function tableFor(scale: ScaleName | number): ScaleTable {
  if (scale === 'tiny' || scale === 'demo') return SCALES[scale];
  const contacts = scale === 'large' ? LARGE_CONTACTS : Math.floor(scale);
  if (!Number.isFinite(contacts) || contacts < 0)
    throw new RangeError(`scale must be tiny, demo, large or a count >= 0, got ${scale}`);
  const demo = SCALES.demo;
  const factor = contacts / demo.contacts;
  const scaled = Object.fromEntries(
    Object.entries(demo).map(([k, v]) => [k, Math.max(contacts === 0 ? 0 : 5, Math.round(v * factor))]),
  ) as Record<keyof ScaleTable, number>;
  return { ...scaled, contacts };
}

/** Owners per scale: a handful at tiny, a few hundred at large. */
export function resolveOwnerCount(scale: ScaleName | number): number {
  if (scale === 'tiny') return 25;
  if (scale === 'demo') return 60;
  return scale === 'large' || scale > 100_000 ? 200 : 40;
}
