import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runRecordStep } from '../../../lib/sync/record-step';
import { finalizeRun } from '../../../lib/sync/finalize';
import { planRun } from '../../../lib/sync/plan';
import { parseRunInput } from '../../../lib/sync/run-input';
import { runSyncStep } from '../../../lib/sync/sync-step';
import type { WorkItem } from '../../../lib/sync/types';
import { diffAgainstOracle, fetchPublished, startHarness, type Harness } from '../../helpers/sync-harness';

const OBJECTS = ['contacts', 'companies', 'deals'];

/** Each object's published snapshot of `runId` holds exactly the oracle's records: none missing, extra or twice. */
async function expectEqualsOracle(h: Harness, runId: string, objects = OBJECTS) {
  for (const object of objects) {
    const { manifest, files } = await fetchPublished(h, { kind: 'snapshot', object }, runId);
    const diff = await diffAgainstOracle(h, object, files, runId);
    expect({
      object,
      missing: diff.missing,
      unexpected: diff.unexpected,
      duplicateIds: diff.duplicateIds,
      rows: manifest.rows,
    }).toEqual({
      object,
      missing: 0,
      unexpected: 0,
      duplicateIds: 0,
      rows: diff.expectedRows,
    });
  }
}

describe('Sync engine: interrupted steps resume exactly after the last checkpoint', () => {
  it('gives the same export when every step runs out of time after one page', async () => {
    // Prepare: a deadline already passed makes each step read one page, upload it and return.
    const h = await startHarness({ deps: { settings: { deadlineMarginMs: 0, partRows: 1000 } } });
    try {
      let steps = 0;
      // Act
      const result = await h.run({ mode: 'full', objects: OBJECTS }, { stepDeadline: () => (steps++, Date.now()) });
      // Assess: one step per page of 100 (live, then archived; an empty list is one page too).
      expect(result.outcomes.filter((o) => o.status !== 'completed')).toEqual([]);
      const pages = (n: number) => Math.max(1, Math.ceil(n / 100));
      const expectedSteps = OBJECTS.reduce(
        (sum, o) => sum + pages(h.sim.oracle.count(o)) + pages(h.sim.oracle.count(o, { archived: true })),
        0,
      );
      expect(steps).toBe(expectedSteps);
      await expectEqualsOracle(h, result.runId);
    } finally {
      await h.close();
    }
  });

  it('never publishes a part uploaded just before a crash, and loses or repeats no record', async () => {
    // Prepare: the 2nd and 5th uploads crash before their checkpoint is written.
    let uploads = 0;
    const orphans: string[] = [];
    const h = await startHarness({
      deps: {
        settings: { deadlineMarginMs: 0, partRows: 50 },
        hooks: {
          afterPartUpload(key) {
            uploads += 1;
            if (uploads === 2 || uploads === 5) {
              orphans.push(key);
              throw new Error('simulated crash between upload and checkpoint');
            }
          },
        },
      },
    });
    try {
      // Act: the Step Functions loop, with each crash retried like a failed Lambda invocation.
      const plan = await planRun(h.deps, parseRunInput({ mode: 'full', objects: ['contacts'] }));
      const item = plan.items[0] as WorkItem;
      let crashes = 0;
      for (let done = false; !done;) {
        try {
          done = (await runRecordStep(h.deps, item, { deadline: Date.now() + 60_000 })).done;
        } catch (error) {
          expect((error as Error).message).toBe('simulated crash between upload and checkpoint');
          crashes += 1;
        }
      }
      const result = await finalizeRun(h.deps, plan.runId);

      // Assess
      expect(crashes).toBe(2);
      expect(result.outcomes.find((o) => o.dataset === 'contacts')?.status).toBe('completed');
      const { manifest } = await fetchPublished(h, { kind: 'snapshot', object: 'contacts' }, plan.runId);
      const published = manifest.entries.map((e) => e.url);
      for (const orphan of orphans) expect(published).not.toContain(h.target.url(orphan));
      const runFolder = (
        await h.target.list(`snapshots/contacts/snapshot_date=${plan.snapshotDate}/run_id=${plan.runId}/`)
      ).map((o) => h.target.url(o.key));
      expect(runFolder.sort()).toEqual([...published].sort());
      expect(h.logs.filter((l) => l.startsWith('warn: removing unpublished part')).length).toBe(2);
      await expectEqualsOracle(h, plan.runId, ['contacts']);
    } finally {
      await h.close();
    }
  });

  it('resumes a step whose run was planned elsewhere (the Lambda path): same item, new process state', async () => {
    const h = await startHarness({ deps: { settings: { deadlineMarginMs: 0, partRows: 100 } } });
    try {
      const plan = await planRun(h.deps, parseRunInput({ mode: 'full', objects: ['companies'] }));
      // A step event travels through Step Functions as JSON.
      const item = JSON.parse(JSON.stringify(plan.items[0])) as WorkItem;
      let invocations = 0;
      while (!(await runSyncStep({ ...h.deps, client: h.runtime.newClient() }, item, { deadline: Date.now() })).done)
        invocations += 1;
      await finalizeRun(h.deps, plan.runId);
      expect(invocations).toBeGreaterThanOrEqual(1);
      await expectEqualsOracle(h, plan.runId, ['companies']);
    } finally {
      await h.close();
    }
  });
});

