import fc from 'fast-check';
import { parseFinalizeEvent, parsePlanEvent, parseStepEvent } from '../../../functions/events';
import {
  CLOCK_SKEW_MS,
  InvalidInputError,
  OBJECT_NAME,
  parseRunInput,
  RUN_MODES,
  type RunInput,
} from '../../../lib/sync/run-input';
import { isoText, junk, objectName, parseOrRefuse, RUNS, runInputLike } from './arbitraries';

const NOW = new Date('2026-05-01T12:00:00.000Z');
const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

/** What every run input that validates holds to. */
function expectValidRunInput(input: RunInput, now?: Date) {
  expect(RUN_MODES).toContain(input.mode);
  if (input.objects !== 'all') {
    expect(input.objects.length).toBeGreaterThan(0);
    for (const name of input.objects) expect(name).toMatch(OBJECT_NAME);
  }
  // Instants come out in one spelling, UTC.
  for (const instant of [input.since, input.until]) {
    if (instant !== undefined) expect(new Date(instant).toISOString()).toBe(instant);
  }
  if (input.since && input.until) expect(Date.parse(input.since)).toBeLessThan(Date.parse(input.until));
  if (input.mode === 'backfill') expect(input.since).toBeDefined();
  if (input.mode === 'full') expect([input.since, input.until]).toEqual([undefined, undefined]);
  if (now && input.until) expect(Date.parse(input.until)).toBeLessThanOrEqual(now.getTime() + CLOCK_SKEW_MS);
  if (now && input.since && !input.until) expect(Date.parse(input.since)).toBeLessThan(now.getTime());
}

const RUN_INPUT_REFUSAL = {
  error: InvalidInputError,
  message: /^invalid run input: (mode|objects(\.\d+)?|since|until|input): /,
};

describe('Fuzz: run input', () => {
  it('validates into a consistent run input, or refuses naming the field', () => {
    fc.assert(
      fc.property(runInputLike, fc.boolean(), (value, withClock) => {
        const options = withClock ? { now: NOW } : {};
        const { value: input } = parseOrRefuse(() => parseRunInput(value, options), RUN_INPUT_REFUSAL);
        if (input) expectValidRunInput(input, options.now);
      }),
      RUNS,
    );
  });

  it('gives the same answer to a value it validated before', () => {
    fc.assert(
      fc.property(runInputLike, (value) => {
        const { value: input } = parseOrRefuse(() => parseRunInput(value), RUN_INPUT_REFUSAL);
        if (input) expect(parseRunInput(input)).toEqual(input);
      }),
      RUNS,
    );
  });
});

const execution = fc.record({
  id: fc.oneof(fc.constant('arn:aws:states:eu-west-1:123456789012:execution:Sync:abc'), fc.string(), junk),
  startTime: fc.oneof(isoText, fc.integer({ min: 1, max: 4_102_444_800_000 }), fc.maxSafeInteger(), fc.double(), junk),
});

describe('Fuzz: plan events', () => {
  it('takes the run input (and the run id of an execution), or refuses naming what is wrong', () => {
    const event = fc.oneof(
      fc.record({ input: runInputLike, execution }),
      fc.record({ detail: runInputLike }),
      runInputLike,
    );
    fc.assert(
      fc.property(event, (value) => {
        const { value: parsed } = parseOrRefuse(() => parsePlanEvent(value), {
          error: InvalidInputError,
          message: /^invalid (plan event|run input): \S/,
        });
        if (!parsed) return;
        expectValidRunInput(parsed.input);
        if (parsed.runId !== undefined) expect(parsed.runId).toMatch(RUN_ID);
      }),
      RUNS,
    );
  });
});

const ITEM = {
  runId: '20261129T084512Z-3f9a1c',
  kind: 'records',
  object: 'contacts',
  apiName: 'contacts',
  mode: 'incremental',
  snapshotDate: '2026-11-29',
  startedAt: '2026-11-29T08:45:12.345Z',
  since: '2026-11-28T08:00:00.000Z',
  until: '2026-11-29T08:45:12.345Z',
  liveCount: { countedBelow: '9000', live: 120 },
  archived: { sweep: true, from: '2026-11-28T00:00:00.000Z' },
  idBounds: { min: '1', max: '9000' },
  slice: { index: 0, count: 2, end: '4500' },
};
const FIELDS = Object.keys(ITEM) as (keyof typeof ITEM)[];

