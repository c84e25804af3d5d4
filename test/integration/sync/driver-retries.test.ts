import { PlanStoppedError } from '../../../lib/sync/plan';
import { runLocally, type LocalRunOptions } from '../../../lib/sync/local-driver';
import { parseRunInput } from '../../../lib/sync/run-input';
import { runPlanKey } from '../../../lib/sync/state';
import { STEP_RETRY_POLICY, stepRetryDelayMs } from '../../../lib/sync/step-retry';
import { readLatest } from '../../../lib/store/manifest';
import { CorruptStoredFileError, S3RequestError } from '../../../lib/store/errors';
import { lockKey, type Lease } from '../../../lib/store/lock';
import type { StorageTarget } from '../../../lib/store/target';
import { diffAgainstOracle, fetchPublished, startHarness, type Harness } from '../../helpers/sync-harness';

const OBJECTS = ['contacts', 'companies'];
const INPUT = { mode: 'full', objects: OBJECTS };

/** A putObject fault: writes of keys `key` takes fail `times` times (default once), before or after writing. */
interface WriteFault {
  key: (key: string) => boolean;
  error: () => Error;
  times?: number;
  /** The write is done, and only its answer is lost (a reply that timed out). */
  answerLost?: boolean;
}

/** `target`, but failing the writes `fault` names; `attempts` lists every write of such a key, failed or not. */
function failingWrites(target: StorageTarget, fault: WriteFault): { target: StorageTarget; attempts: string[] } {
  const attempts: string[] = [];
  let failures = 0;
  const putObject: StorageTarget['putObject'] = async (key, body, options) => {
    if (!fault.key(key)) return target.putObject(key, body, options);
    attempts.push(key);
    if (failures >= (fault.times ?? 1)) return target.putObject(key, body, options);
    failures += 1;
    if (fault.answerLost) await target.putObject(key, body, options);
    throw fault.error();
  };
  return {
    target: new Proxy(target, { get: (real, name) => (name === 'putObject' ? putObject : Reflect.get(real, name)) }),
    attempts,
  };
}

const isManifestOf = (object: string) => (key: string) => key.startsWith(`_manifests/${object}/`);
const isPlan = (key: string) => /^_state\/runs\/[^/]+\/plan\.json$/.test(key);
const s3Refused = () => new S3RequestError('S3 PutObject s3://lake/hubspot/... failed (InternalError: try again)');

/** The CLI's local driver on `h`, its storage replaced by `target`; the waits before retries are recorded. */
function runWith(h: Harness, target: StorageTarget, options: LocalRunOptions = {}) {
  const waits: number[] = [];
  const deps = { ...h.deps, target };
  const run = runLocally(deps, parseRunInput(INPUT), {
    depsFor: () => ({ ...deps, client: h.runtime.newClient() }),
    sleep: async (ms) => void waits.push(ms),
    ...options,
  });
  return { run, waits };
}

const retryLines = (h: Harness) => h.logs.filter((line) => line.startsWith('warn: ') && line.includes('; retrying'));

/** Every object's lease names `runId` and is released. */
async function expectLeasesReleased(h: Harness, runId: string) {
  for (const object of OBJECTS) {
    const lease = JSON.parse((await h.target.getObject(lockKey(object)))!.toString()) as Lease;
    expect({ object, runId: lease.runId, released: typeof lease.releasedAt }).toEqual({
      object,
      runId,
      released: 'string',
    });
  }
}

/** Every object's `_latest` names `runId`, whose snapshot holds exactly the oracle's rows. */
async function expectPublishedExactly(h: Harness, runId: string) {
  for (const object of OBJECTS) {
    expect((await readLatest(h.target, { kind: 'snapshot', object }))?.runId).toBe(runId);
    const { manifest, files } = await fetchPublished(h, { kind: 'snapshot', object }, runId);
    const diff = await diffAgainstOracle(h, object, files, runId);
    expect({
      object,
      rows: manifest.rows,
      missing: diff.missing,
      unexpected: diff.unexpected,
      twice: diff.duplicateIds,
    }).toEqual({
      object,
      rows: h.sim.oracle.count(object) + h.sim.oracle.count(object, { archived: true }),
      missing: 0,
      unexpected: 0,
      twice: 0,
    });
    expect(manifest.rows).toBe(diff.expectedRows);
  }
}

