import { staticKeyProvider } from '../../../lib/hubspot';
import type { CompletionEvent } from '../../../lib/sync/events';
import { runMetricPoints } from '../../../lib/sync/run-metrics';
import { ObjectExistsError } from '../../../lib/store/errors';
import { releaseLease } from '../../../lib/store/lock';
import { finalizeRun } from '../../../lib/sync/finalize';
import { planRun } from '../../../lib/sync/plan';
import { runSyncStep } from '../../../lib/sync/sync-step';
import { parseRunInput } from '../../../lib/sync/run-input';
import type { Simulator } from '../../../sim';
import { fetchPublished, parquetList, startHarness } from '../../helpers/sync-harness';

/** A key provider whose key has the scopes `scopesOf()` gives now (all when undefined): a new key when they change. */
function scopedKeys(sim: Simulator, scopesOf: () => string[] | undefined) {
  let made: { scopes: string[] | undefined; key: string } | undefined;
  const key = async () => {
    const scopes = scopesOf();
    if (!made || made.scopes !== scopes)
      made = { scopes, key: sim.keys.create({ scopes: scopes ?? sim.keys.allScopes() }) };
    return made.key;
  };
  return { source: 'test key', getKey: key, refreshKey: key };
}

describe('Sync engine: keys, scopes and overlapping runs', () => {
  it('exports everything else when the key lacks one scope, and names that scope', async () => {
    const h = await startHarness({
      keyProvider: (sim) =>
        staticKeyProvider(
          sim.keys.create({ scopes: sim.keys.allScopes().filter((s) => s !== 'crm.objects.deals.read') }),
        ),
    });
    try {
      const result = await h.run({ mode: 'full', objects: ['contacts', 'companies', 'deals'] });
      const failed = result.outcomes.filter((o) => o.status === 'failed');
      expect(failed.map((o) => [o.object, o.reason])).toEqual([['deals', 'missing scope crm.objects.deals.read']]);
      const contacts = await fetchPublished(h, { kind: 'snapshot', object: 'contacts' });
      expect(contacts.manifest.rows).toBe(
        h.sim.oracle.count('contacts') + h.sim.oracle.count('contacts', { archived: true }),
      );
      expect(await h.target.exists('_latest/deals.json')).toBe(false);
    } finally {
      await h.close();
    }
  });

  it('leaves out of all a type the key cannot read and this output never held, and fails one it held', async () => {
    let scopes: string[] | undefined;
    const h = await startHarness({
      keyProvider: (sim) => scopedKeys(sim, () => scopes),
    });
    try {
      const withoutQuotes = h.sim.keys.allScopes().filter((s) => s !== 'crm.objects.quotes.read');
      scopes = withoutQuotes;
      const first = await h.run({ mode: 'full', objects: 'all' });
      expect(first.outcomes.filter((o) => o.status !== 'completed')).toEqual([]);
      expect(first.outcomes.some((o) => o.object === 'quotes')).toBe(false);
      expect(h.logs).toContain('skipping quotes: missing scope crm.objects.quotes.read');

      scopes = undefined;
      await h.run({ mode: 'full', objects: ['quotes'] });
      scopes = withoutQuotes;
      const revoked = await h.run({ mode: 'incremental', objects: 'all' });

      expect(revoked.outcomes.filter((o) => o.status !== 'completed').map((o) => [o.object, o.reason])).toEqual([
        ['quotes', 'missing scope crm.objects.quotes.read'],
      ]);
    } finally {
      await h.close();
    }
  });

  it('names the standard type a misspelt object was likely meant to be, with and without the schemas scope', async () => {
    let scopes: string[] | undefined;
    const h = await startHarness({
      keyProvider: (sim) => scopedKeys(sim, () => scopes),
    });
    try {
      await expect(h.run({ mode: 'full', objects: ['contcts', 'unicorns'] })).rejects.toThrow(
        'unknown object type contcts (did you mean contacts?), unicorns; this portal has: contacts, companies',
      );
      scopes = h.sim.keys.allScopes().filter((s) => s !== 'crm.schemas.custom.read');

      const result = await h.run({ mode: 'full', objects: ['contcts', 'companies'] });

      expect(result.outcomes.filter((o) => o.status === 'failed').map((o) => [o.object, o.reason])).toEqual([
        [
          'contcts',
          'not a standard object type (did you mean contacts?), and custom objects cannot be listed: ' +
            'missing scope crm.schemas.custom.read',
        ],
      ]);
      expect(result.outcomes.find((o) => o.object === 'companies')?.status).toBe('completed');
    } finally {
      await h.close();
    }
  });

  it('names an object failed at plan time by the dataset it would have written, as its successes are named', async () => {
    let scopes: string[] | undefined;
    const h = await startHarness({
      keyProvider: (sim) => scopedKeys(sim, () => scopes),
    });
    try {
      await h.run({ mode: 'full', objects: ['deals'] });
      const denied = ['crm.objects.deals.read', 'crm.objects.companies.read'];
      scopes = h.sim.keys.allScopes().filter((s) => !denied.includes(s));
      const datasets = (run: Awaited<ReturnType<typeof h.run>>) =>
        run.outcomes.map((o) => [o.dataset, o.status, o.mode]).sort();

      // deals has a watermark (a change set); companies has none (its incremental run would be a full snapshot).
      expect(datasets(await h.run({ mode: 'incremental', objects: ['deals', 'companies'] }))).toEqual([
        ['companies', 'failed', 'incremental'],
        ['deals.changes', 'failed', 'incremental'],
      ]);
      const backfill = await h.run({ mode: 'backfill', objects: ['companies'], since: '2026-01-01T00:00:00Z' });
      expect(datasets(backfill)).toEqual([['companies.changes', 'failed', 'backfill']]);
    } finally {
      await h.close();
    }
  });

  it("fails the pipelines table when one type's pipelines are unreadable, keeping the last one; named types export alone", async () => {
    let key = '';
    const h = await startHarness({
      keyProvider: (sim) => {
        key = sim.serviceKey;
        return { source: 'test key', getKey: async () => key, refreshKey: async () => key };
      },
    });
    try {
      const complete = await h.run({ mode: 'full', objects: ['pipelines'] });
      expect(complete.outcomes.map((o) => [o.object, o.status])).toEqual([['pipelines', 'completed']]);
      key = h.sim.keys.create({ scopes: h.sim.keys.allScopes().filter((s) => s !== 'tickets') });

      const denied = await h.run({ mode: 'full', objects: ['pipelines'] });
      expect(denied.outcomes.map((o) => [o.object, o.status, o.reason])).toEqual([
        [
          'pipelines',
          'failed',
          "tickets pipelines: missing scope tickets (to export the others' alone: --objects deals,pipelines)",
        ],
      ]);
      const kept = (await fetchPublished(h, { kind: 'snapshot', object: 'pipelines' })).manifest;
      expect([kept.runId, kept.pipelineObjects]).toEqual([complete.runId, ['deals', 'tickets']]);
      expect((await h.target.list('snapshots/pipelines/')).filter((o) => o.key.includes(denied.runId))).toEqual([]);

      const named = await h.run({ mode: 'full', objects: ['deals', 'pipelines'] });
      expect(named.outcomes.map((o) => [o.object, o.status])).toEqual([
        ['deals', 'completed'],
        ['pipelines', 'completed'],
        ['properties', 'completed'],
      ]);
      const { files, manifest } = await fetchPublished(h, { kind: 'snapshot', object: 'pipelines' });
      expect(manifest.pipelineObjects).toEqual(['deals']);
      const stages = await h.db.query<{ object_type: string; stage_id: string }>(
        `SELECT object_type, stage_id FROM read_parquet(${parquetList(files)}) ORDER BY stage_id`,
      );
      const expected = h.sim.oracle
        .pipelines('deals')
        .flatMap((p) => p.stages.map((stage) => ({ object_type: 'deals', stage_id: stage.id })))
        .sort((a, b) => (a.stage_id < b.stage_id ? -1 : a.stage_id > b.stage_id ? 1 : 0));
      expect(expected.length).toBeGreaterThan(0);
      expect(stages).toEqual(expected);
    } finally {
      await h.close();
    }
  });

  it('completes a run during which the key is rotated and the old key expires at once', async () => {
    let key = '';
    let rotations = 0;
    const h = await startHarness({
      // Like Secrets Manager: the cached value serves until a 401 forces a re-read.
      keyProvider: (sim) => {
        key = sim.serviceKey;
        let cached = key;
        return {
          source: 'rotating test secret',
          getKey: async () => cached,
          refreshKey: async () => (cached = key),
        };
      },
    });
    try {
      h.deps.onProgress = (event) => {
        if (rotations === 0 && event.object === 'contacts' && event.pages === 1) {
          rotations += 1;
          key = h.sim.keys.rotate(key, { expireOldAfterMs: 0 });
        }
      };
      const result = await h.run({ mode: 'full', objects: ['contacts'] });
      expect(rotations).toBe(1);
      expect(result.outcomes.every((o) => o.status === 'completed')).toBe(true);
      // Each request in flight at the rotation meets one 401, re-reads the secret and succeeds.
      const rejected = Object.entries(h.sim.log.counts()).filter(([route]) => route.endsWith(' 401'));
      expect(rejected.reduce((sum, [, n]) => sum + n, 0)).toBeGreaterThanOrEqual(1);
      const { manifest } = await fetchPublished(h, { kind: 'snapshot', object: 'contacts' });
      expect(manifest.rows).toBe(h.sim.oracle.count('contacts') + h.sim.oracle.count('contacts', { archived: true }));
    } finally {
      await h.close();
    }
  });

  it('skips an object another run is exporting, announces nothing for it, then runs it once the first is done', async () => {
    const h = await startHarness();
    try {
      const first = await planRun(h.deps, parseRunInput({ mode: 'full', objects: ['companies'] }));
      const events: CompletionEvent[] = [];
      const second = await h.run(
        { mode: 'incremental', objects: ['companies', 'deals'] },
        { publishEvents: async (sent) => void events.push(...sent) },
      );
      expect(second.outcomes.find((o) => o.object === 'companies')).toEqual(
        expect.objectContaining({
          status: 'skipped',
          reason: expect.stringContaining(`another run (${first.runId}) is exporting companies`),
        }),
      );
      // The other object runs; the skipped one is the other run's to announce, and is no failure of this run.
      expect(events.map((e) => [e.detailType, e.detail.dataset])).toEqual([
        ['Snapshot Completed', 'deals'],
        ['Snapshot Completed', 'metadata.properties'],
      ]);
      expect(
        Object.fromEntries(
          runMetricPoints(second)
            .filter((p) => !p.dimensions.Dataset)
            .map((p) => [p.name, p.value]),
        ),
      ).toMatchObject({
        RunsSucceeded: 1,
        DatasetsFailed: 0,
        DatasetsSkipped: 1,
      });
      expect(await h.target.list('snapshots/companies/')).toEqual([]);

      // The first run ends (here without stepping: it reports the object unfinished) and releases its lease.
      const firstResult = await finalizeRun(h.deps, first.runId);
      expect(firstResult.outcomes.map((o) => [o.object, o.status])).toEqual([['companies', 'failed']]);
      const third = await h.run({ mode: 'full', objects: ['companies'] });
      expect(third.outcomes.find((o) => o.object === 'companies')?.status).toBe('completed');
    } finally {
      await h.close();
    }
  });

  it('keeps a plan stored by a write that answered "exists", and a retried plan takes its leases back', async () => {
    const h = await startHarness();
    const runId = 'R-lost-reply';
    const leaseOf = async () => JSON.parse((await h.target.getObject('_state/locks/companies.json'))!.toString());
    try {
      // The plan's write lands, but its answer is lost and the retried write finds it there.
      const put = h.target.putObject.bind(h.target);
      h.target.putObject = async (key, ...rest) => {
        await put(key, ...rest);
        if (/^_state\/runs\/.*\/plan\.json$/.test(key)) throw new ObjectExistsError(key);
      };
      const input = parseRunInput({ mode: 'full', objects: ['companies'] });
      const plan = await planRun(h.deps, input, { runId }).finally(() => (h.target.putObject = put));
      expect(plan.items.map((i) => i.object)).toEqual(['companies']);
      expect(await leaseOf()).toEqual(expect.not.objectContaining({ releasedAt: expect.anything() }));

      // An attempt that released them after storing its plan: the next attempt gets the plan and the leases.
      await releaseLease(h.target, 'companies', runId, new Date());
      const retried = await planRun(h.deps, input, { runId });
      expect(retried).toEqual(plan);
      expect(await leaseOf()).toEqual(expect.objectContaining({ runId }));
      expect((await leaseOf()).releasedAt).toBeUndefined();
    } finally {
      await h.close();
    }
  });

  it('removes what a run that died holding the lease uploaded, once the lease lapses, and publishes its own', async () => {
    let now = Date.now();
    const h = await startHarness({ deps: { settings: { partRows: 50 }, now: () => new Date(now) } });
    try {
      const dead = await planRun(h.deps, parseRunInput({ mode: 'full', objects: ['companies'] }));
      // One step that stops after its first part, as a killed process would have: no finalize, lease held.
      const step = await runSyncStep(h.deps, dead.items[0], { deadline: now + h.deps.settings.deadlineMarginMs });
      expect(step).toMatchObject({ done: false, parts: 1 });
      const leftBy = async (runId: string) =>
        (await h.target.list('snapshots/companies/')).filter((o) => o.key.includes(`run_id=${runId}/`)).length;
      expect(await leftBy(dead.runId)).toBe(1);

      now += h.deps.settings.leaseTtlMs + 1_000;
      const next = await h.run({ mode: 'full', objects: ['companies'] });
      expect(next.outcomes.map((o) => [o.object, o.status])).toEqual([
        ['companies', 'completed'],
        ['properties', 'completed'],
      ]);
      expect(await leftBy(dead.runId)).toBe(0);
      const { manifest } = await fetchPublished(h, { kind: 'snapshot', object: 'companies' });
      expect(manifest.rows).toBe(h.sim.oracle.count('companies') + h.sim.oracle.count('companies', { archived: true }));
      expect(h.logs).toContain(
        `warn: companies: run ${dead.runId} stopped before publishing it; removing what it uploaded`,
      );
    } finally {
      await h.close();
    }
  });

  it('stops a run that lost its lease even when the run that took it over has released it again', async () => {
    let now = Date.now();
    const h = await startHarness({ deps: { settings: { partRows: 50 }, now: () => new Date(now) } });
    try {
      const lapsed = await planRun(h.deps, parseRunInput({ mode: 'full', objects: ['companies'] }));
      await runSyncStep(h.deps, lapsed.items[0], { deadline: now + h.deps.settings.deadlineMarginMs });
      now += h.deps.settings.leaseTtlMs + 1_000;
      // Another run takes the lapsed lease (removing what the first uploaded), then ends unfinished and releases it.
      const next = await planRun(h.deps, parseRunInput({ mode: 'full', objects: ['companies'] }));
      await finalizeRun(h.deps, next.runId, { failedItems: [{ object: 'companies', reason: 'interrupted' }] });

      // The first run wakes up: its next checkpoint must not take the released lease back and publish.
      await expect(runSyncStep(h.deps, lapsed.items[0])).rejects.toThrow(
        new RegExp(
          `^run ${lapsed.runId} lost its lease on companies \\(run ${next.runId} took it at .* and released it at `,
        ),
      );
      const result = await finalizeRun(h.deps, lapsed.runId);
      expect(result.outcomes.map((o) => [o.object, o.status])).toEqual([['companies', 'failed']]);
      expect(await h.target.exists('_latest/companies.json')).toBe(false);
      expect(await h.target.list('snapshots/companies/')).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
