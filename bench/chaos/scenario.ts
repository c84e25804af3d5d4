/**
 * A chaos scenario: a fault (or several) injected into full or incremental runs of one portal, judged against the
 * oracle afterwards, and its requests next to those of a clean run of the same portal.
 */
import { expectTidy } from './checks';
import { addTally, emptyTally, type Tally } from './oracle-check';
import { startWorld, type Portal, type RunInputLike, type World, type WorldOptions } from './world';

/** Which driver the scenario runs: the CLI's local driver, the deployed state machine, or the CLI in a process. */
export type Driver = 'cli' | 'deployed' | 'process';

export interface Scenario {
  readonly name: string;
  /** The fault, in the words of the list. */
  readonly fault: string;
  readonly portal: Portal;
  readonly driver: Driver;
  /** The runs of a clean pass over the portal (their requests are the baseline); default one full run. */
  readonly baseline?: readonly RunInputLike[];
  readonly world?: WorldOptions;
  /** How long its runs and checks may take before it counts as hung; default SCENARIO_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  run(w: World, judge: Judge): Promise<void>;
}

/** A scenario still running after this long has hung: it fails, and the matrix goes on. */
export const SCENARIO_TIMEOUT_MS = 180_000;

/** `work`, or `undefined` once `ms` have passed without it settling (the timer does not hold the process). */
async function within<T>(work: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work.then((value) => ({ value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Collects what a scenario found: tallies of every dataset compared, and problems (anything else amiss). */
export class Judge {
  /** Record rows of the record tables compared. */
  readonly tally: Tally = emptyTally();
  /** Rows of the association tables compared (one per pair and association type). */
  readonly pairs: Tally = emptyTally();
  readonly problems: string[] = [];
  /** Texts that must never appear in a log line, error, event or summary (every key the secret held). */
  readonly secrets = new Set<string>();
  /** Everything the engine said: outcomes, events, thrown errors (logs are the world's). */
  readonly said: unknown[] = [];

  add(tally: Tally): void {
    addTally(this.tally, tally);
  }

  addPairs(tally: Tally): void {
    addTally(this.pairs, tally);
  }

  /** Notes a problem unless `ok`. */
  expect(ok: boolean, problem: string): void {
    if (!ok) this.problems.push(problem);
  }
}

export interface ScenarioResult {
  name: string;
  fault: string;
  driver: Driver;
  portal: string;
  /** Record rows. */
  tally: Tally;
  /** Association rows. */
  pairs: Tally;
  requests: number;
  baselineRequests?: number;
  /** Requests beyond the clean pass's, 0 when fewer (undefined when no baseline was measured). */
  wastedRequests?: number;
  seconds: number;
  passed: boolean;
  problems: string[];
}

const message = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** The clean pass of `scenario`'s portal through its driver (the CLI's for a process: the same engine). */
async function cleanPass(scenario: Scenario): Promise<number> {
  const w = await startWorld(scenario.portal, scenario.world);
  try {
    for (const input of scenario.baseline ?? [{ mode: 'full', objects: scenario.portal.objects }]) {
      if (scenario.driver === 'deployed') await w.executeDeployed(input);
      else await w.runCli(input);
    }
    return w.requests();
  } finally {
    await w.close();
  }
}

/** Baseline requests by portal, driver and runs: each measured once per process. */
export class Baselines {
  private readonly measured = new Map<string, Promise<number>>();

  of(scenario: Scenario): Promise<number> {
    const driver = scenario.driver === 'deployed' ? 'deployed' : 'cli';
    const key = JSON.stringify([scenario.portal.name, driver, scenario.baseline ?? null, scenario.world ?? null]);
    let found = this.measured.get(key);
    if (!found) this.measured.set(key, (found = cleanPass(scenario)));
    return found;
  }
}

/** Every text the engine left for a person or a machine to read: logs, outcomes, events, errors. */
function everythingSaid(w: World, judge: Judge): string {
  const errors = judge.said.map((s) =>
    s instanceof Error ? `${s.name} ${s.message} ${String((s as { cause?: unknown }).cause ?? '')}` : s,
  );
  return [...w.h.logs, JSON.stringify(errors), JSON.stringify(w.deployedEvents())].join('\n');
}

/**
 * Runs one scenario in a world of its own: its runs, its checks, then the checks every scenario shares (no service
 * key anywhere in what the engine said). Passed when nothing is lost, duplicated or unexpected and no problem was
 * found. `baselines` undefined: no clean pass (the fast subset), so no wasted-request figure.
 */
export async function runScenario(scenario: Scenario, baselines?: Baselines): Promise<ScenarioResult> {
  const baselineRequests = baselines ? await baselines.of(scenario) : undefined;
  const started = Date.now();
  const judge = new Judge();
  const w = await startWorld(scenario.portal, scenario.world);
  let requests = 0;
  let hung = false;
  try {
    judge.secrets.add(w.secret.value);
    const timeoutMs = scenario.timeoutMs ?? SCENARIO_TIMEOUT_MS;
    const done = await within(
      (async () => {
        await scenario.run(w, judge);
        await expectTidy(w, judge);
      })().catch((error: unknown) => {
        judge.said.push(error);
        judge.problems.push(`the scenario stopped: ${message(error)}`);
      }),
      timeoutMs,
    );
    if (!done) judge.problems.push(`hung: not finished after ${timeoutMs / 1000} s`);
    hung = !done;
    requests = w.requests();
    for (const key of [...judge.secrets, ...w.secret.history]) {
      if (key.length >= 8 && everythingSaid(w, judge).includes(key)) {
        judge.problems.push('a service key appears in what the engine logged, threw or published');
      }
    }
  } finally {
    // A hung run may never let go of its connections: closing waits a while, then leaves them.
    if (!(await within(w.close(), hung ? 5_000 : 60_000))) judge.problems.push('the world did not close');
  }
  const { tally, pairs, problems } = judge;
  const clean = (t: Tally) => t.lost === 0 && t.duplicated === 0 && t.unexpected === 0;
  return {
    name: scenario.name,
    fault: scenario.fault,
    driver: scenario.driver,
    portal: scenario.portal.name,
    tally,
    pairs,
    requests,
    baselineRequests,
    // A scenario that did less than the clean pass (an object refused) wasted nothing by this measure.
    wastedRequests: baselineRequests === undefined ? undefined : Math.max(0, requests - baselineRequests),
    seconds: (Date.now() - started) / 1000,
    passed: problems.length === 0 && clean(tally) && clean(pairs),
    problems: [...new Set(problems)],
  };
}
