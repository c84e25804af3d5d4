import { lostOf, duplicatedOf } from '../../bench/chaos/report';
import { runScenario } from '../../bench/chaos/scenario';
import { FAST_SUBSET, scenariosMatching } from '../../bench/chaos/scenarios';

/**
 * The fast subset of `npm run chaos` (bench/chaos/scenarios.ts): each scenario a run through the engine against the
 * simulator over HTTP and s3rver with a fault injected, judged against the oracle afterwards. The whole matrix, with
 * requests wasted next to a clean pass, is `npm run chaos`.
 */
describe('Chaos: the fast subset of the fault matrix', () => {
  const scenarios = FAST_SUBSET.map((name) => scenariosMatching([name])[0]);

  it.each(scenarios.map((s) => [s.name, s] as const))(
    'survives %s: nothing lost or duplicated',
    async (_, scenario) => {
      // Act
      const result = await runScenario(scenario);

      // Assess: no problem found, and every record and association pair exported exactly once.
      expect({
        problems: result.problems,
        lost: lostOf(result),
        duplicated: duplicatedOf(result),
        unexpected: result.tally.unexpected + result.pairs.unexpected,
        passed: result.passed,
      }).toEqual({ problems: [], lost: 0, duplicated: 0, unexpected: 0, passed: true });
      expect(result.tally.expected).toBeGreaterThan(0);
      expect(result.tally.exported).toBe(result.tally.expected);
    },
  );
});
