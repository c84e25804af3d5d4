/** Scenarios of the portal's schema changing between runs: a custom object added; properties added, removed, retyped. */
import { checkCombined, checkSnapshots, cliOutcome, expectOutcomes, sleep, type RunOutcome } from './checks';
import type { Scenario } from './scenario';
import { PORTALS, type Portal, type World } from './world';

/** 300 contacts (20 custom properties) and the types scaled from them; the custom object projects comes later. */
const LATER_OBJECT: Portal = {
  name: 'custom-object-later',
  sim: { seed: 13, scale: 300, customProperties: { contacts: 20 }, customObjectsDefinedLater: ['projects'] },
  objects: ['all'],
};

/** The record types a run of `all` published a snapshot of (owners and pipelines are not record types). */
const snapshotted = (w: World, run: RunOutcome) => {
  const types = new Set(w.sim.oracle.objectTypes().map((t) => t.name));
  return run.outcomes.filter((o) => o.status === 'completed' && types.has(o.dataset)).map((o) => o.dataset);
};

/** The property changes an admin makes between two runs, and the records written since (their rows changed). */
function changeSchema(w: World): void {
  const { admin, oracle } = w.sim;
  // Added: null on every record until a write sets it; five records get a value (and so a change).
  admin.createProperty('contacts', 'custom_added_between_runs', 'text');
  for (const [n, id] of oracle.ids('contacts').slice(0, 5).entries()) {
    admin.updateRecord('contacts', id, { custom_added_between_runs: `added ${n}` });
  }
  // Removed: its column leaves every snapshot from now on.
  admin.archiveProperty('contacts', 'zip');
  // Retyped: the values stay the text they were, read as text from now on; one record gets a value no number is.
  admin.changePropertyType('deals', 'amount', 'string', 'text');
  admin.updateRecord('deals', oracle.ids('deals')[3], { amount: 'about a thousand' });
}

export const SCHEMA_SCENARIOS: Scenario[] = [
  {
    name: 'custom object added between runs',
    fault: 'a custom object added between runs',
    portal: LATER_OBJECT,
    driver: 'cli',
    baseline: [
      { mode: 'full', objects: 'all' },
      { mode: 'incremental', objects: 'all' },
      { mode: 'compact', objects: 'all' },
    ],
    timeoutMs: 300_000,
    async run(w, judge) {
      const first = cliOutcome(await w.runCli({ mode: 'full', objects: 'all' }));
      expectOutcomes(judge, first);
      judge.expect(!snapshotted(w, first).includes('projects'), 'projects was exported before the portal had it');
      await checkSnapshots(w, judge, first, snapshotted(w, first));
      w.sim.admin.defineCustomObject('projects');
      // The next scheduled run finds the new type: with no watermark yet, it takes a full snapshot of it.
      const next = cliOutcome(await w.runCli({ mode: 'incremental', objects: 'all' }));
      expectOutcomes(judge, next);
      judge.expect(
        snapshotted(w, next).includes('projects'),
        'the incremental run after it was added left projects out',
      );
      await checkSnapshots(w, judge, next, ['projects']);
      // A built snapshot of everything: projects from the run that found it, the rest from the first full run.
      const compact = cliOutcome(await w.runCli({ mode: 'compact', objects: 'all' }));
      expectOutcomes(judge, compact);
      await checkSnapshots(w, judge, compact, snapshotted(w, first).concat('projects'));
    },
  },
  {
    name: 'properties added, removed and retyped between runs',
    fault: 'a property added, one removed and one changing type between runs',
    portal: PORTALS.narrow,
    driver: 'cli',
    baseline: [
      { mode: 'full', objects: ['contacts', 'companies', 'deals'] },
      { mode: 'incremental', objects: ['contacts', 'companies', 'deals'] },
      { mode: 'compact', objects: ['contacts', 'companies', 'deals'] },
      { mode: 'full', objects: ['contacts', 'companies', 'deals'] },
    ],
    async run(w, judge) {
      const objects = w.portal.objects;
      const full = cliOutcome(await w.runCli({ mode: 'full', objects }));
      expectOutcomes(judge, full);
      changeSchema(w);
      // Time passes between runs: the simulator gives writes in one millisecond later ones, ahead of the clock.
      await sleep(50);
      // The change set has the current columns; with the snapshot before it, it gives HubSpot now.
      const next = cliOutcome(await w.runCli({ mode: 'incremental', objects }));
      expectOutcomes(judge, next);
      await checkCombined(w, judge, 'contacts', { snapshot: full.runId, changes: [next.runId] });
      // A built snapshot and a full one follow the current definitions, value for value.
      const compact = cliOutcome(await w.runCli({ mode: 'compact', objects }));
      expectOutcomes(judge, compact);
      await checkSnapshots(w, judge, compact, objects);
      const again = cliOutcome(await w.runCli({ mode: 'full', objects }));
      expectOutcomes(judge, again);
      await checkSnapshots(w, judge, again, objects);
    },
  },
];
