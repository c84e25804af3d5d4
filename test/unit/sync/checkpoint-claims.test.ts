import { classify } from '../../../lib/core/errors';
import { readJson } from '../../../lib/store/json';
import { acquireLease } from '../../../lib/store/lock';
import {
  freshCheckpoint,
  readCheckpoint,
  reservePartNumbers,
  resumeCheckpoint,
  saveCheckpoint,
  StepSupersededError,
} from '../../../lib/sync/checkpoint';
import { PartNumbers } from '../../../lib/sync/parts';
import { objectStateKey, writeObjectState, type ObjectState } from '../../../lib/sync/state';
import { DEALS_ITEM, NOW, RUN } from '../../fixtures/sync/work-item';
import { useUnitDeps } from '../../helpers/unit-deps';

const ITEM = DEALS_ITEM;
const TABLE = { kind: 'snapshot', object: 'deals' } as const;

describe('Checkpoint claims: one invocation of an item writes at a time', () => {
  const unit = useUnitDeps({ now: NOW });
  const stored = () => readJson<ObjectState>(unit.target, objectStateKey('deals'));
  /** Counts the writes of the checkpoint file (all conditional; the folder's swap then writes it plainly). */
  const countWrites = () => {
    const counted = { writes: 0 };
    const put = unit.target.putObject.bind(unit.target);
    unit.target.putObject = async (key, body, options) => {
      if (key === objectStateKey('deals') && (options?.ifMatch || options?.ifAbsent)) counted.writes += 1;
      return put(key, body, options);
    };
    return counted;
  };

  beforeEach(async () => {
    await acquireLease(unit.target, 'deals', RUN, { now: NOW, ttlMs: unit.deps.settings.leaseTtlMs });
  });

  it('stops the older invocation at its next save once a newer one claimed, leaving the newer one’s checkpoint', async () => {
    // Prepare
    const older = await resumeCheckpoint(unit.deps, ITEM);
    older.checkpoint.rows = 100;
    await saveCheckpoint(unit.deps, ITEM, older);
    unit.setNow(new Date('2026-03-01T00:00:30.000Z'));
    const newer = await resumeCheckpoint(unit.deps, ITEM);

    // Act
    older.checkpoint.rows = 200;
    const saving = saveCheckpoint(unit.deps, ITEM, older);

    // Assess
    await expect(saving).rejects.toThrow(StepSupersededError);
    await expect(saving).rejects.toThrow(
      `this step of deals in run ${RUN} was superseded: another invocation claimed its checkpoint at ` +
        '2026-03-01T00:00:30.000Z. It stops here and writes nothing more; the newer invocation carries on, and a ' +
        'retry would take the item back from its checkpoint',
    );
    expect(newer.token).not.toBe(older.token);
    expect(newer.checkpoint.rows).toBe(100);
    expect((await readCheckpoint(unit.deps, ITEM))?.claim).toEqual({
      token: newer.token,
      claimedAt: '2026-03-01T00:00:30.000Z',
    });
    expect((await readCheckpoint(unit.deps, ITEM))?.rows).toBe(100);
  });

  it('lets only the later of two claims made at once save, whichever it is', async () => {
    const [a, b] = await Promise.all([resumeCheckpoint(unit.deps, ITEM), resumeCheckpoint(unit.deps, ITEM)]);

    const saved = await Promise.allSettled([saveCheckpoint(unit.deps, ITEM, a), saveCheckpoint(unit.deps, ITEM, b)]);

    expect(saved.map((s) => s.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = saved.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(lost?.reason).toBeInstanceOf(StepSupersededError);
    const winner = saved[0].status === 'fulfilled' ? a : b;
    expect((await readCheckpoint(unit.deps, ITEM))?.claim?.token).toBe(winner.token);
  });

  it('reserves part numbers in the checkpoint as last saved, without the progress made since', async () => {
    // Prepare
    const resumed = await resumeCheckpoint(unit.deps, ITEM);
    const writes = countWrites();
    resumed.checkpoint.rows = 42;

    // Act
    await reservePartNumbers(unit.deps, ITEM, resumed, 3);
    await reservePartNumbers(unit.deps, ITEM, resumed, 2);

    // Assess: one write (2 was reserved already), holding the reservation and not the unsaved rows.
    expect(writes.writes).toBe(1);
    expect((await stored())?.checkpoint).toEqual({
      ...freshCheckpoint(ITEM, NOW),
      claim: resumed.checkpoint.claim,
      nextPart: 3,
    });
    expect(resumed.checkpoint).toMatchObject({ rows: 42, nextPart: 3 });
  });

  it('numbers a newer invocation’s parts on from what the older one reserved, and refuses the older one more', async () => {
    // Prepare: the older invocation reserves 0 to 2 and takes 0.
    const olderClaim = await resumeCheckpoint(unit.deps, ITEM);
    const older = await PartNumbers.start(unit.deps, ITEM, olderClaim, [TABLE]);
    await older.reserve(3);
    const olderFirst = older.take();

    // Act
    const newerClaim = await resumeCheckpoint(unit.deps, ITEM);
    const newer = await PartNumbers.start(unit.deps, ITEM, newerClaim, [TABLE]);
    await newer.reserve(2);

    // Assess: the older one keeps what it reserved before the claim, and gets no more.
    expect([olderFirst, older.take(), older.take()]).toEqual([0, 1, 2]);
    expect(() => older.take()).toThrow('deals: part number 3 was not reserved before its upload');
    await expect(older.reserve(1)).rejects.toThrow(StepSupersededError);
    expect([newer.take(), newer.take()]).toEqual([3, 4]);
    expect((await readCheckpoint(unit.deps, ITEM))?.nextPart).toBe(5);
  });

  it('resumes a finished checkpoint as it is: unclaimed, nothing written', async () => {
    const done = { ...freshCheckpoint(ITEM, NOW), phase: 'done' as const, rows: 7 };
    await writeObjectState(unit.target, { object: 'deals', watermark: null, checkpoint: done });
    const writes = countWrites();

    const resumed = await resumeCheckpoint(unit.deps, ITEM);

    expect(resumed).toEqual({ state: { object: 'deals', watermark: null, checkpoint: done }, checkpoint: done });
    expect(writes.writes).toBe(0);
    await expect(saveCheckpoint(unit.deps, ITEM, resumed)).rejects.toThrow(
      'deals: a checkpoint this step did not claim (a finished one) is never written',
    );
  });

  it('says the checkpoint is gone when finalize replaced the state, before the lease was released', async () => {
    const resumed = await resumeCheckpoint(unit.deps, ITEM);
    await writeObjectState(unit.target, { object: 'deals', watermark: NOW.toISOString(), lastRunId: RUN });

    await expect(saveCheckpoint(unit.deps, ITEM, resumed)).rejects.toThrow(
      'was superseded: its checkpoint is gone (the run was finalized)',
    );
    expect(await stored()).toEqual({ object: 'deals', watermark: NOW.toISOString(), lastRunId: RUN });
  });
});

describe('Class: StepSupersededError', () => {
  it.each([
    ['a whole object', ITEM, 'this step of deals in run'],
    ['a slice', { ...ITEM, slice: { index: 2, count: 4 } }, 'this step of slice 2 of deals in run'],
  ])('is retried by both drivers (a new invocation claims the item back), naming %s', (_what, item, named) => {
    const error = new StepSupersededError(item, { token: 't', claimedAt: NOW.toISOString() });

    expect(classify(error)).toEqual({
      retryable: true,
      name: 'StepSupersededError',
      reason: expect.stringContaining(named),
    });
  });
});
