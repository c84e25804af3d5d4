import type { CheckedObject } from '../../../lib/sync/check-objects';
import { hubspotClockBehind, namedByDataset, planRecordItem, storedWatermark } from '../../../lib/sync/record-item';
import { parseRunInput } from '../../../lib/sync/run-input';
import { objectStateKey, writeObjectState } from '../../../lib/sync/state';
import { useUnitDeps } from '../../helpers/unit-deps';

const STARTED = '2026-03-01T12:00:00.000Z';
const WATERMARK = '2026-03-01T11:00:00.000Z';
const RUN = {
  base: { runId: '20260301T120000Z-aaaaaa', snapshotDate: '2026-03-01', startedAt: STARTED },
  until: STARTED,
  clockSkewMs: 0,
};
const DEALS: CheckedObject = {
  object: { object: 'deals', apiName: 'deals', lastModifiedProperty: 'hs_lastmodifieddate', custom: false },
  properties: [],
  expected: 500,
  searchable: true,
};
/** What every records item of deals carries. */
const ITEM = {
  ...RUN.base,
  kind: 'records',
  object: 'deals',
  apiName: 'deals',
  lastModifiedProperty: 'hs_lastmodifieddate',
  expected: 500,
};

describe('Function: planRecordItem decides an object’s mode and window', () => {
  const unit = useUnitDeps({ now: new Date(STARTED) });
  const watermarked = (watermark: unknown = WATERMARK) =>
    unit.target.putObject(objectStateKey('deals'), JSON.stringify({ object: 'deals', watermark }));

  it('plans a full snapshot with no window, its association pairs and id bounds', async () => {
    await watermarked();
    const idBounds = { min: '100', max: '9000' };

    const item = await planRecordItem(unit.deps, parseRunInput({ mode: 'full' }), { ...DEALS, idBounds }, RUN);

    expect(item).toEqual({
      ...ITEM,
      mode: 'full',
      associationTargets: ['contacts', 'companies', 'line_items'],
      idBounds,
    });
  });

  it('starts an incremental window at the watermark and ends it at the run’s until', async () => {
    await watermarked();

    const item = await planRecordItem(unit.deps, parseRunInput({ mode: 'incremental' }), DEALS, RUN);

    expect(item).toEqual({ ...ITEM, mode: 'incremental', since: WATERMARK, until: STARTED });
    expect(unit.logs).toEqual([]);
  });

  it('takes an incremental since before the watermark (a wider window misses nothing)', async () => {
    await watermarked();
    const input = parseRunInput({ mode: 'incremental', since: '2026-03-01T10:00:00Z' });

    expect(await planRecordItem(unit.deps, input, DEALS, RUN)).toMatchObject({
      mode: 'incremental',
      since: '2026-03-01T10:00:00.000Z',
      until: STARTED,
    });
  });

  it('starts at the watermark when the since given is after it, saying why', async () => {
    await watermarked();
    const input = parseRunInput({ mode: 'incremental', since: '2026-03-01T11:30:00Z' });

    expect(await planRecordItem(unit.deps, input, DEALS, RUN)).toMatchObject({ mode: 'incremental', since: WATERMARK });
    expect(unit.logs).toEqual([
      'deals: since 2026-03-01T11:30:00.000Z is not used: it is after the watermark (2026-03-01T11:00:00.000Z), and ' +
        'changes in between would be skipped for good; this run starts at the watermark (for exactly that window, run a backfill)',
    ]);
  });

  it('reads a watermark stored with an offset in UTC', async () => {
    await watermarked('2026-03-01T12:00+01:00');

    expect(await planRecordItem(unit.deps, parseRunInput({ mode: 'incremental' }), DEALS, RUN)).toMatchObject({
      since: WATERMARK,
    });
  });

  it('takes a full snapshot first in an incremental run of an object with no watermark', async () => {
    const input = parseRunInput({ mode: 'incremental', since: '2026-03-01T10:00:00Z' });

    const item = await planRecordItem(unit.deps, input, DEALS, RUN);

    expect(item).toEqual({ ...ITEM, mode: 'full', associationTargets: ['contacts', 'companies', 'line_items'] });
    expect(unit.logs).toEqual([
      'deals: since 2026-03-01T10:00:00.000Z is not used: there is no watermark yet, so this run takes a full snapshot ' +
        '(for exactly that window, run a backfill)',
      'deals: no watermark yet, so this incremental run takes a full snapshot',
    ]);
  });

  it('takes a full snapshot in an incremental run of a type search does not serve', async () => {
    await watermarked();

    const item = await planRecordItem(
      unit.deps,
      parseRunInput({ mode: 'incremental' }),
      {
        ...DEALS,
        searchable: false,
      },
      RUN,
    );

    expect(item).toMatchObject({ mode: 'full' });
    expect(item).not.toHaveProperty('since');
    expect(unit.logs).toEqual(['deals: HubSpot search does not serve this type, so it takes a full snapshot']);
  });

  it('plans a backfill over its own window, whatever the watermark, with no clock skew', async () => {
    await watermarked();
    const input = parseRunInput({ mode: 'backfill', since: '2026-02-01', until: '2026-02-15' });

    const item = await planRecordItem(unit.deps, input, DEALS, {
      ...RUN,
      until: '2026-02-15T00:00:00.000Z',
      clockSkewMs: 9000,
    });

    expect(item).toEqual({
      ...ITEM,
      mode: 'backfill',
      since: '2026-02-01T00:00:00.000Z',
      until: '2026-02-15T00:00:00.000Z',
    });
  });

  it('reaches an incremental window back by HubSpot’s clock skew', async () => {
    await watermarked();

    const item = await planRecordItem(unit.deps, parseRunInput({ mode: 'incremental' }), DEALS, {
      ...RUN,
      clockSkewMs: 9000,
    });

    expect(item).toMatchObject({ mode: 'incremental', since: WATERMARK, clockSkewMs: 9000 });
  });

  it.each([
    [
      'a backfill of a type search does not serve',
      { mode: 'backfill', since: '2026-02-01' },
      { searchable: false },
      RUN.until,
      'HubSpot search does not serve this type, and a backfill needs it; export it with mode full',
    ],
    [
      'an incremental window that starts at its end',
      { mode: 'incremental' },
      {},
      WATERMARK,
      'nothing to export: since (2026-03-01T11:00:00.000Z) is not before until (2026-03-01T11:00:00.000Z)',
    ],
    [
      'a backfill window that starts after its end',
      { mode: 'backfill', since: '2026-02-20' },
      {},
      '2026-02-10T00:00:00.000Z',
      'nothing to export: since (2026-02-20T00:00:00.000Z) is not before until (2026-02-10T00:00:00.000Z)',
    ],
  ])('fails %s, naming why', async (_what, input, checked, until, reason) => {
    await watermarked();

    const item = await planRecordItem(unit.deps, parseRunInput(input), { ...DEALS, ...checked }, { ...RUN, until });

    expect(item).toEqual({ object: 'deals', reason });
  });

  it('fails an object whose state file holds no instant, saying how to fix it', async () => {
    await watermarked('yesterday');

    const item = await planRecordItem(unit.deps, parseRunInput({ mode: 'incremental' }), DEALS, RUN);

    expect(item).toEqual({
      object: 'deals',
      reason:
        `${unit.target.url('_state/deals.json')} holds watermark "yesterday", not an ISO 8601 instant; fix it or ` +
        'delete the file (the next run then exports the object in full)',
    });
  });
});

