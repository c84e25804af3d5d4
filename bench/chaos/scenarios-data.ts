/** Scenarios of the data moving: records created, updated, archived, restored and merged during a run; a bulk update. */
import type { HubSpotRecord } from '../../lib/hubspot/types';
import { checkCombined, checkSnapshots, cliOutcome, expectOutcomes, published } from './checks';
import { checkRecords } from './oracle-check';
import type { Scenario } from './scenario';
import { PORTALS, type World } from './world';

/**
 * Changes a handful of records of each kind once the full run has read a few pages of contacts: some it has read
 * already, some it has not. Returns the ids touched (their snapshot rows may be old or new) and those gone for good.
 */
function changeDuringRun(w: World): { touched: Set<string>; gone: Set<string>; changed(): boolean } {
  const touched = new Set<string>();
  const gone = new Set<string>();
  let changed = false;
  w.h.deps.onProgress = (event) => {
    if (changed || event.object !== 'contacts' || event.pages < 3) return;
    changed = true;
    const { admin, oracle } = w.sim;
    const ids = oracle.ids('contacts');
    const [early, late] = [ids.slice(0, 4), ids.slice(-4)];
    for (let n = 0; n < 3; n++) {
      touched.add(admin.createRecord('contacts', { firstname: `Chaos ${n}`, email: `chaos${n}@example.com` }).id);
    }
    for (const id of [early[0], late[0]]) admin.updateRecord('contacts', id, { firstname: 'Changed mid-run' });
    for (const id of [early[1], late[1]]) admin.archiveRecord('contacts', id);
    const restored = oracle.ids('contacts', { archived: true })[0];
    admin.restoreRecord('contacts', restored);
    // The merged-away record leaves HubSpot: the snapshot taken before still holds it, no change set can say so.
    admin.mergeRecords('contacts', early[2], late[2]);
    gone.add(late[2]);
    const companies = oracle.ids('companies');
    admin.updateRecord('companies', companies[0], { name: 'Renamed mid-run' });
    admin.archiveRecord('companies', companies[companies.length - 1]);
    for (const id of [...early.slice(0, 3), ...late.slice(0, 3), restored]) touched.add(id);
    for (const id of [companies[0], companies[companies.length - 1]]) touched.add(id);
  };
  return { touched, gone, changed: () => changed };
}

/** Whether `record` belongs in a change set of `since`..`until`: modified in it, or archived in it. */
const inWindow = (since: string, until: string) => (record: HubSpotRecord) => {
  const at = Date.parse(String(record.archived ? record.archivedAt : record.updatedAt));
  return at >= Date.parse(since) && at <= Date.parse(until);
};

export const DATA_SCENARIOS: Scenario[] = [
  {
    name: 'records changed during the run',
    fault: 'records created, updated, archived and merged during the run',
    portal: PORTALS.narrow,
    driver: 'cli',
    baseline: [
      { mode: 'full', objects: PORTALS.narrow.objects },
      { mode: 'incremental', objects: PORTALS.narrow.objects },
    ],
    async run(w, judge) {
      const changes = changeDuringRun(w);
      const full = cliOutcome(await w.runCli({ mode: 'full', objects: w.portal.objects }));
      judge.expect(changes.changed(), 'nothing changed during the run');
      w.h.deps.onProgress = undefined;
      expectOutcomes(judge, full);
      // Records nobody touched are exact; a touched one may show either side of its change, once.
      await checkSnapshots(w, judge, full, w.portal.objects, {
        ignore: (r) => changes.touched.has(String(r.id)),
        gone: changes.gone,
      });
      // The next incremental run brings every change: snapshot + change set = HubSpot now.
      const next = cliOutcome(await w.runCli({ mode: 'incremental', objects: w.portal.objects }));
      expectOutcomes(judge, next);
      for (const object of w.portal.objects) {
        await checkCombined(w, judge, object, { snapshot: full.runId, changes: [next.runId] }, changes.gone);
      }
    },
  },
  {
    name: '10050 records on one millisecond',
    fault: 'more than 10,000 records on one last-modified millisecond',
    portal: PORTALS.sameMillisecond,
    driver: 'cli',
    baseline: [
      { mode: 'full', objects: ['contacts'] },
      { mode: 'backfill', objects: ['contacts'], since: '2024-12-31T00:00:00.000Z' },
    ],
    async run(w, judge) {
      const full = cliOutcome(await w.runCli({ mode: 'full', objects: ['contacts'] }));
      expectOutcomes(judge, full);
      await checkSnapshots(w, judge, full, ['contacts']);
      // A backfill over the bulk update: one search window holds all 10,050, past search's 10,000-result cap.
      const since = '2024-12-31T00:00:00.000Z';
      const backfill = cliOutcome(await w.runCli({ mode: 'backfill', objects: ['contacts'], since }));
      expectOutcomes(judge, backfill);
      const changes = await published(w, judge, { kind: 'changes', object: 'contacts' }, backfill.runId);
      if (!changes) return;
      const until = changes.manifest.window?.until ?? new Date().toISOString();
      const { tally, problems } = await checkRecords(w, 'contacts', [changes], { keep: inWindow(since, until) });
      judge.expect(tally.expected > 10_000, `only ${tally.expected} records in the backfill's window`);
      judge.add(tally);
      judge.problems.push(...problems);
    },
  },
];
