/**
 * The chaos matrix: every scenario `npm run chaos` runs, and the fast subset that runs inside `npm test`
 * (test/integration/chaos.test.ts). Each group lives in a file of its own.
 */
import type { Scenario } from './scenario';
import { ACCESS_SCENARIOS } from './scenarios-access';
import { API_SCENARIOS } from './scenarios-api';
import { CRASH_SCENARIOS } from './scenarios-crash';
import { DATA_SCENARIOS } from './scenarios-data';
import { SCHEMA_SCENARIOS } from './scenarios-schema';
import { STORAGE_SCENARIOS } from './scenarios-storage';

export const SCENARIOS: readonly Scenario[] = [
  ...API_SCENARIOS,
  ...ACCESS_SCENARIOS,
  ...STORAGE_SCENARIOS,
  ...CRASH_SCENARIOS,
  ...DATA_SCENARIOS,
  ...SCHEMA_SCENARIOS,
];

/** A handful of scenarios, one per kind of fault, that take under half a minute together. */
export const FAST_SUBSET: readonly string[] = [
  '503 burst + 5 %',
  'truncated JSON',
  'key rotated (old key valid 300 ms)',
  'S3 stopped and started again',
  'Lambda step killed',
];

/** The scenarios whose names hold one of `parts` (case-insensitive); throws naming a part that matches none. */
export function scenariosMatching(parts: readonly string[]): Scenario[] {
  const wanted = parts.map((p) => p.trim().toLowerCase()).filter(Boolean);
  for (const part of wanted) {
    if (!SCENARIOS.some((s) => s.name.toLowerCase().includes(part))) {
      throw new Error(`no chaos scenario's name holds "${part}": ${SCENARIOS.map((s) => s.name).join('; ')}`);
    }
  }
  return SCENARIOS.filter((s) => wanted.some((part) => s.name.toLowerCase().includes(part)));
}
