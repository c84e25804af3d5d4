/** The matrix's lines: one per scenario, then the RESULT line. */
import type { ScenarioResult } from './scenario';

const pad = (text: string | number, width: number) => String(text).padStart(width);

/** Lost and duplicated rows of a scenario: records and association pairs together. */
export const lostOf = (r: ScenarioResult) => r.tally.lost + r.pairs.lost;
export const duplicatedOf = (r: ScenarioResult) => r.tally.duplicated + r.pairs.duplicated;

/** One scenario's line; a failed one is followed by its first problems, indented. */
export function formatResult(r: ScenarioResult): string {
  const wasted = r.wastedRequests === undefined ? '-' : r.wastedRequests;
  const unexpected = r.tally.unexpected + r.pairs.unexpected;
  const line =
    `${r.name.padEnd(40)} ${r.driver.padEnd(8)} records expected ${pad(r.tally.expected, 6)} exported ` +
    `${pad(r.tally.exported, 6)}  pairs ${pad(r.pairs.expected, 5)}/${pad(r.pairs.exported, 5)}  ` +
    `lost ${pad(lostOf(r), 3)}  duplicated ${pad(duplicatedOf(r), 3)}` +
    (unexpected ? `  unexpected ${unexpected}` : '') +
    `  wasted ${pad(wasted, 4)} of ${pad(r.requests, 4)} requests  ${pad(r.seconds.toFixed(1), 5)} s  ` +
    (r.passed ? 'passed' : 'FAILED');
  return r.passed ? line : [line, ...r.problems.slice(0, 8).map((p) => `    ${p}`)].join('\n');
}

/** The RESULT line's figures. */
export function summarize(results: readonly ScenarioResult[]) {
  const sum = (pick: (r: ScenarioResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  return {
    scenarios: results.length,
    passed: results.filter((r) => r.passed).length,
    lost: sum(lostOf),
    duplicated: sum(duplicatedOf),
    wastedRequests: sum((r) => r.wastedRequests ?? 0),
  };
}
