/** Scenarios of access: the key rotated mid-run, a secret holding garbage, a scope missing, the daily budget spent. */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { clearSecretCache } from '../../lib/hubspot/service-key';
import { lockKey } from '../../lib/store/lock';
import { checkSnapshots, cliOutcome, expectOutcomes, expectUnpublished, runDeployed, type RunOutcome } from './checks';
import { startEngineProcess } from './processes';
import type { Judge, Scenario } from './scenario';
import { CHAOS_SETTINGS, PORTALS, type RunInputLike, type World } from './world';

/** Rotates the key the secret holds once the first page is in; the old key lasts `graceMs` more. */
function rotateOnFirstPage(w: World, graceMs: number): { rotated(): boolean } {
  let rotated = false;
  w.h.deps.onProgress = () => {
    if (rotated) return;
    rotated = true;
    w.secret.value = w.sim.keys.rotate(w.secret.value, { expireOldAfterMs: graceMs });
  };
  return { rotated: () => rotated };
}

const rejectedRequests = (w: World) => w.sim.log.entries().filter((e) => e.status === 401).length;

/** What the secret may hold by mistake: each must fail the run with a clear reason and write nothing. */
const GARBAGE = [
  '',
  '{"serviceKey": "pat-na1-',
  '{"apiKey": "pat-na1-00000000-0000-0000-0000-000000000000"}',
  'hello world',
  'pat-na1-1234\u0000\u0007',
  'pat-na1-1234\r\nX-Injected: 1',
  'ключ-🔑',
];

/** The run's datasets and objects, none published: a failure with a reason, or a thrown error with a message. */
async function expectRefused(w: World, judge: Judge, garbage: string): Promise<void> {
  const shown = JSON.stringify(garbage);
  // Each CLI run is a process of its own: nothing of the last run's secret is cached.
  clearSecretCache();
  try {
    const result = cliOutcome(await w.runCli({ mode: 'full', objects: w.portal.objects }));
    judge.said.push(result.outcomes);
    for (const o of result.outcomes) {
      judge.expect(o.status === 'failed', `secret ${shown}: ${o.dataset} ${o.status}`);
      judge.expect(
        !!o.reason && o.reason.includes(w.secret.secretId),
        `secret ${shown}: reason "${o.reason}" names no secret`,
      );
    }
    await expectUnpublished(w, judge, result.runId, w.portal.objects);
  } catch (error) {
    judge.said.push(error);
    const text = error instanceof Error ? error.message : String(error);
    judge.expect(text.includes(w.secret.secretId), `secret ${shown}: "${text.slice(0, 200)}" does not name the secret`);
    judge.expect(!/\n\s+at /.test(text), `secret ${shown}: a stack trace in the message`);
  }
  const published = (await w.h.target.list('_latest/')).length;
  judge.expect(published === 0, `secret ${shown}: ${published} datasets published`);
  for (const object of w.portal.objects) {
    const lease = await w.h.target.getObject(lockKey(object));
    const held = lease && !JSON.parse(lease.toString()).releasedAt;
    judge.expect(!held, `secret ${shown}: the lease on ${object} is still held`);
  }
}

/** The engine keeps this many of the day's requests for other integrations (RATE_BUDGET_DEFAULTS.dailyReserve). */
const DAILY_RESERVE = 1_000;

/**
 * A full run whose day's budget ends a third of the way in (a clean run takes about 60 requests), then the next
 * day's run. The CLI's next run is a new process; the deployed one runs in the same warm Lambda containers.
 */
