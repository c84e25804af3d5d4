/**
 * Scenarios of the engine dying: the CLI's process killed with SIGKILL at random points (resumed under the same
 * run, or replaced by a new run once its leases lapsed), and the deployed sync-step killed, timed out, or invoked
 * again while its first invocation still runs.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { makeFinalizeHandler } from '../../functions/finalize';
import { createSyncRuntime, type SyncRuntime } from '../../lib/sync/create-deps';
import { makeRunId } from '../../lib/sync/run-id';
import type { RunResult } from '../../lib/sync/types';
import { checkSnapshots, cliOutcome, expectOutcomes, runDeployed, sleep } from './checks';
import { startEngineProcess } from './processes';
import type { Judge, Scenario } from './scenario';
import { seededRandom } from './s3-store';
import { CHAOS_SETTINGS, DEPLOYED_STEP_WORK_MS, deployedStep, PORTALS, type World } from './world';

/** Leases of the killed processes lapse this fast (the CLI's are 30 minutes: a new run waits that long). */
const CHILD_LEASE_MS = 2_000;

/** Resolves once `ready()` holds, or after `limitMs`. */
async function until(ready: () => boolean, limitMs = 60_000): Promise<void> {
  for (const start = Date.now(); !ready() && Date.now() - start < limitMs;) await sleep(5);
}

/**
 * Starts the engine in a process and kills it with SIGKILL three times at random points (while it plans, then after
 * a random number of pages), then lets a fourth process finish. `sameRun`: every process resumes one run id, as a
 * retried execution does; otherwise each starts a new run once the killed one's leases have lapsed.
 */
async function killAndRestart(w: World, judge: Judge, sameRun: boolean): Promise<RunResult | undefined> {
  const random = seededRandom(sameRun ? 3 : 4);
  const workDir = await mkdtemp(join(w.scratch, 'engine-'));
  const runId = sameRun ? makeRunId(new Date()) : undefined;
  const config = {
    hubspotUrl: w.sim.url,
    s3: w.s3.clientConfig,
    location: w.location,
    input: { mode: 'full', objects: w.portal.objects },
    settings: { ...CHAOS_SETTINGS, leaseTtlMs: CHILD_LEASE_MS },
    workDir,
    ...(runId ? { runId } : {}),
  };
  let kills = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = w.sim.log.total();
    const child = startEngineProcess(config, w.secret.value);
    let ended = false;
    void child.ended.then(() => (ended = true));
    // The first dies planning (a few requests in); the others after 2 to 14 pages.
    const pages = 2 + Math.floor(random() * 13);
    await until(() => ended || (attempt === 0 ? w.sim.log.total() >= before + 2 : child.pages >= pages));
    child.kill('SIGKILL');
    const { signal } = await child.ended;
    if (signal === 'SIGKILL') kills += 1;
    if (!sameRun) await sleep(CHILD_LEASE_MS + 300);
  }
  judge.expect(kills === 3, `only ${kills} of 3 processes were killed before they finished`);
  const last = startEngineProcess(config, w.secret.value);
  const { code, result, stderr } = await last.ended;
  judge.expect(code === 0 && result !== undefined, `the last process exited ${code}: ${stderr.slice(-400)}`);
  if (result && runId) judge.expect(result.runId === runId, `resumed run ${result.runId}, not ${runId}`);
  return result;
}

/** The state machine's view of a killed or timed-out Lambda: the invocation fails under Lambda's error name. */
const lambdaDeath = (name: string, message: string) => Object.assign(new Error(message), { name });

type StepHandler = (event: unknown) => Promise<unknown>;

/** Invocations of sync-step answered with a client timeout while they go on (every object meets some). */
const DOUBLED = [2, 3, 5, 7];

/** Another warm Lambda container: the engine's runtime with a scratch folder of its own, against the same world. */
async function otherContainer(w: World): Promise<SyncRuntime> {
  return createSyncRuntime({
    keyProvider: w.secret.provider(),
    location: w.location,
    baseUrl: w.sim.url,
    s3Client: w.s3.client,
    workDir: await mkdtemp(join(w.scratch, 'container-')),
    log: { info: (m) => w.h.logs.push(m), warn: (m) => w.h.logs.push(`warn: ${m}`) },
    settings: w.h.deps.settings,
  });
}

/** The deployed sync-step with the world's usual time per invocation, or `remainingMs` left. */
const realStep = (w: World, remainingMs?: () => number): StepHandler =>
  deployedStep(w.h.runtime, remainingMs ?? (() => w.h.deps.settings.deadlineMarginMs + DEPLOYED_STEP_WORK_MS));

