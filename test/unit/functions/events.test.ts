import { parsePlanEvent, parseStepEvent } from '../../../functions/events';
import { executionRunId } from '../../../lib/sync/run-id';
import { InvalidInputError } from '../../../lib/sync/run-input';

const EXECUTION = {
  id: 'arn:aws:states:eu-west-1:123456789012:execution:Sync:abc',
  startTime: '2026-11-29T08:45:12.345Z',
};

describe('Function events: plan', () => {
  it('takes the run input and the run id from what the state machine passes', () => {
    const parsed = parsePlanEvent({ input: { mode: 'backfill', since: '2026-11-01' }, execution: EXECUTION });
    expect(parsed.input).toEqual({ mode: 'backfill', objects: 'all', since: '2026-11-01T00:00:00.000Z' });
    expect(parsed.runId).toMatch(/^20261129T084512Z-[0-9a-f]{6}$/);
  });

  it('names every attempt of one execution alike, and two executions apart', () => {
    const at = new Date(EXECUTION.startTime);
    expect(executionRunId(EXECUTION.id, at)).toBe(executionRunId(EXECUTION.id, at));
    expect(executionRunId(`${EXECUTION.id}x`, at)).not.toBe(executionRunId(EXECUTION.id, at));
  });

  it('takes run input alone, or in an EventBridge detail, when invoked directly (with a new run id)', () => {
    expect(parsePlanEvent({ mode: 'full', objects: ['deals'] })).toEqual({
      input: { mode: 'full', objects: ['deals'] },
    });
    expect(parsePlanEvent({ detail: { mode: 'incremental' } })).toEqual({
      input: { mode: 'incremental', objects: 'all' },
    });
  });

  it.each([
    [{ input: { mode: 'full' }, execution: { id: '' } }, 'invalid plan event: execution.id'],
    [{ input: { mode: 'full' }, execution: { ...EXECUTION, startTime: 'soon' } }, 'execution.startTime "soon"'],
    // Found by test/unit/fuzz: year 10000 gave a run id no key takes (+0100000101T...), and past what Date holds a RangeError.
    [
      { input: { mode: 'full' }, execution: { ...EXECUTION, startTime: 253402300800000 } },
      'execution.startTime 253402300800000',
    ],
    [{ input: { mode: 'full' }, execution: { ...EXECUTION, startTime: 9e15 } }, 'execution.startTime 9000000000000000'],
    [{ input: { mode: 'full' }, execution: EXECUTION, extra: 1 }, 'invalid plan event: '],
    [
      { input: { mode: 'full', noResults: [] }, execution: EXECUTION },
      'invalid run input: input: Unrecognized key: "noResults"',
    ],
  ])('refuses %j naming what is wrong', (event, message) => {
    expect(() => parsePlanEvent(event)).toThrow(InvalidInputError);
    expect(() => parsePlanEvent(event)).toThrow(message);
  });
});

describe('Function events: sync-step', () => {
  const item = {
    runId: '20261129T084512Z-3f9a1c',
    kind: 'records',
    object: 'contacts',
    apiName: 'contacts',
    mode: 'incremental',
    snapshotDate: '2026-11-29',
    startedAt: '2026-11-29T08:45:12.345Z',
    since: '2026-11-28T08:00:00Z',
    until: '2026-11-29T08:45:12.345Z',
  };

  it('takes a work item, with its window in UTC', () => {
    expect(parseStepEvent({ item: { ...item, since: '2026-11-28T09:00+01:00' } }).item.since).toBe(
      '2026-11-28T08:00:00.000Z',
    );
  });

  it.each([
    ['since', 'last week'],
    ['until', '2026-02-30'],
    ['startedAt', ''],
  ])('refuses an item whose %s is %j, naming it', (field, value) => {
    expect(() => parseStepEvent({ item: { ...item, [field]: value } })).toThrow(
      `invalid sync-step event: item.${field}`,
    );
  });
});
