import { planRun } from '../../../lib/sync/plan';
import { finalizeRun } from '../../../lib/sync/finalize';
import { parseRunInput } from '../../../lib/sync/run-input';
import { runSyncStep } from '../../../lib/sync/sync-step';
import type { RangeCursor } from '../../../lib/sync/id-ranges';
import { objectStateKey } from '../../../lib/sync/state';
import type { ObjectState } from '../../../lib/sync/state';
import { diffAgainstOracle, fetchPublished, parquetList, startHarness, type Harness } from '../../helpers/sync-harness';

/**
 * Small enough for jest, large enough to split: ranges of 100 records or more. Deals (36 properties) fit a search
 * body, so search returns them whole (no lag to wait out here); contacts (622) are searched for ids.
 */
const SETTINGS = { minSplitRecords: 100, partRows: 500, deadlineMarginMs: 0, searchLagMs: 0 };
/** HubSpot-like answers, scaled down for jest: 15 ms a call plus 0.02 ms per KB, ±25 %. */
const LATENCY = { baseMs: 15, perKbMs: 0.02, jitter: 0.25 };
/** Scale (contacts) giving 3,000 deals. */
const DEALS_3000 = 12_000;

/** A seeded generator (the same crashes every run). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

async function expectExact(h: Harness, object: string, runId: string) {
  const { manifest, files } = await fetchPublished(h, { kind: 'snapshot', object }, runId);
  const diff = await diffAgainstOracle(h, object, files, runId);
  expect({
    object,
    rows: manifest.rows,
    missing: diff.missing,
    unexpected: diff.unexpected,
    duplicates: diff.duplicateIds,
  }).toEqual({ object, rows: diff.expectedRows, missing: 0, unexpected: 0, duplicates: 0 });
}

/** Every checkpoint the steps wrote for `object`: how many ranges it held. */
function watchRanges(h: Harness, object: string): { most: () => number } {
  let most = 0;
  const target = h.deps.target;
  const put = target.putObject.bind(target);
  target.putObject = async (key, body, options) => {
    if (key === objectStateKey(object)) {
      const ranges = (JSON.parse(String(body)) as ObjectState).checkpoint?.ranges as RangeCursor[] | undefined;
      most = Math.max(most, ranges?.length ?? 0);
    }
    return put(key, body, options);
  };
  return { most: () => most };
}