export const CRASH_SCENARIOS: Scenario[] = [
  {
    name: 'SIGKILL x3 resumed (same run)',
    fault: 'the process killed at random points (SIGKILL, several times in one run), and resumed',
    portal: PORTALS.narrow,
    driver: 'process',
    async run(w, judge) {
      const result = await killAndRestart(w, judge, true);
      if (!result) return;
      expectOutcomes(judge, cliOutcome(result));
      await checkSnapshots(w, judge, cliOutcome(result));
    },
  },
  {
    name: 'SIGKILL x3 then new runs',
    fault: 'the process killed at random points; the next run takes over once the leases lapse',
    portal: PORTALS.narrow,
    driver: 'process',
    async run(w, judge) {
      const result = await killAndRestart(w, judge, false);
      if (!result) return;
      expectOutcomes(judge, cliOutcome(result));
      await checkSnapshots(w, judge, cliOutcome(result));
    },
  },
  {
    name: 'Lambda step killed',
    fault: 'a step killed (between upload and checkpoint, and mid-page)',
    portal: PORTALS.narrow,
    driver: 'deployed',
    async run(w, judge) {
      let uploads = 0;
      let pages = 0;
      const killed = () =>
        lambdaDeath('Runtime.ExitError', 'RequestId: 1 Error: Runtime exited with error: signal: killed');
      w.h.deps.hooks = {
        afterPartUpload: () => {
          uploads += 1;
          if (uploads === 2 || uploads === 5) throw killed();
        },
      };
      w.h.deps.onProgress = () => {
        pages += 1;
        if (pages === 7 || pages === 19) throw killed();
      };
      const result = await runDeployed(w, judge, { mode: 'full', objects: w.portal.objects });
      judge.expect(uploads >= 5 && pages >= 19, `only ${uploads} uploads and ${pages} pages: not every kill happened`);
      expectOutcomes(judge, result);
      await checkSnapshots(w, judge, result);
    },
  },
  {
    name: 'Lambda step timed out',
    fault: 'a step timing out (killed at its time limit, mid-step)',
    portal: PORTALS.narrow,
    driver: 'deployed',
    async run(w, judge) {
      const random = seededRandom(9);
      let pages = 0;
      let timeouts = 0;
      // Three invocations run out of time mid-step, each in a different object's turn.
      w.h.deps.onProgress = () => {
        pages += 1;
        if (pages !== 4 && pages !== 17 && pages !== 33) return;
        timeouts += 1;
        throw lambdaDeath('Sandbox.Timedout', 'Task timed out after 900.00 seconds');
      };
      // Steps with 0 to 1.5 s of work each before their margin (the real one is a minute of 15).
      const step = realStep(w, () => w.h.deps.settings.deadlineMarginMs + random() * 1_500);
      const result = await runDeployed(w, judge, { mode: 'full', objects: w.portal.objects }, { step });
      judge.expect(timeouts >= 3, `only ${timeouts} timeouts`);
      expectOutcomes(judge, result);
      await checkSnapshots(w, judge, result);
    },
  },
  {
    name: 'Lambda invoked again while running',
    fault: 'a retried invocation (the first still running), and a finalize whose answer was lost',
    portal: PORTALS.narrow,
    driver: 'deployed',
    async run(w, judge) {
      const orphans: Promise<unknown>[] = [];
      let invocations = 0;
      const real = realStep(w);
      // Each invocation that goes on runs in a container of its own (its own /tmp), as Lambda runs them: one
      // container never runs two invocations at once, so two orphans of one item never share scratch files.
      const containers: SyncRuntime[] = [];
      for (const _ of DOUBLED) containers.push(await otherContainer(w));
      const inOtherContainer = (event: unknown) =>
        deployedStep(
          containers[orphans.length],
          () => w.h.deps.settings.deadlineMarginMs + DEPLOYED_STEP_WORK_MS,
        )(event);
      // These invocations time out on the client side while the function goes on: Step Functions retries the
      // same input at once, and two steps of one item run side by side.
      const step: StepHandler = async (event) => {
        invocations += 1;
        if (!DOUBLED.includes(invocations)) return real(event);
        orphans.push(inOtherContainer(event).catch((error: unknown) => error));
        await sleep(20);
        throw lambdaDeath(
          'Lambda.ClientExecutionTimeoutException',
          'Client execution did not complete before the timeout',
        );
      };
      let finalizes = 0;
      const finalizeHandler = makeFinalizeHandler(
        async () => w.h.runtime,
        () => async (events) => void w.deployed().published.push(...events),
        () => undefined,
      );
      const finalize: StepHandler = async (event) => {
        const answer = await finalizeHandler(event);
        finalizes += 1;
        if (finalizes === 1) throw lambdaDeath('Lambda.ServiceException', 'Lambda is unable to return the answer');
        return answer;
      };
      const result = await runDeployed(w, judge, { mode: 'full', objects: w.portal.objects }, { step, finalize });
      const settled = await Promise.all(orphans);
      for (const container of containers) await container.close();
      judge.said.push(settled);
      judge.expect(
        orphans.length === DOUBLED.length && finalizes === 2,
        `${orphans.length} orphaned steps, ${finalizes} finalizes`,
      );
      // An orphaned step either finished before the retry claimed its item, or stopped as superseded by the retry.
      const otherwise = settled.filter((s) =>
        s instanceof Error ? s.name !== 'StepSupersededError' : (s as { failure: unknown }).failure !== null,
      );
      judge.expect(otherwise.length === 0, `orphaned steps that ended otherwise: ${JSON.stringify(otherwise)}`);
      // Each dataset is announced once per finalize that published it: the later finalize says the same again.
      const seen = new Map<string, string>();
      for (const o of result.outcomes) {
        const before = seen.get(o.dataset);
        judge.expect(before === undefined || before === o.status, `${o.dataset} announced ${before} and ${o.status}`);
        seen.set(o.dataset, o.status);
      }
      expectOutcomes(judge, result);
      await checkSnapshots(w, judge, result);
    },
  },
];
