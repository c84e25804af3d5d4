/**
 * Generators the fuzz tests share: text that is nearly right (real and unreal dates, names with one bad character)
 * mixed with anything at all, so most cases reach the checks past the first one.
 */
import fc from 'fast-check';

/**
 * Runs per property: enough to reach every branch of the parsers, few enough for the folder to take seconds.
 * `FUZZ_RUNS=20000 npx jest test/unit/fuzz` searches longer.
 */
export const RUNS = { numRuns: Number(process.env.FUZZ_RUNS ?? 1000) };

/** Mostly before the tests' clock (2026-05-01), some after it. */
const instant = fc.date({
  min: new Date('2020-01-01T00:00:00Z'),
  max: new Date('2026-06-01T00:00:00Z'),
  noInvalidDate: true,
});
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `+HH:MM` / `-HH:MM`, some of them out of range. */
const offset = fc
  .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }))
  .map(([sign, hours, minutes]) => `${sign}${pad(hours)}:${pad(minutes)}`);

/** Date and date-time text in every form the run input takes, real or not, and text that is no date at all. */
export const isoText: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: instant.map((d) => d.toISOString()) },
  { weight: 3, arbitrary: instant.map((d) => d.toISOString().slice(0, 10)) },
  { weight: 3, arbitrary: fc.tuple(instant, offset).map(([d, o]) => `${d.toISOString().slice(0, 16)}${o}`) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
      )
      .map(([y, mo, d, h, mi]) => `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}Z`),
  },
  fc.constantFrom('yesterday', '', '2026-02-30', '2026-01-01 00:00', '2026-01-01T00:00:00', '1', '2002'),
  fc.string(),
  fc.integer(),
  fc.constant(null),
);

/** Good object names, mostly. */
const goodName = fc.oneof(
  fc.constantFrom('contacts', 'deals', 'p1234_orders', '2-555'),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
);

/** Object names: good ones, ones with a bad character, and anything. */
export const objectName: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: goodName },
  fc.string({ maxLength: 12 }),
  fc.anything({ maxDepth: 1 }),
);

/** Values that are the wrong type for nearly any field. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.anything({ maxDepth: 2 }),
);

/** Present `present` times in `present + absent` (absent: the key left out). */
const sometimes = (arbitrary: fc.Arbitrary<unknown>, present: number, absent = 1) =>
  fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: present, arbitrary });

/** A run input as schedules, backfill requests and the CLI send it, every field optional and often wrong. */
export const runInputLike: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record({
        mode: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('full', 'incremental', 'backfill') }, junk),
        objects: sometimes(
          fc.oneof(
            { weight: 3, arbitrary: fc.constant('all') },
            { weight: 4, arbitrary: fc.array(goodName, { minLength: 1, maxLength: 3 }) },
            fc.array(objectName, { maxLength: 4 }),
            junk,
          ),
          3,
        ),
        since: sometimes(isoText, 1),
        until: sometimes(isoText, 1),
        // Rarely: most cases should get past strictness to the checks behind it.
        extra: sometimes(junk, 1, 15),
      })
      .map((input) => Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined))),
  },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);

/** The error an invalid value must end in: a class, and a message naming the field. */
export interface ExpectedRefusal {
  error: new (...args: never[]) => Error;
  message: RegExp;
}

/** What a parse ended in: its value, or the refusal it threw. */
export type ParseOutcome<T> = { value: T; error?: undefined } | { value?: undefined; error: Error };

/**
 * Calls `parse`; a throw must be `refusal` (a class and a message naming the field), never a TypeError, RangeError
 * or other error from inside the parser: the property fails with what was thrown instead.
 */
export function parseOrRefuse<T>(parse: () => T, refusal: ExpectedRefusal): ParseOutcome<T> {
  try {
    return { value: parse() };
  } catch (error) {
    const builtIn = [TypeError, RangeError, ReferenceError, SyntaxError].some((type) => error instanceof type);
    if (builtIn || !(error instanceof refusal.error) || !refusal.message.test(error.message)) {
      throw new Error(`expected ${refusal.error.name} matching ${refusal.message}, got ${String(error)}`, {
        cause: error,
      });
    }
    return { error: error as Error };
  }
}
