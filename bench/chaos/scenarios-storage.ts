/** Scenarios of S3 failing: a share of requests refused, the endpoint gone for a while, a manifest or `_latest` write. */
import { checkSnapshots, cliOutcome, expectOutcomes, runDeployed, sleep, type RunOutcome } from './checks';
import type { Judge, Scenario } from './scenario';
import { PORTALS, type World } from './world';

/**
 * A CLI run that may fail (the fault outlasting every retry), and as many more as it takes, up to three: the
 * export is judged on the last, which must have completed, and no failed run may have published anything.
 */
async function runUntilComplete(w: World, judge: Judge): Promise<RunOutcome | undefined> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const run = cliOutcome(await w.runCli({ mode: 'full', objects: w.portal.objects }));
      if (run.outcomes.every((o) => o.status === 'completed')) return run;
      judge.said.push(run.outcomes);
      judge.problems.push(
        `run ${attempt} failed ${run.outcomes
          .filter((o) => o.status !== 'completed')
          .map((o) => `${o.dataset} (${o.reason})`)
          .join(', ')}`,
      );
    } catch (error) {
      judge.said.push(error);
      judge.problems.push(`run ${attempt} threw ${(error as Error).name}: ${(error as Error).message.slice(0, 300)}`);
    }
  }
  return undefined;
}

export const STORAGE_SCENARIOS: Scenario[] = [
  {
    name: 'S3 refusing 10 % of requests',
    fault: 'S3 failing some uploads (a proxy that fails a share of requests)',
    portal: PORTALS.narrow,
    driver: 'cli',
    async run(w, judge) {
      w.s3.fail({ kind: 'slowdown', method: 'PUT', rate: 0.1 });
      w.s3.fail({ kind: 'reset', method: 'GET', rate: 0.05 });
      w.s3.fail({ kind: 'internal', rate: 0.03 });
      const run = await runUntilComplete(w, judge);
      judge.expect(w.s3.counts.failed > 0, 'S3 failed nothing');
      if (!run) return;
      expectOutcomes(judge, run);
      await checkSnapshots(w, judge, run);
    },
  },
  {
    name: 'S3 stopped and started again',
    fault: 'S3 failing uploads (s3rver stopped and started again)',
    portal: PORTALS.narrow,
    driver: 'cli',
    async run(w, judge) {
      let outage: Promise<void> | undefined;
      w.h.deps.onProgress = (event) => {
        if (outage || event.pages < 4) return;
        // Gone for 1.5 s in the middle of the first object's pages.
        outage = w.s3.stop().then(() => sleep(1_500).then(() => w.s3.start()));
      };
      const run = await runUntilComplete(w, judge);
      await outage;
      judge.expect(outage !== undefined, 'S3 never went away');
      if (!run) return;
      expectOutcomes(judge, run);
      await checkSnapshots(w, judge, run);
    },
  },
  {
    name: 'manifest write failing',
    fault: 'failing a manifest write',
    portal: PORTALS.narrow,
    driver: 'cli',
    async run(w, judge) {
      // Four refusals: the SDK's three attempts of the first write, and the first of the next.
      w.s3.fail({ kind: 'internal', method: 'PUT', key: /^hubspot\/_manifests\/contacts\//, times: 4 });
      const run = await runUntilComplete(w, judge);
      judge.expect(w.s3.counts.failed >= 3, `S3 refused ${w.s3.counts.failed} manifest writes`);
      if (!run) return;
      expectOutcomes(judge, run);
      await checkSnapshots(w, judge, run);
    },
  },
  {
    name: '_latest write failing',
    fault: 'failing a `_latest` write',
    portal: PORTALS.narrow,
    driver: 'deployed',
    async run(w, judge) {
      w.s3.fail({ kind: 'slowdown', method: 'PUT', key: /^hubspot\/_latest\/deals\.json$/, times: 4 });
      const result = await runDeployed(w, judge, { mode: 'full', objects: w.portal.objects });
      judge.expect(w.s3.counts.failed === 4, `S3 refused ${w.s3.counts.failed} _latest writes, not 4`);
      judge.expect(w.deployedEvents().length > result.outcomes.length, 'finalize was never retried');
      expectOutcomes(judge, result);
      await checkSnapshots(w, judge, result);
    },
  },
];
