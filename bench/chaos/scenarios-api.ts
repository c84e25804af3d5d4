/** Scenarios of HubSpot misbehaving: 429s and limits, 5xx and 423, resets, slow and spiking answers, bad bodies. */
import type { FaultKind, FaultRule } from '../../sim';
import { checkSnapshots, cliOutcome, expectFaultsRetried, expectOutcomes, sleep } from './checks';
import { startKeySpender } from './processes';
import type { Judge, Scenario } from './scenario';
import { CHAOS_LATENCY, PORTALS, type Portal, type World } from './world';

/** A full CLI run with `rules` injected from the start, which must export exactly the oracle. */
function faultedRun(name: string, fault: string, portal: Portal, rules: FaultRule[], more: Partial<Scenario> = {}) {
  return {
    name,
    fault,
    portal,
    driver: 'cli',
    async run(w: World, judge: Judge) {
      for (const rule of rules) w.sim.faults.add(rule);
      const result = cliOutcome(await w.runCli({ mode: 'full', objects: w.portal.objects }));
      judge.expect(w.sim.faults.fired() > 0, 'no fault fired');
      expectFaultsRetried(w, judge);
      expectOutcomes(judge, result);
      await checkSnapshots(w, judge, result);
    },
    ...more,
  } satisfies Scenario;
}

/** A burst of four, then 5 % of every request. */
const burstThenRate = (kind: FaultKind): FaultRule[] => [
  { kind, times: 4 },
  { kind, rate: 0.05 },
];

const STATUS_KINDS: { kind: FaultKind; portal: Portal }[] = [
  { kind: 500, portal: PORTALS.narrow },
  { kind: 502, portal: PORTALS.wide },
  { kind: 503, portal: PORTALS.narrow },
  { kind: 504, portal: PORTALS.wide },
  { kind: 521, portal: PORTALS.narrow },
  { kind: 523, portal: PORTALS.narrow },
  { kind: 524, portal: PORTALS.wide },
  { kind: 423, portal: PORTALS.narrow },
];

export const API_SCENARIOS: Scenario[] = [
  faultedRun('429 storm', '429 storms', PORTALS.narrow, [
    { kind: 429, times: 8, retryAfterSeconds: 1 },
    { kind: 429, rate: 0.3, times: 20 },
  ]),
  {
    name: 'rate limit lowered mid-run',
    fault: 'the rate limit lowered mid-run',
    portal: PORTALS.narrow,
    driver: 'cli',
    async run(w, judge) {
      let lowered = false;
      w.h.deps.onProgress = () => {
        if (lowered) return;
        lowered = true;
        // From 60 to 20 per second: the budget must learn the new ceiling from the headers, not trip 429s for ever.
        w.sim.limits.set({ maxPerWindow: 20 });
      };
      const result = cliOutcome(await w.runCli({ mode: 'full', objects: w.portal.objects }));
      judge.expect(lowered, 'the limit was never lowered');
      expectOutcomes(judge, result);
      await checkSnapshots(w, judge, result);
    },
  },
  {
    name: 'second process on the same key',
    fault: 'a second process spending the same key',
    portal: PORTALS.narrow,
    driver: 'cli',
    async run(w, judge) {
      // Another integration spends a third of the key's 60 requests per second throughout the run.
      w.exclude = /^\/crm\/v3\/objects\/products/;
      const spender = startKeySpender(`${w.sim.url}/crm/v3/objects/products?limit=1`, w.secret.value, 20);
      try {
        await sleep(300);
        const result = cliOutcome(await w.runCli({ mode: 'full', objects: w.portal.objects }));
        expectOutcomes(judge, result);
        await checkSnapshots(w, judge, result);
      } finally {
        await spender.stop();
      }
      const spent = w.sim.log.entries().filter((e) => w.exclude?.test(e.path)).length;
      judge.expect(spent > 20, `the second process sent only ${spent} requests`);
    },
  },
  ...STATUS_KINDS.map(({ kind, portal }) =>
    faultedRun(`${kind} burst + 5 %`, `${kind} at 5 % and in a burst`, portal, burstThenRate(kind)),
  ),
  faultedRun('connection resets', 'connection resets', PORTALS.wide, burstThenRate('reset')),
  faultedRun(
    'answers slower than the timeout',
    'responses slower than the request timeout',
    PORTALS.narrow,
    [
      { kind: 'slow', delayMs: 2_500, times: 2 },
      { kind: 'slow', delayMs: 2_500, rate: 0.05 },
    ],
    { world: { client: { requestTimeoutMs: 1_000 } } },
  ),
  {
    name: 'latency spikes',
    fault: "latency spikes (the simulator's latency model)",
    portal: PORTALS.narrow,
    driver: 'cli',
    async run(w, judge) {
      let spikes = 0;
      w.h.deps.onProgress = (event) => {
        // Every tenth page, calls take 40 times longer (400 ms +-50 %) for 600 ms.
        if (event.pages % 10 !== 3) return;
        spikes += 1;
        w.sim.latency.set({ baseMs: 400 });
        setTimeout(() => w.sim.latency.set({ baseMs: CHAOS_LATENCY.baseMs }), 600);
      };
      const result = cliOutcome(await w.runCli({ mode: 'full', objects: w.portal.objects }));
      judge.expect(spikes > 0, 'no latency spike');
      expectOutcomes(judge, result);
      await checkSnapshots(w, judge, result);
    },
  },
  faultedRun('truncated JSON', 'truncated JSON', PORTALS.wide, burstThenRate('truncate'), {
    world: { client: { requestTimeoutMs: 2_000 } },
  }),
  faultedRun('malformed JSON', 'malformed JSON', PORTALS.narrow, burstThenRate('malformed')),
  faultedRun('HTML 502 pages', 'HTML error pages with status 502', PORTALS.narrow, burstThenRate('html-502')),
  faultedRun('200 with a wrong body', 'a 200 with a body that is not what the endpoint returns', PORTALS.wide, [
    ...burstThenRate('wrong-body'),
  ]),
];