describe('Function: storedWatermark', () => {
  const unit = useUnitDeps();

  it.each([
    [null, undefined],
    ['2026-03-01T11:00:00Z', '2026-03-01T11:00:00.000Z'],
    ['2026-03-01', '2026-03-01T00:00:00.000Z'],
  ])('reads %j as %j', async (stored, expected) => {
    await writeObjectState(unit.target, { object: 'deals', watermark: stored });

    expect(await storedWatermark(unit.deps, 'deals')).toBe(expected);
  });

  it('has none for an object never exported, and refuses one that is not text', async () => {
    expect(await storedWatermark(unit.deps, 'deals')).toBeUndefined();

    await unit.target.putObject(objectStateKey('deals'), JSON.stringify({ object: 'deals', watermark: 1_772_000 }));

    await expect(storedWatermark(unit.deps, 'deals')).rejects.toThrow(
      'holds watermark 1772000, not an ISO 8601 instant',
    );
  });
});

describe('Function: namedByDataset', () => {
  const unit = useUnitDeps();
  const FAILURES = [
    { object: 'deals', reason: 'a' },
    { object: 'tickets', reason: 'b' },
    { object: 'owners', reason: 'c' },
  ];
  const RECORDS = new Set(['deals', 'tickets']);

  it('names nothing by change set in a full run', async () => {
    expect(await namedByDataset(unit.deps, parseRunInput({ mode: 'full' }), FAILURES, RECORDS)).toEqual(FAILURES);
  });

  it('names every records object by its change set in a backfill', async () => {
    const input = parseRunInput({ mode: 'backfill', since: '2026-02-01' });

    expect(await namedByDataset(unit.deps, input, FAILURES, RECORDS)).toEqual([
      { object: 'deals', reason: 'a', dataset: 'deals.changes' },
      { object: 'tickets', reason: 'b', dataset: 'tickets.changes' },
      { object: 'owners', reason: 'c' },
    ]);
  });

  it('names by change set, in an incremental run, the objects with a watermark or an unreadable state', async () => {
    await writeObjectState(unit.target, { object: 'deals', watermark: WATERMARK });
    await unit.target.putObject(objectStateKey('tickets'), JSON.stringify({ object: 'tickets', watermark: 'junk' }));
    const contacts = { object: 'contacts', reason: 'd' };

    const named = await namedByDataset(
      unit.deps,
      parseRunInput({ mode: 'incremental' }),
      [...FAILURES, contacts],
      new Set([...RECORDS, 'contacts']),
    );

    expect(named).toEqual([
      { object: 'deals', reason: 'a', dataset: 'deals.changes' },
      { object: 'tickets', reason: 'b', dataset: 'tickets.changes' },
      { object: 'owners', reason: 'c' },
      contacts,
    ]);
  });
});