/** A good work item with one to three fields replaced by another value, or left out. */
const mutatedItem = fc
  .array(
    fc.tuple(
      fc.constantFrom(...FIELDS, 'expected', 'clockSkewMs', 'pipelineObjects'),
      fc.option(fc.oneof(junk, isoText, objectName)),
    ),
    {
      minLength: 1,
      maxLength: 3,
    },
  )
  .map((changes) => {
    const item: Record<string, unknown> = { ...ITEM };
    for (const [field, value] of changes) {
      if (value === null) delete item[field];
      else item[field] = value;
    }
    return { item, changed: changes.map(([field]) => field) };
  });

describe('Fuzz: sync-step events', () => {
  it('takes a work item whose fields are each right, or refuses naming a field it changed', () => {
    fc.assert(
      fc.property(mutatedItem, ({ item, changed }) => {
        const fields = changed.join('|');
        const { value: parsed } = parseOrRefuse(() => parseStepEvent({ item }), {
          error: InvalidInputError,
          message: new RegExp(`^invalid sync-step event: item\\.(${fields})\\b`),
        });
        if (!parsed) return;
        // What was not changed comes through as it was.
        for (const field of FIELDS.filter((f) => !changed.includes(f))) expect(parsed.item[field]).toEqual(ITEM[field]);
      }),
      RUNS,
    );
  });

  it('refuses anything that holds no item', () => {
    fc.assert(
      fc.property(junk, (value) => {
        fc.pre(!(value && typeof value === 'object' && 'item' in value));
        expect(() => parseStepEvent(value)).toThrow(/^invalid sync-step event: (item|input): /);
      }),
      RUNS,
    );
  });
});

const result = fc.record(
  {
    object: fc.oneof(fc.constantFrom('deals', 'contacts'), junk),
    rows: fc.integer(),
    failure: fc.oneof(
      fc.constant(null),
      fc.record({ error: fc.string(), message: fc.string({ maxLength: 700 }) }),
      junk,
    ),
    error: fc.oneof(
      fc.record(
        {
          Error: fc.oneof(fc.constantFrom('States.Timeout', 'TransientError'), junk),
          Cause: fc.oneof(
            fc.string({ maxLength: 700 }).map((m) => JSON.stringify({ errorType: 'X', errorMessage: m })),
            fc.jsonValue().map((v) => JSON.stringify(v)),
            fc.string(),
          ),
        },
        { requiredKeys: [] },
      ),
      junk,
    ),
  },
  { requiredKeys: ['object'] },
);

describe('Fuzz: finalize events', () => {
  it('reads each failed item’s reason, at most 500 characters, or refuses naming what is wrong', () => {
    const event = fc.oneof(
      fc.record({
        runId: fc.oneof(fc.constant('20261129T084512Z-3f9a1c'), junk),
        results: fc.array(result, { maxLength: 4 }),
      }),
      fc.record({
        execution: fc.record({
          id: fc.string(),
          startTime: execution.map((e) => e.startTime),
          status: fc.oneof(fc.constantFrom('FAILED', 'TIMED_OUT', 'ABORTED'), junk),
        }),
      }),
      junk,
    );
    fc.assert(
      fc.property(event, (value) => {
        const { value: parsed } = parseOrRefuse(() => parseFinalizeEvent(value), {
          error: InvalidInputError,
          message: /^invalid finalize event: \S/,
        });
        if (!parsed) return;
        expect(parsed.runId.length).toBeGreaterThan(0);
        for (const failed of parsed.failedItems) {
          expect(typeof failed.object).toBe('string');
          expect(typeof failed.reason).toBe('string');
          expect(failed.reason.length).toBeLessThanOrEqual(500);
        }
        if (parsed.stopped) expect(parsed.runId).toMatch(RUN_ID);
      }),
      RUNS,
    );
  });
});