describe('Sync engine: finalize', () => {
  it('is safe to call again after it finished: same outcomes, nothing rewritten or added', async () => {
    const h = await startHarness();
    try {
      const first = await h.run({ mode: 'full', objects: ['contacts', 'companies'] });
      expect(first.outcomes.map((o) => o.dataset)).toContain('associations.contacts__companies');
      const files = async () =>
        (await h.target.list('')).filter((o) => !o.key.startsWith('_state/')).map((o) => `${o.key}:${o.size}`);
      const before = await files();
      const again = await finalizeRun(h.deps, first.runId);
      expect(again.outcomes.map((o) => [o.dataset, o.status, o.rows, o.files, o.bytes])).toEqual(
        first.outcomes.map((o) => [o.dataset, o.status, o.rows, o.files, o.bytes]),
      );
      expect(await files()).toEqual(before);
    } finally {
      await h.close();
    }
  });

  it('reports as published what an overlapping finalize of the same run published and let go of first', async () => {
    const h = await startHarness();
    try {
      const plan = await planRun(h.deps, parseRunInput({ mode: 'full', objects: ['companies'] }));
      for (let done = false; !done;) done = (await runSyncStep(h.deps, plan.items[0], { deadline: Infinity })).done;
      // What the second finalize read before the first one finished: the finished checkpoint.
      const before = (await h.target.getObject('_state/companies.json'))!;
      const first = await finalizeRun(h.deps, plan.runId);
      await h.target.putObject('_state/companies.json', before);

      const second = await finalizeRun(h.deps, plan.runId);

      expect(second.outcomes.map((o) => [o.dataset, o.status, o.rows])).toEqual(
        first.outcomes.map((o) => [o.dataset, o.status, o.rows]),
      );
    } finally {
      await h.close();
    }
  });

  it('releases a lease that a finalize stopped before releasing, when called again', async () => {
    const h = await startHarness();
    try {
      const first = await h.run({ mode: 'full', objects: ['companies'] });
      // As if finalize had stopped after publishing and writing the state, before releasing the lease.
      const key = '_state/locks/companies.json';
      const { releasedAt, ...held } = JSON.parse((await h.target.getObject(key))!.toString());
      expect(releasedAt).toEqual(expect.any(String));
      await h.target.putObject(key, JSON.stringify(held));

      const again = await finalizeRun(h.deps, first.runId);
      expect(again.outcomes.map((o) => [o.dataset, o.status])).toEqual(
        first.outcomes.map((o) => [o.dataset, o.status]),
      );
      expect(JSON.parse((await h.target.getObject(key))!.toString())).toEqual({
        ...held,
        releasedAt: expect.any(String),
      });
    } finally {
      await h.close();
    }
  });
});

describe('Sync engine: a step keeps fetching while it writes the previous part', () => {
  it('reads the next page before a part has finished uploading, and still exports exactly the oracle', async () => {
    // Prepare: one page per part. Upload k holds page k; it waits (up to 2 s) until page k + 1 has been read,
    // which a step that fetches only between uploads never does.
    let pagesRead = 0;
    const readAtUpload: number[] = [];
    const h = await startHarness({
      deps: {
        settings: { partRows: 100 },
        onProgress: (event) => {
          if (event.object === 'contacts') pagesRead = event.pages;
        },
        hooks: {
          async afterPartUpload(key) {
            if (!key.startsWith('snapshots/contacts/')) return;
            const next = readAtUpload.length + 2;
            for (let waited = 0; pagesRead < next && waited < 2_000; waited += 10) {
              await new Promise((resolve) => setTimeout(resolve, 10));
            }
            readAtUpload.push(pagesRead);
          },
        },
      },
    });
    try {
      // Act
      const result = await h.run({ mode: 'full', objects: ['contacts'] });

      // Assess: live pages, then one archived page; every upload but the last saw the following page read.
      expect(result.outcomes.filter((o) => o.status !== 'completed')).toEqual([]);
      const pages = Math.ceil(h.sim.oracle.count('contacts') / 100) + 1;
      expect(readAtUpload).toEqual([...Array.from({ length: pages - 1 }, (_, k) => k + 2), pages]);
      await expectEqualsOracle(h, result.runId, ['contacts']);
    } finally {
      await h.close();
    }
  });
});

