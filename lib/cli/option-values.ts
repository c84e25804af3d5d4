/** Checks shared by the commands' options: whole numbers within their limits, and messages naming the option. */
import { z } from 'zod';
import { describeIssues, InvalidInputError, quote, type FieldNamer, type InputIssue } from '../sync/run-input';

export interface NumberLimits {
  readonly min: number;
  readonly max?: number;
}

/** Limits of the numeric options; checks and messages read them from here. */
export const NUMBER_OPTIONS = {
  /** Objects exported at once; they share one rate budget, so more only queue for it. */
  concurrency: { min: 1, max: 16 },
  /** Items a large object's full snapshot is split into (slices, read side by side). */
  objectParallelism: { min: 1, max: 100 },
  partRows: { min: 1 },
  /** Hours between archived lists (0: every run) — a month at most. */
  listArchivedHours: { min: 0, max: 720 },
  /** 0: any free port. */
  port: { min: 0, max: 65_535 },
  /** The simulator hashes its seed as a 32-bit integer: other seeds would only alias these. */
  seed: { min: 0, max: 2 ** 32 - 1 },
  /** `sim --scale` as a number of contacts. */
  scaleContacts: { min: 1 },
} as const satisfies Record<string, NumberLimits>;

/** `from 1 to 16`, or `of at least 1` without a maximum. */
export const describeLimits = ({ min, max }: NumberLimits): string =>
  max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;

/** The number `text` spells in plain digits within `limits`; undefined for `1e3`, `0x10`, `-1`, `` or blanks. */
export function readWholeNumber(
  text: string,
  { min, max = Number.MAX_SAFE_INTEGER }: NumberLimits,
): number | undefined {
  const value = Number(text);
  return /^\d+$/.test(text) && Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
}

/** A whole-number option as commander hands it over (a string), parsed within its limits. */
export function wholeNumber(limits: NumberLimits) {
  const message = (input: unknown) => `must be a whole number ${describeLimits(limits)}, not ${quote(input)}`;
  return z.string({ error: (issue) => message(issue.input) }).transform((text, ctx) => {
    const value = readWholeNumber(text, limits);
    if (value !== undefined) return value;
    ctx.addIssue({ code: 'custom', message: message(text) });
    return z.NEVER;
  });
}

/** How CLI messages name a field: `partRows` -> `--part-rows`, `objects.0` -> `--objects`. */
export const optionName: FieldNamer = (path) =>
  path.length ? `--${String(path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : 'options';

/** The error for bad options: one line naming each option and what is wrong with it. */
export const invalidOptions = (issues: readonly InputIssue[]): InvalidInputError =>
  new InvalidInputError(`invalid options: ${describeIssues(issues, optionName)}`);
