import { S3RequestError } from '../../../lib/store/errors';
import { lockKey } from '../../../lib/store/lock';
import type { StorageTarget } from '../../../lib/store/target';
import type { DuckDb } from '../../../lib/parquet';
import { HubSpotClient, staticKeyProvider } from '../../../lib/hubspot';
import type { SyncRuntime } from '../../../lib/sync/create-deps';
import { runLocally } from '../../../lib/sync/local-driver';
import { parseRunInput } from '../../../lib/sync/run-input';
import { deployedRunner } from '../../helpers/deployed-run';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver';
import { diffAgainstOracle, fetchPublished, startHarness, type Harness } from '../../helpers/sync-harness';

/** One injected fault: a runtime that misbehaves once (per driver run), and what both drivers must make of it. */
interface FaultCase {
  name: string;
  inject(runtime: SyncRuntime, h: Harness): SyncRuntime;
  /** [dataset, status, reason] of every dataset, `<run>` standing for the run id. */
  expected: [string, string, string?][];
}

const INPUT = { mode: 'full', objects: ['deals'] };

/** Faults that fired: each case must fire once per driver, or it proved nothing. */
const fired = { count: 0 };

/** A target whose method `name` throws `error` the first time `when` holds. */
function failingOnce<K extends keyof StorageTarget>(
  target: StorageTarget,
  name: K,
  when: (args: unknown[]) => boolean,
  error: () => Error,
  shown: (args: unknown[]) => unknown = () => undefined,
): StorageTarget {
  let failed = false;
  return new Proxy(target, {
    get(real, key, receiver) {
      const value = Reflect.get(real, key, receiver);
      if (key !== name || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (!failed && when(args)) {
          failed = true;
          fired.count += 1;
          const replacement = shown(args);
          if (replacement !== undefined) return replacement;
          throw error();
        }
        return (value as (...a: unknown[]) => unknown).apply(real, args);
      };
    },
  });
}

const withTarget = (runtime: SyncRuntime, target: StorageTarget): SyncRuntime => ({
  ...runtime,
  deps: { ...runtime.deps, target },
});

const COMPLETED: FaultCase['expected'] = [
  ['deals', 'completed'],
  ['metadata.properties', 'completed'],
];

const CASES: FaultCase[] = [
  {
    name: 'a transient S3 failure uploading a part',
    inject: (runtime) =>
      withTarget(
        runtime,
        failingOnce(
          runtime.deps.target,
          'putFile',
          ([key]) => String(key).startsWith('snapshots/deals/'),
          () => new S3RequestError('S3 PutObject s3://lake/hubspot/snapshots/deals/... failed (SlowDown: reduce rate)'),
        ),
      ),
    expected: COMPLETED,
  },
  {
    name: 'DuckDB failing to write a part',
    inject: (runtime) => {
      let failed = false;
      const duckdb = async (): Promise<DuckDb> => {
        const db = await runtime.deps.duckdb();
        // Fails the first COPY ... (FORMAT parquet), whichever call sends it.
        const once =
          <T>(call: (sql: string) => Promise<T>) =>
          async (sql: string) => {
            if (!failed && sql.includes('COPY')) {
              failed = true;
              fired.count += 1;
              throw new Error('IO Error: Could not write file: No space left on device');
            }
            return call(sql);
          };
        return {
          run: once((sql) => db.run(sql)),
          query: once((sql) => db.query(sql)) as DuckDb['query'],
          close: () => db.close(),
        };
      };
      return { ...runtime, deps: { ...runtime.deps, duckdb } };
    },
    expected: COMPLETED,
  },
  {
    name: 'a scope missing once the steps start',
    inject: (runtime, h) => {
      const scopes = h.sim.keys.allScopes().filter((scope) => scope !== 'crm.objects.deals.read');
      const key = h.sim.keys.create({ scopes });
      const keyProvider = {
        ...staticKeyProvider(key, 'test key without deals'),
        getKey: async () => {
          fired.count += 1;
          return key;
        },
      };
      const newClient = () =>
        new HubSpotClient({ baseUrl: h.sim.url, keyProvider, budget: runtime.deps.client.budget });
      return { ...runtime, newClient };
    },
    expected: [['deals', 'failed', 'missing scope crm.objects.deals.read']],
  },
  {
    name: 'the lease taken by another run once the steps start',
    inject: (runtime) => {
      let reads = 0;
      const stolen = {
        object: 'deals',
        runId: 'R-other',
        acquiredAt: '2026-01-01T00:00:00.000Z',
        expiresAt: '2999-01-01T00:00:00.000Z',
      };
      const target = failingOnce(
        runtime.deps.target,
        'getTagged',
        // The plan's read takes the lease; the first step's renewal finds it taken.
        ([key]) => key === lockKey('deals') && ++reads === 2,
        () => new Error('unused'),
        () => ({ body: Buffer.from(JSON.stringify(stolen)), tag: '"stolen"' }),
      );
      return withTarget(runtime, target);
    },
    expected: [
      [
        'deals',
        'failed',
        'run <run> lost its lease on deals (run R-other took it at 2026-01-01T00:00:00.000Z); ' +
          'it stops without publishing deals',
      ],
    ],
  },
];