function dailyBudgetScenario(driver: 'cli' | 'deployed'): Scenario {
  const run = async (w: World, judge: Judge, input: Record<string, unknown>, mayFail = true): Promise<RunOutcome> => {
    if (driver === 'deployed') return runDeployed(w, judge, input, undefined, { mayFail });
    return cliOutcome(await w.runCli(input as RunInputLike));
  };
  return {
    name: `daily budget spent mid-run (${driver})`,
    fault: 'the daily budget running out mid-run: stops cleanly, the next run resumes with state intact',
    portal: PORTALS.narrow,
    driver,
    async run(w, judge) {
      const input = { mode: 'full', objects: w.portal.objects };
      w.sim.limits.set({ daily: DAILY_RESERVE + 20 });
      const stopped = await run(w, judge, input);
      judge.said.push(stopped.outcomes);
      const failed = stopped.outcomes.filter((o) => o.status === 'failed');
      judge.expect(failed.length > 0, 'nothing failed: the budget never ran out');
      for (const o of failed) {
        judge.expect(/daily/i.test(o.reason ?? ''), `${o.dataset} failed for "${o.reason}", not the daily limit`);
      }
      const objects = failed.map((o) => o.dataset).filter((d) => w.portal.objects.includes(d));
      await expectUnpublished(w, judge, stopped.runId, objects);
      // No watermark moved past data not exported: a failed object's state has none.
      for (const object of objects) {
        const state = await w.h.target.getObject(`_state/${object}.json`);
        const watermark = state ? JSON.parse(state.toString()).watermark : null;
        judge.expect(watermark === null, `${object} has watermark ${watermark} though it failed`);
      }
      // Midnight in the portal's time zone: a new day's budget.
      w.sim.limits.set({ daily: 1_000_000 });
      w.sim.limits.resetDaily();
      let next: RunOutcome | undefined;
      if (driver === 'deployed') next = await run(w, judge, input, false);
      else {
        const child = startEngineProcess(
          {
            hubspotUrl: w.sim.url,
            s3: w.s3.clientConfig,
            location: w.location,
            input,
            settings: CHAOS_SETTINGS,
            workDir: await mkdtemp(join(w.scratch, 'engine-')),
          },
          w.secret.value,
        );
        const { result, code, stderr } = await child.ended;
        judge.expect(code === 0 && result !== undefined, `the next day's run exited ${code}: ${stderr.slice(-300)}`);
        if (result) next = cliOutcome(result);
      }
      if (!next) return;
      expectOutcomes(judge, next);
      await checkSnapshots(w, judge, next);
    },
  };
}

export const ACCESS_SCENARIOS: Scenario[] = [
  {
    name: 'key rotated (old key valid 300 ms)',
    fault: 'the key rotated mid-run',
    portal: PORTALS.narrow,
    driver: 'cli',
    async run(w, judge) {
      const rotation = rotateOnFirstPage(w, 300);
      const result = cliOutcome(await w.runCli({ mode: 'full', objects: w.portal.objects }));
      judge.expect(rotation.rotated(), 'the key was never rotated');
      expectOutcomes(judge, result);
      await checkSnapshots(w, judge, result);
    },
  },
  {
    name: 'key rotated (old key expired at once)',
    fault: 'the key rotated with the old key expired at once',
    portal: PORTALS.narrow,
    driver: 'deployed',
    async run(w, judge) {
      const rotation = rotateOnFirstPage(w, 0);
      const result = await runDeployed(w, judge, { mode: 'full', objects: w.portal.objects });
      judge.expect(rotation.rotated(), 'the key was never rotated');
      judge.expect(rejectedRequests(w) > 0, 'no request met the expired key');
      expectOutcomes(judge, result);
      await checkSnapshots(w, judge, result);
    },
  },
  {
    name: 'secret holding garbage then fixed',
    fault: 'a secret holding garbage',
    portal: PORTALS.wide,
    driver: 'cli',
    async run(w, judge) {
      const key = w.secret.value;
      for (const garbage of GARBAGE) {
        w.secret.value = garbage;
        await expectRefused(w, judge, garbage);
      }
      w.secret.value = key;
      clearSecretCache();
      const result = cliOutcome(await w.runCli({ mode: 'full', objects: w.portal.objects }));
      expectOutcomes(judge, result);
      await checkSnapshots(w, judge, result);
    },
  },
  {
    name: 'scope missing for deals',
    fault: 'a scope missing for one object',
    portal: PORTALS.narrow,
    driver: 'cli',
    async run(w, judge) {
      const scopes = w.sim.keys.allScopes().filter((s) => s !== 'crm.objects.deals.read');
      w.secret.value = w.sim.keys.create({ scopes });
      const result = cliOutcome(await w.runCli({ mode: 'full', objects: w.portal.objects }));
      expectOutcomes(judge, result, { deals: { status: 'failed', reason: 'missing scope crm.objects.deals.read' } });
      await checkSnapshots(w, judge, result, ['contacts', 'companies']);
      await expectUnpublished(w, judge, result.runId, ['deals']);
    },
  },
  dailyBudgetScenario('cli'),
  dailyBudgetScenario('deployed'),
];