describe('Local driver: plan and finalize are retried like the sync steps', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h?.close();
  });

  it('publishes every object when a manifest write fails once with a retryable error, and releases every lease', async () => {
    // Prepare
    const faulty = failingWrites(h.target, { key: isManifestOf('contacts'), error: s3Refused });

    // Act
    const { run, waits } = runWith(h, faulty.target);
    const result = await run;

    // Assess: finalize ran again after the first wait, and published what the first attempt could not.
    expect(result.outcomes.filter((o) => o.status !== 'completed')).toEqual([]);
    expect(faulty.attempts).toEqual([
      `_manifests/contacts/${result.runId}.json`,
      `_manifests/contacts/${result.runId}.json`,
    ]);
    expect(waits).toEqual([stepRetryDelayMs(1)]);
    expect(retryLines(h)).toEqual([
      `warn: finalize of run ${result.runId}: ${s3Refused().message}; retrying in 30 s (retry 1 of 3)`,
    ]);
    await expectPublishedExactly(h, result.runId);
    await expectLeasesReleased(h, result.runId);
  });

  it.each([
    { when: 'before writing it', answerLost: false },
    { when: 'after writing it (its answer lost)', answerLost: true },
  ])('plans the run once, under one run id, when the plan write fails once $when', async ({ answerLost }) => {
    // Prepare
    const faulty = failingWrites(h.target, { key: isPlan, error: s3Refused, answerLost });

    // Act
    const { run, waits } = runWith(h, faulty.target);
    const result = await run;

    // Assess: both attempts wrote under the same run id; one plan is stored, and the run published it.
    expect(result.outcomes.filter((o) => o.status !== 'completed')).toEqual([]);
    // An answer lost: the retry finds the stored plan and does not write it again.
    expect(faulty.attempts).toEqual(answerLost ? [runPlanKey(result.runId)] : Array(2).fill(runPlanKey(result.runId)));
    expect((await h.target.list('_state/runs/')).map((o) => o.key).filter(isPlan)).toEqual([runPlanKey(result.runId)]);
    expect(h.logs.includes(`run ${result.runId} is planned already; returning its stored plan`)).toBe(answerLost);
    expect(waits).toEqual([stepRetryDelayMs(1)]);
    expect(retryLines(h)).toEqual([
      `warn: plan of run ${result.runId}: ${s3Refused().message}; retrying in 30 s (retry 1 of 3)`,
    ]);
    await expectPublishedExactly(h, result.runId);
    await expectLeasesReleased(h, result.runId);
  });

  it.each([
    {
      name: 'the plan write refused for good',
      key: isPlan,
      error: () => new S3RequestError('S3 PutObject s3://lake/hubspot/... failed (AccessDenied)', { retryable: false }),
      times: 1,
      attempts: 1,
    },
    {
      name: 'a manifest write finding a corrupt file',
      key: isManifestOf('companies'),
      error: () => new CorruptStoredFileError('_manifests/companies/... is not JSON; remove it'),
      times: 1,
      attempts: 1,
    },
    {
      name: 'a manifest write failing through every retry',
      key: isManifestOf('companies'),
      error: s3Refused,
      times: Infinity,
      attempts: 1 + STEP_RETRY_POLICY.maxRetries,
    },
  ])('throws the error of $name, after $attempts attempt(s)', async ({ key, error, times, attempts }) => {
    // Prepare
    const faulty = failingWrites(h.target, { key, error, times });

    // Act
    const { run, waits } = runWith(h, faulty.target);
    const thrown = await run.then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess: the same error as the last attempt met, and one wait before each retry.
    expect(thrown).toBeInstanceOf(error().constructor);
    expect(thrown).toEqual(error());
    expect(faulty.attempts.length).toBe(attempts);
    const retries = Array.from({ length: attempts - 1 }, (_, i) => stepRetryDelayMs(i + 1));
    expect(waits).toEqual(retries);
    expect(retryLines(h).length).toBe(retries.length);
  });

  it('stops retrying the plan once the run is stopped while it waits, holding no lease', async () => {
    // Prepare: Ctrl-C arrives during the wait before the plan's first retry.
    const faulty = failingWrites(h.target, { key: isPlan, error: s3Refused });
    const controller = new AbortController();

    // Act
    const waits: number[] = [];
    const { run } = runWith(h, faulty.target, {
      signal: controller.signal,
      sleep: async (ms) => {
        waits.push(ms);
        controller.abort();
      },
    });
    const thrown = await run.then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess
    expect(thrown).toBeInstanceOf(PlanStoppedError);
    expect(waits).toEqual([stepRetryDelayMs(1)]);
    expect(faulty.attempts.length).toBe(1);
    for (const object of OBJECTS) {
      const lease = JSON.parse((await h.target.getObject(lockKey(object)))!.toString()) as Lease;
      expect(lease.releasedAt).toEqual(expect.any(String));
    }
  });
});