describe('Drivers: the CLI and the deployed state machine make the same of the same fault', () => {
  let s3: S3rverHandle;
  let h: Harness;

  beforeAll(async () => {
    s3 = await startS3rver({ bucket: 'lake' });
    h = await startHarness({
      location: 's3://lake/hubspot',
      s3Client: s3.client,
      deps: { settings: { partRows: 40 } },
    });
  });
  afterAll(async () => {
    await h?.close();
    await s3?.close();
  });

  const shown = (runId: string, outcomes: [string, string, string?][]) =>
    outcomes.map(([dataset, status, reason]) => [dataset, status, reason?.split(runId).join('<run>')]);

  async function expectExact(runId: string) {
    const { files } = await fetchPublished(h, { kind: 'snapshot', object: 'deals' }, runId);
    const diff = await diffAgainstOracle(h, 'deals', files, runId);
    expect(diff).toMatchObject({ missing: 0, unexpected: 0, duplicateIds: 0 });
  }

  it.each(CASES)('gives the same outcome and reason for $name', async ({ inject, expected }) => {
    // Prepare: the same fault, fresh for each driver.
    const before = fired.count;
    const cliRuntime = inject(h.runtime, h);
    const deployedRuntime = inject(h.runtime, h);

    // Act: the CLI's local driver, then a deployed execution.
    const cli = await runLocally(cliRuntime.deps, parseRunInput(INPUT), {
      depsFor: () => ({ ...cliRuntime.deps, client: cliRuntime.newClient() }),
      sleep: async () => undefined,
    });
    const runner = deployedRunner(async () => deployedRuntime);
    const deployed = await runner.execute(INPUT);

    // Assess: one list of datasets, statuses and reasons, and exact data where published.
    const cliOutcomes = cli.outcomes.map((o): [string, string, string?] => [o.dataset, o.status, o.reason]);
    const deployedOutcomes = runner.published.map((e): [string, string, string?] => [
      e.detail.dataset,
      e.detailType === 'Snapshot Completed' ? 'completed' : 'failed',
      e.detail.reason,
    ]);
    expect(shown(cli.runId, cliOutcomes)).toEqual(expected.map(([d, s, r]) => [d, s, r]));
    expect(shown(deployed.runId, deployedOutcomes)).toEqual(expected.map(([d, s, r]) => [d, s, r]));
    expect(fired.count - before).toBeGreaterThanOrEqual(2);
    if (expected[0][1] === 'completed') {
      await expectExact(cli.runId);
      await expectExact(deployed.runId);
    }
  });
});
