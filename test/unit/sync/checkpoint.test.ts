import { readJson } from '../../../lib/store/json';
import { acquireLease, LeaseLostError, lockKey, type Lease } from '../../../lib/store/lock';
import {
  countRequests,
  freshCheckpoint,
  readCheckpoint,
  renewLease,
  resumeCheckpoint,
  saveCheckpoint,
} from '../../../lib/sync/checkpoint';
import {
  objectStateKey,
  readObjectState,
  sliceStateKey,
  writeObjectState,
  type Checkpoint,
} from '../../../lib/sync/state';
import type { WorkItem } from '../../../lib/sync/types';
import { DEALS_ITEM, NOW, RUN } from '../../fixtures/sync/work-item';
import { useUnitDeps } from '../../helpers/unit-deps';

const ITEM = DEALS_ITEM;

describe('Function: freshCheckpoint', () => {
  it('starts a full records item listing live records, with nothing counted', () => {
    expect(freshCheckpoint(ITEM, new Date('2026-03-01T00:00:05.000Z'))).toEqual({
      runId: RUN,
      mode: 'full',
      phase: 'live',
      parts: [],
      associationParts: {},
      notes: {},
      rows: 0,
      unparsed: 0,
      pages: 0,
      requests: 0,
      retries: 0,
      startedAt: '2026-03-01T00:00:05.000Z',
      updatedAt: '2026-03-01T00:00:05.000Z',
    });
  });

  it.each([
    ['an incremental item', { mode: 'incremental' }, { mode: 'incremental', phase: 'changes' }],
    ['a backfill', { mode: 'backfill' }, { mode: 'backfill', phase: 'changes' }],
    [
      'an incremental item that skips the archived list',
      { mode: 'incremental', archived: { sweep: false } },
      { mode: 'incremental', phase: 'changes' },
    ],
    ['the owners table', { kind: 'owners', object: 'owners' }, { mode: 'full', phase: 'live' }],
    ['the pipelines table', { kind: 'pipelines', object: 'pipelines' }, { mode: 'full', phase: 'live' }],
  ] as [string, Partial<WorkItem>, Partial<Checkpoint>][])('starts %s in its first phase', (_what, item, expected) => {
    expect(freshCheckpoint({ ...ITEM, ...item }, NOW)).toMatchObject(expected);
  });
});