describe('Sync engine: a step that runs out of time while a part is being written', () => {
  it('finishes that part, leaves the rows fetched since to the next step, and loses or repeats nothing', async () => {
    // Prepare: two pages per part. The step's clock jumps past its deadline once page 3 has been read, and the
    // first part's upload is held until then, so the deadline finds part 1 still being written and page 3 pending.
    let pagesRead = 0;
    const h = await startHarness({
      sim: { seed: 7, scale: 450 },
      deps: {
        settings: { partRows: 200, deadlineMarginMs: 0 },
        now: () => new Date(Date.now() + (pagesRead >= 3 ? 3_600_000 : 0)),
        onProgress: (event) => void (pagesRead = event.pages),
        hooks: {
          async afterPartUpload() {
            for (let waited = 0; pagesRead < 3 && waited < 5_000; waited += 5) {
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
          },
        },
      },
    });
    try {
      const plan = await planRun(h.deps, parseRunInput({ mode: 'full', objects: ['contacts'] }));
      const item = plan.items[0] as WorkItem;
      expect(h.sim.oracle.count('contacts')).toBe(450);

      // Act
      const first = await runRecordStep(h.deps, item, { deadline: Date.now() + 600_000 });

      // Assess: only the first part (pages 1-2) was written; page 3 is read again by the next step.
      expect({ ...first, pagesRead }).toEqual({ done: false, rows: 200, parts: 1, pagesRead: 3 });
      for (let done = false; !done;) done = (await runRecordStep(h.deps, item, { deadline: Infinity })).done;
      await finalizeRun(h.deps, plan.runId);
      await expectEqualsOracle(h, plan.runId, ['contacts']);
      expect(await readdir(join(h.deps.workDir, plan.runId, 'contacts'))).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

describe('Sync engine: a step whose parts are slow to write', () => {
  it('stops fetching early enough to finish its last write before the deadline', async () => {
    // Prepare: one page per part, each part's write held 400 ms more (a wide part's DuckDB time, associations read on a
    // shared budget), and no fixed margin: only what the step measured keeps it inside its deadline.
    const writeMs = 400;
    const h = await startHarness({
      sim: { seed: 7, scale: 1_500 },
      deps: {
        settings: { partRows: 100, deadlineMarginMs: 0 },
        hooks: { afterPartUpload: () => new Promise((resolve) => setTimeout(resolve, writeMs)) },
      },
    });
    try {
      const plan = await planRun(h.deps, parseRunInput({ mode: 'full', objects: ['contacts'] }));
      const item = plan.items[0] as WorkItem;
      await h.deps.duckdb(); // opened before the clock starts: its start-up is no part's write
      const deadline = Date.now() + 16 * writeMs;

      // Act
      const first = await runRecordStep(h.deps, item, { deadline });

      // Assess: it stopped with time to spare (without the allowance it returns one write after the deadline).
      const returnedAt = Date.now();
      expect(first.done).toBe(false);
      expect(first.parts).toBeGreaterThanOrEqual(2);
      expect(returnedAt).toBeLessThanOrEqual(deadline);

      // The checkpoint keeps the slowest write, so the next step stops in time from its first page.
      const state = JSON.parse((await h.target.getObject('_state/contacts.json'))!.toString());
      expect(state.checkpoint.slowestWriteMs).toBeGreaterThanOrEqual(writeMs);
      for (let done = false; !done;) done = (await runRecordStep(h.deps, item, { deadline: Infinity })).done;
      await finalizeRun(h.deps, plan.runId);
      await expectEqualsOracle(h, plan.runId, ['contacts']);
    } finally {
      await h.close();
    }
  });
});

describe('Sync engine: a step whose run is being stopped', () => {
  it('writes no part of the rows it fetched, and leaves its checkpoint where it was', async () => {
    const h = await startHarness();
    try {
      const plan = await planRun(h.deps, parseRunInput({ mode: 'full', objects: ['contacts'] }));
      const controller = new AbortController();
      let pages = 0;
      h.deps.onProgress = () => {
        pages += 1;
        if (pages === 2) controller.abort();
      };
      const result = await runSyncStep(h.deps, plan.items[0], { signal: controller.signal });
      expect(pages).toBe(2);
      expect(result).toEqual({ done: false, rows: 0, parts: 0 });
      expect(await h.target.list('snapshots/contacts/')).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
