import { z } from 'zod';
import { ISO_INSTANT, parseIsoInstant } from './iso-instant';
import { InvalidInputError } from '../core/errors';

/**
 * Export modes: a full snapshot, the changes since the stored watermark, a chosen last-modified window, or a
 * snapshot built from the last one and the change sets since (compact: records are not read from HubSpot again).
 */
export const RUN_MODES = ['full', 'incremental', 'backfill', 'compact'] as const;
export type RunMode = (typeof RUN_MODES)[number];

/** HubSpot object type names as this project accepts them (letters, digits, `_`, `-`). */
export const OBJECT_NAME = /^[A-Za-z0-9_-]+$/;

/** Clocks of the caller and the machine running the plan may differ a little. */
export const CLOCK_SKEW_MS = 60_000;

/** A bad value as messages quote it: strings in quotes, anything else as JSON. */
export const quote = (value: unknown): string => JSON.stringify(value) ?? String(value);

const notIso = (input: unknown) =>
  'must be an ISO 8601 date (2026-01-31) or date-time with Z or an offset ' +
  `(2026-01-31T09:30:00Z, 2026-01-31T10:30+01:00), not ${quote(input)}`;

/** An instant in ISO_INSTANT's form, normalized to UTC (`toISOString`) so every later reader sees one spelling. */
export const isoInstant = z
  .string({ error: (issue) => notIso(issue.input) })
  .regex(ISO_INSTANT, { error: (issue) => notIso(issue.input) })
  .transform((text, ctx) => {
    const instant = parseIsoInstant(text);
    if (instant) return instant.toISOString();
    ctx.addIssue({ code: 'custom', message: `${quote(text)} is not a real date or time` });
    return z.NEVER;
  });

const objectList = z.union(
  [
    z.literal('all'),
    z
      .array(
        z.string().regex(OBJECT_NAME, {
          error: (issue) => `object names hold only letters, digits, "_" and "-", not ${quote(issue.input)}`,
        }),
      )
      .min(1, 'name at least one object, or "all"'),
  ],
  { error: (issue) => `must be "all" or a list of object names, not ${quote(issue.input)}` },
);

/** The run input shared by schedules, backfill requests and the CLI: `{mode, objects, since?, until?}`. */
export const RunInputSchema = z
  .object({
    mode: z.enum(RUN_MODES, {
      error: (issue) =>
        issue.input === undefined
          ? `is required: one of ${RUN_MODES.join(', ')}`
          : `must be one of ${RUN_MODES.join(', ')}, not ${quote(issue.input)}`,
    }),
    objects: objectList.default('all'),
    since: isoInstant.optional(),
    until: isoInstant.optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (input.mode === 'backfill' && !input.since) {
      ctx.addIssue({ code: 'custom', path: ['since'], message: 'a backfill needs since (the start of its window)' });
    }
    if ((input.mode === 'full' || input.mode === 'compact') && (input.since || input.until)) {
      ctx.addIssue({
        code: 'custom',
        path: ['since'],
        message: `a ${input.mode} run takes no since/until; use mode backfill`,
      });
    }
    if (input.since && input.until && Date.parse(input.since) >= Date.parse(input.until)) {
      ctx.addIssue({
        code: 'custom',
        path: ['until'],
        message: `until (${input.until}) must be after since (${input.since})`,
      });
    }
  });

export type RunInput = z.output<typeof RunInputSchema>;

export { InvalidInputError };

/** One problem with one field; zod's issues have this shape too. */
export interface InputIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** How messages name a field: `since`, `objects.0` in events; the CLI passes `--since`. */
export type FieldNamer = (path: readonly PropertyKey[]) => string;

const fieldPath: FieldNamer = (path) => path.map(String).join('.') || 'input';

/** Formats issues as one line: `mode: must be one of full, incremental, backfill, not "x"; since: ...`. */
export function describeIssues(issues: readonly InputIssue[], nameOf: FieldNamer = fieldPath): string {
  return issues.map((issue) => `${nameOf(issue.path)}: ${issue.message}`).join('; ');
}

/**
 * What is wrong with a valid input at `now`, the run's clock: an `until` in the future would set a watermark
 * ahead of the changes seen (the next incremental run would skip some); a `since` not before now, without an
 * `until`, leaves an empty window.
 */
export function clockIssues(input: RunInput, now: Date): InputIssue[] {
  if (input.until && Date.parse(input.until) > now.getTime() + CLOCK_SKEW_MS) {
    return [{ path: ['until'], message: `${input.until} is in the future; leave it out to mean now` }];
  }
  if (input.since && !input.until && Date.parse(input.since) >= now.getTime()) {
    return [{ path: ['since'], message: `${input.since} is not before now (${now.toISOString()}): nothing to export` }];
  }
  return [];
}

export interface ParseRunInputOptions {
  /** The run's clock: when given, a window reaching into the future is refused too. */
  now?: Date;
}

/** The validated input, or the issues that stop it (against the clock when `now` is given). */
export function checkRunInput(
  value: unknown,
  options: ParseRunInputOptions = {},
): { input: RunInput; issues: [] } | { input?: undefined; issues: InputIssue[] } {
  const result = RunInputSchema.safeParse(value);
  if (!result.success) return { issues: result.error.issues };
  const issues = options.now ? clockIssues(result.data, options.now) : [];
  return issues.length ? { issues } : { input: result.data, issues: [] };
}

/**
 * Validates run input from any driver; throws InvalidInputError naming what is wrong.
 * @example parseRunInput({ mode: 'backfill', objects: ['deals'], since: '2026-01-01' }, { now: new Date() })
 */
export function parseRunInput(value: unknown, options: ParseRunInputOptions = {}): RunInput {
  const { input, issues } = checkRunInput(value, options);
  if (!input) throw new InvalidInputError(`invalid run input: ${describeIssues(issues)}`);
  return input;
}