describe('Checkpoints in their files', () => {
  const unit = useUnitDeps({ now: NOW });
  const lease = () => acquireLease(unit.target, 'deals', RUN, { now: NOW, ttlMs: unit.deps.settings.leaseTtlMs });
  const slice = (index: number): WorkItem => ({ ...ITEM, slice: { index, count: 2 } });

  it('resumes a fresh checkpoint at the clock, keeping the object’s watermark', async () => {
    await lease();
    await writeObjectState(unit.target, { object: 'deals', watermark: '2026-02-28T00:00:00.000Z' });
    unit.setNow(new Date('2026-03-01T00:00:07.000Z'));

    const resumed = await resumeCheckpoint(unit.deps, ITEM);

    expect(resumed).toEqual({
      state: { object: 'deals', watermark: '2026-02-28T00:00:00.000Z' },
      checkpoint: {
        ...freshCheckpoint(ITEM, new Date('2026-03-01T00:00:07.000Z')),
        claim: { token: resumed.token, claimedAt: '2026-03-01T00:00:07.000Z' },
      },
      token: expect.any(String),
    });
  });

  it('saves a whole object’s checkpoint beside its watermark, stamped with the clock, and reads it back', async () => {
    await lease();
    await writeObjectState(unit.target, { object: 'deals', watermark: '2026-02-28T00:00:00.000Z' });
    const resumed = await resumeCheckpoint(unit.deps, ITEM);
    resumed.checkpoint.rows = 42;
    unit.setNow(new Date('2026-03-01T00:02:00.000Z'));

    await saveCheckpoint(unit.deps, ITEM, resumed);

    const claim = { token: resumed.token, claimedAt: NOW.toISOString() };
    const saved = { ...freshCheckpoint(ITEM, NOW), rows: 42, updatedAt: '2026-03-01T00:02:00.000Z', claim };
    expect(await readObjectState(unit.target, 'deals')).toEqual({
      object: 'deals',
      watermark: '2026-02-28T00:00:00.000Z',
      checkpoint: saved,
    });
    expect(await readCheckpoint(unit.deps, ITEM)).toEqual(saved);
  });

  it('gives an object with no state file one with no watermark', async () => {
    await lease();

    await saveCheckpoint(unit.deps, ITEM, await resumeCheckpoint(unit.deps, ITEM));

    expect(await readObjectState(unit.target, 'deals')).toMatchObject({ object: 'deals', watermark: null });
  });

  it('takes a checkpoint another run left for abandoned work: none for this run', async () => {
    const other = { ...freshCheckpoint(ITEM, NOW), runId: '20260228T000000Z-bbbbbb', rows: 9 };
    await writeObjectState(unit.target, { object: 'deals', watermark: null, checkpoint: other });
    await lease();

    expect(await readCheckpoint(unit.deps, ITEM)).toBeUndefined();
    expect((await resumeCheckpoint(unit.deps, ITEM)).checkpoint.rows).toBe(0);
  });

  it('keeps each slice’s checkpoint in a file of its own, leaving the object’s state alone', async () => {
    await lease();
    const first = await resumeCheckpoint(unit.deps, slice(0));
    const second = await resumeCheckpoint(unit.deps, slice(1));
    first.checkpoint.rows = 1;
    second.checkpoint.rows = 2;

    await saveCheckpoint(unit.deps, slice(0), first);
    await saveCheckpoint(unit.deps, slice(1), second);

    expect(first.state).toBeUndefined();
    expect(await readJson(unit.target, sliceStateKey(RUN, 'deals', 1))).toEqual({ checkpoint: second.checkpoint });
    expect((await readCheckpoint(unit.deps, slice(0)))?.rows).toBe(1);
    expect((await readCheckpoint(unit.deps, slice(1)))?.rows).toBe(2);
    expect(await unit.target.exists(objectStateKey('deals'))).toBe(false);
  });

  it('writes nothing for a run that does not hold the lease', async () => {
    const resumed = { checkpoint: freshCheckpoint(ITEM, NOW) };

    await expect(saveCheckpoint(unit.deps, ITEM, resumed)).rejects.toThrow(LeaseLostError);
    await expect(resumeCheckpoint(unit.deps, ITEM)).rejects.toThrow(
      `run ${RUN} lost its lease on deals (its lease file is gone); it stops without publishing deals`,
    );
    expect(await unit.target.list('')).toEqual([]);
  });

  it('rewrites the lease only once a third of it has passed, for another lease period', async () => {
    await lease();
    const expiresAt = async () => (await readJson<Lease>(unit.target, lockKey('deals')))?.expiresAt;

    unit.setNow(new Date('2026-03-01T00:09:59.000Z'));
    await renewLease(unit.deps, ITEM);
    expect(await expiresAt()).toBe('2026-03-01T00:30:00.000Z');

    unit.setNow(new Date('2026-03-01T00:10:01.000Z'));
    await renewLease(unit.deps, ITEM);
    expect(await expiresAt()).toBe('2026-03-01T00:40:01.000Z');
  });
});

describe('Function: countRequests', () => {
  const unit = useUnitDeps({ now: NOW });

  it('adds the client’s requests and retries since the last count, and moves the mark', () => {
    const checkpoint = { ...freshCheckpoint(ITEM, NOW), requests: 100, retries: 4 };
    const { stats } = unit.deps.client;
    stats.requests = 10;
    stats.retries = 1;
    const since = { requests: 7, retries: 1 };

    countRequests(unit.deps, checkpoint, since);
    stats.requests = 12;
    stats.retries = 3;
    countRequests(unit.deps, checkpoint, since);

    expect([checkpoint.requests, checkpoint.retries]).toEqual([105, 6]);
    expect(since).toEqual({ requests: 12, retries: 3 });
  });
});
