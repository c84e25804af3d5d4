/**
 * Leases on both targets (a folder, and S3 through s3rver): every lease write is conditional, so a run whose lease
 * lapsed cannot renew it back over its successor and two runs breaking one expired lease cannot both win.
 * Interleavings are made deterministic by a target that lets another run act between a read and the write after it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLease, ObjectLockedError, releaseLease, type Lease } from '../../../lib/store/lock';
import { openTarget } from '../../../lib/store/open-target';
import { ObjectChangedError, type StorageTarget } from '../../../lib/store/target';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver';

const OBJECT = 'deals';
const KEY = `_state/locks/${OBJECT}.json`;
const TTL = { ttlMs: 60_000 };
const at = (minute: number) => new Date(Date.UTC(2026, 10, 29, 12, minute));

/** A target that runs `between` once, just before the first conditional write passes through. */
function interleaved(target: StorageTarget, between: () => Promise<unknown>): StorageTarget {
  let pending: (() => Promise<unknown>) | undefined = between;
  return new Proxy(target, {
    get(real, name, receiver) {
      if (name !== 'putObject') return Reflect.get(real, name, receiver);
      return async (...args: Parameters<StorageTarget['putObject']>) => {
        const [, , options] = args;
        if (pending && (options?.ifMatch !== undefined || options?.ifAbsent)) {
          const run = pending;
          pending = undefined;
          await run();
        }
        return real.putObject(...args);
      };
    },
  });
}

const readLease = async (target: StorageTarget): Promise<Lease> =>
  JSON.parse((await target.getObject(KEY))!.toString()) as Lease;