describe('Sync engine: one object read in parallel id ranges', () => {
  it.each([
    { object: 'contacts', scale: 1_200, what: 'ids for batch reads', batchReads: true },
    { object: 'deals', scale: DEALS_3000, what: 'whole records', batchReads: false },
  ])(
    'exports $object exactly with several ranges in flight, search giving $what below its bound',
    async ({ object, scale, batchReads }) => {
      // Prepare
      const h = await startHarness({ sim: { scale, latency: LATENCY }, deps: { settings: SETTINGS } });
      try {
        const ranges = watchRanges(h, object);
        // Act
        const result = await h.run({ mode: 'full', objects: [object] });
        // Assess: exact, read in more than two ranges, and search served some of them besides the plan's probe.
        expect(result.outcomes.map((o) => [o.dataset, o.status])).toEqual([
          [object, 'completed'],
          ['metadata.properties', 'completed'],
        ]);
        await expectExact(h, object, result.runId);
        expect(ranges.most()).toBeGreaterThan(2);
        const searches = h.sim.log.entries().filter((e) => e.route.endsWith('/search') && e.status === 200);
        expect(searches.length).toBeGreaterThan(1);
        // Wide records come from batch reads; narrow ones whole from list pages and searches.
        const reads = h.sim.log.entries().filter((e) => e.route.endsWith('/batch/read')).length;
        expect(reads > 0).toBe(batchReads);
      } finally {
        await h.close();
      }
    },
  );

  it('resumes exactly after crashes and deadlines at random points while ranges are in flight', async () => {
    // Prepare: a seeded 1 in 4 uploads crashes before its checkpoint; steps end at random deadlines.
    const random = seeded(42);
    let crashes = 0;
    let crashing = true;
    const h = await startHarness({
      sim: { scale: DEALS_3000, latency: LATENCY },
      deps: {
        settings: { ...SETTINGS, partRows: 300 },
        hooks: {
          afterPartUpload() {
            if (crashing && random() < 0.25) {
              crashes += 1;
              throw new Error('simulated crash between upload and checkpoint');
            }
          },
        },
      },
    });
    try {
      const plan = await planRun(h.deps, parseRunInput({ mode: 'full', objects: ['deals'] }));
      const [item] = plan.items;
      // Act: the Step Functions loop: a crashed step is retried, a step out of time is called again.
      let steps = 0;
      for (let done = false; !done; steps += 1) {
        const deadline = Date.now() + Math.floor(random() * 400);
        try {
          done = (await runSyncStep({ ...h.deps, client: h.runtime.newClient() }, item, { deadline })).done;
        } catch (error) {
          expect(String(error)).toBe('Error: simulated crash between upload and checkpoint');
        }
        expect(steps).toBeLessThan(500);
      }
      // Finalize's own uploads (the property metadata) are not what this test crashes.
      crashing = false;
      const result = await finalizeRun(h.deps, plan.runId);
      // Assess
      expect(crashes).toBeGreaterThan(2);
      expect(result.outcomes.find((o) => o.dataset === 'deals')?.status).toBe('completed');
      await expectExact(h, 'deals', plan.runId);
    } finally {
      await h.close();
    }
  }, 180_000);

  it('splits again where the ids are dense, so a skewed distribution leaves no serial tail and loses nothing', async () => {
    // Prepare: 2,000 deals created after the 1,000 generated ones have ids several times as dense as theirs.
    const h = await startHarness({ sim: { scale: 4_000, latency: LATENCY }, deps: { settings: SETTINGS } });
    try {
      for (let i = 0; i < 2_000; i += 1) h.sim.admin.createRecord('deals', { dealname: `Dense ${i}` });
      const ranges = watchRanges(h, 'deals');
      // Act
      const result = await h.run({ mode: 'full', objects: ['deals'] });
      // Assess
      await expectExact(h, 'deals', result.runId);
      expect(ranges.most()).toBeGreaterThan(4);
    } finally {
      await h.close();
    }
  });

  it('exports values no older than the run though search trails writes, and records changed while it runs once', async () => {
    // Prepare: search trails writes by 300 ms; whole records come from search only once the run is 400 ms old.
    const h = await startHarness({
      // A budget slow enough for the run to outlast the lag allowance.
      sim: {
        scale: DEALS_3000,
        latency: LATENCY,
        searchLagMs: 300,
        rateLimit: { maxPerWindow: 30, windowMs: 1_000, searchPerSecond: 10 },
      },
      deps: { settings: { ...SETTINGS, searchLagMs: 400 } },
    });
    try {
      const ids = h.sim.oracle.ids('deals');
      // Changed just before the run: search still holds the old values when it starts.
      const before = ids.slice(0, 60);
      for (const id of before) h.sim.admin.updateRecord('deals', id, { dealname: `renamed ${id}` });
      // Changed while it runs: after the 1st and the 3rd part, creates, updates and archivals.
      const during = new Map<string, Set<string>>();
      let uploads = 0;
      const change = () => {
        const versions = (id: string) => during.get(id) ?? during.set(id, new Set()).get(id)!;
        for (let i = 0; i < 10; i += 1) {
          const created = h.sim.admin.createRecord('deals', { dealname: `new ${uploads}-${i}` });
          versions(created.id).add(created.properties.dealname ?? '');
        }
        for (const id of ids.slice(100 + uploads * 40, 120 + uploads * 40)) {
          versions(id).add(h.sim.oracle.record('deals', id)?.properties.dealname ?? '');
          versions(id).add(
            h.sim.admin.updateRecord('deals', id, { dealname: `during ${id}` }).properties.dealname ?? '',
          );
        }
        for (const id of ids.slice(2_000 + uploads * 10, 2_005 + uploads * 10)) {
          versions(id).add(h.sim.oracle.record('deals', id)?.properties.dealname ?? '');
          h.sim.admin.archiveRecord('deals', id);
        }
      };
      h.deps.hooks = {
        afterPartUpload() {
          uploads += 1;
          if (uploads === 1 || uploads === 3) change();
        },
      };
      // Act
      const result = await h.run({ mode: 'full', objects: ['deals'] });
      // Assess: search served ranges whole besides the plan's probe.
      const searches = h.sim.log.entries().filter((e) => e.route.endsWith('/search') && e.status === 200);
      expect(searches.length).toBeGreaterThan(3);
      const { files } = await fetchPublished(h, { kind: 'snapshot', object: 'deals' }, result.runId);
      const rows = await h.db.query<{ id: string; dealname: string | null; n: number }>(
        `SELECT id, any_value(dealname) AS dealname, count(*)::INTEGER AS n FROM read_parquet(${parquetList(files)}) ` +
          'WHERE NOT archived GROUP BY id',
      );
      const exported = new Map(rows.map((r) => [r.id, r]));
      expect(rows.filter((r) => r.n > 1)).toEqual([]);
      // Every record untouched while the run went on is there, with its current values (the renamed ones too).
      const wrong = h.sim.oracle
        .records('deals')
        .filter((r) => !during.has(r.id))
        .filter((r) => exported.get(r.id)?.dealname !== r.properties.dealname)
        .map((r) => [r.id, r.properties.dealname, exported.get(r.id)?.dealname]);
      expect(wrong).toEqual([]);
      for (const id of before) expect(exported.get(id)?.dealname).toBe(`renamed ${id}`);
      // One changed meanwhile is there once or not at all, as it was at some point of the run.
      const off = [...during].filter(([id, names]) => exported.has(id) && !names.has(exported.get(id)?.dealname ?? ''));
      expect(off).toEqual([]);
      expect(during.size).toBe(2 * (10 + 20 + 5));
    } finally {
      await h.close();
    }
  });

  it('backs off without a 429 storm when search turns out to count in the ten-second window', async () => {
    // Prepare: search requests take slots of the ten-second window too (only Remaining on other answers shows it).
    const h = await startHarness({
      sim: {
        scale: DEALS_3000,
        latency: LATENCY,
        rateLimit: { maxPerWindow: 120, windowMs: 1_000, searchPerSecond: 40, searchCountsInTenSecondly: true },
      },
      deps: { settings: SETTINGS },
    });
    try {
      // Act
      const result = await h.run({ mode: 'full', objects: ['deals'] });
      // Assess: exact, search used, and 429s a sliver of the requests.
      await expectExact(h, 'deals', result.runId);
      const entries = h.sim.log.entries();
      expect(entries.filter((e) => e.route.endsWith('/search') && e.status === 200).length).toBeGreaterThan(1);
      const limited = entries.filter((e) => e.status === 429).length;
      expect(limited / entries.length).toBeLessThan(0.02);
    } finally {
      await h.close();
    }
  });
});