describe('Function: hubspotClockBehind', () => {
  const unit = useUnitDeps();

  it.each([
    [undefined, 0],
    [0, 0],
    [5_000, 0],
    [-2_000, 0],
    [-2_001, 2_001],
    [-59_000, 59_000],
    [-60 * 60_000, 60 * 60_000],
    [-3 * 60 * 60_000, 60 * 60_000],
  ])('with HubSpot’s clock %p ms off, reaches back %p ms', (offset, expected) => {
    unit.deps.client.serverClockOffsetMs = offset;

    expect(hubspotClockBehind(unit.deps)).toBe(expected);
  });

  it('warns of a clock more than a minute off, saying which way', () => {
    unit.deps.client.serverClockOffsetMs = -61_000;
    hubspotClockBehind(unit.deps);
    unit.deps.client.serverClockOffsetMs = 120_400;
    hubspotClockBehind(unit.deps);
    unit.deps.client.serverClockOffsetMs = 60_000;
    hubspotClockBehind(unit.deps);

    expect(unit.logs).toEqual([
      "warn: HubSpot's clock is 61 s behind this machine's: check this machine's time; incremental windows reach " +
        'back that much further, so no change is missed',
      "warn: HubSpot's clock is 120 s ahead of this machine's: check this machine's time",
    ]);
  });
});