describe.each(['folder', 's3'] as const)('Leases on a %s target', (kind) => {
  let s3: S3rverHandle | undefined;
  let dir: string;
  let target: StorageTarget;
  /** If-Match / If-None-Match headers of every S3 PutObject (s3rver ignores them; real S3 enforces them). */
  const conditions: string[] = [];

  beforeAll(async () => {
    if (kind !== 's3') return;
    s3 = await startS3rver({ bucket: 'leases' });
    s3.client.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { method: string; headers: Record<string, string> }).headers;
        if ((args.request as { method: string }).method === 'PUT') {
          conditions.push(
            headers['if-match'] ? `If-Match ${headers['if-match']}` : (headers['if-none-match'] ?? 'none'),
          );
        }
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordConditions' },
    );
  });
  afterAll(() => s3?.close());
  beforeEach(async () => {
    conditions.length = 0;
    dir = await mkdtemp(join(tmpdir(), 'lease-'));
    target =
      kind === 's3'
        ? openTarget(`s3://leases/${Date.now()}-${Math.random()}`, { s3Client: s3!.client })
        : openTarget(dir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('refuses another run while live and renews for its holder, keeping acquiredAt', async () => {
    const first = await acquireLease(target, OBJECT, 'run-a', { now: at(0), ...TTL });
    await expect(acquireLease(target, OBJECT, 'run-b', { now: at(0.5), ...TTL })).rejects.toThrow(
      `another run (run-a) is exporting ${OBJECT}`,
    );
    const renewed = await acquireLease(target, OBJECT, 'run-a', { now: at(0.5), ...TTL });
    expect(renewed).toEqual({ ...first, expiresAt: at(1.5).toISOString() });
    expect(await readLease(target)).toEqual(renewed);
    if (kind === 's3') expect(conditions[0]).toBe('*');
    if (kind === 's3') expect(conditions[conditions.length - 1]).toMatch(/^If-Match "[0-9a-f]+"$/);
  });

  it('lets a run whose lease lapsed and was taken over not renew it back', async () => {
    await acquireLease(target, OBJECT, 'run-a', { now: at(0), ...TTL });
    // run-a reads its own lapsed lease; run-b takes it over before run-a's renewal is written.
    const takeover = () => acquireLease(target, OBJECT, 'run-b', { now: at(5), ...TTL });

    const renewal = acquireLease(interleaved(target, takeover), OBJECT, 'run-a', { now: at(5), ...TTL });

    await expect(renewal).rejects.toThrow(ObjectLockedError);
    await expect(renewal).rejects.toThrow('another run (run-b)');
    expect(await readLease(target)).toMatchObject({ runId: 'run-b', acquiredAt: at(5).toISOString() });
  });

  it('lets only one of two runs breaking the same expired lease win', async () => {
    await acquireLease(target, OBJECT, 'run-a', { now: at(0), ...TTL });
    const rival = () => acquireLease(target, OBJECT, 'run-c', { now: at(10), ...TTL });

    const outcome = acquireLease(interleaved(target, rival), OBJECT, 'run-b', { now: at(10), ...TTL });

    await expect(outcome).rejects.toThrow('another run (run-c)');
    expect(await readLease(target)).toMatchObject({ runId: 'run-c', acquiredAt: at(10).toISOString() });
  });

  it('frees a released lease at once, and never releases a lease another run took over', async () => {
    await acquireLease(target, OBJECT, 'run-a', { now: at(0), ...TTL });
    await releaseLease(target, OBJECT, 'run-x', at(0.2));
    expect(await readLease(target)).not.toHaveProperty('releasedAt');

    await releaseLease(target, OBJECT, 'run-a', at(0.5));
    expect(await readLease(target)).toMatchObject({ runId: 'run-a', releasedAt: at(0.5).toISOString() });
    const next = await acquireLease(target, OBJECT, 'run-b', { now: at(0.6), ...TTL });
    expect(next).toEqual({
      object: OBJECT,
      runId: 'run-b',
      acquiredAt: at(0.6).toISOString(),
      expiresAt: at(1.6).toISOString(),
    });

    // run-b's lease lapses and run-c takes it over between run-b's read and its release.
    const takeover = () => acquireLease(target, OBJECT, 'run-c', { now: at(5), ...TTL });
    await releaseLease(interleaved(target, takeover), OBJECT, 'run-b', at(5));
    expect(await readLease(target)).toEqual({
      object: OBJECT,
      runId: 'run-c',
      acquiredAt: at(5).toISOString(),
      expiresAt: at(6).toISOString(),
    });
  });
});

describe('S3 target: conditional writes S3 refuses', () => {
  let s3: S3rverHandle;
  /** The error S3 answers a failed condition with (s3rver never does, so a middleware plays S3 here). */
  let refuseNextPut: { name: string; status: number } | undefined;

  beforeAll(async () => {
    s3 = await startS3rver({ bucket: 'refusals' });
    s3.client.middlewareStack.add(
      (next) => async (args) => {
        const refusal = refuseNextPut;
        if (refusal && (args.request as { method: string }).method === 'PUT') {
          refuseNextPut = undefined;
          throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
            name: refusal.name,
            $metadata: { httpStatusCode: refusal.status },
          });
        }
        return next(args);
      },
      { step: 'finalizeRequest', name: 'playS3Refusal' },
    );
  });
  afterAll(() => s3.close());

  it.each([
    ['PreconditionFailed', 412],
    ['ConditionalRequestConflict', 409],
    ['NoSuchKey', 404],
  ])('turns %s (%d) on an If-Match write into ObjectChangedError, so the lease is re-read', async (name, status) => {
    const target = openTarget(`s3://refusals/${name}`, { s3Client: s3.client });
    await acquireLease(target, OBJECT, 'run-a', { now: at(0), ...TTL });
    const { tag } = (await target.getTagged(KEY))!;

    refuseNextPut = { name, status };
    await expect(target.putObject(KEY, '{}', { ifMatch: tag })).rejects.toThrow(ObjectChangedError);

    // A renewal refused once re-reads the lease and succeeds on the next attempt.
    refuseNextPut = { name, status };
    await expect(acquireLease(target, OBJECT, 'run-a', { now: at(0.5), ...TTL })).resolves.toMatchObject({
      expiresAt: at(1.5).toISOString(),
    });
  });
});
