import { z } from 'zod';

/** Export modes: a full snapshot, the changes since the stored watermark, or a chosen last-modified window. */
export const RUN_MODES = ['full', 'incremental', 'backfill'] as const;
export type RunMode = (typeof RUN_MODES)[number];

/** HubSpot object type names as this project accepts them (letters, digits, `_`, `-`). */
export const OBJECT_NAME = /^[A-Za-z0-9_-]+$/;

const isoDate = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), { message: 'must be an ISO 8601 date or datetime' });

const objectList = z.union([
  z.literal('all'),
  z
    .array(z.string().regex(OBJECT_NAME, 'object names hold only letters, digits, "_" and "-"'))
    .min(1, 'name at least one object, or "all"'),
]);

/** The run input shared by schedules, backfill requests and the CLI: `{mode, objects, since?, until?}`. */
export const RunInputSchema = z
  .object({
    mode: z.enum(RUN_MODES, { message: `mode must be one of ${RUN_MODES.join(', ')}` }),
    objects: objectList.default('all'),
    since: isoDate.optional(),
    until: isoDate.optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (input.mode === 'backfill' && !input.since) {
      ctx.addIssue({ code: 'custom', path: ['since'], message: 'a backfill needs since (the start of its window)' });
    }
    if (input.mode === 'full' && (input.since || input.until)) {
      ctx.addIssue({ code: 'custom', path: ['since'], message: 'a full run takes no since/until; use mode backfill' });
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

/** Thrown for run input, options or events that do not validate; the message names each bad field. */
export class InvalidInputError extends Error {
  override name = 'InvalidInputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Formats zod issues as one line: `mode: mode must be one of full, incremental, backfill; since: ...`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ');
}

/**
 * Validates run input from any driver; throws InvalidInputError naming what is wrong.
 * @example parseRunInput({ mode: 'incremental', objects: ['contacts'] })
 */
export function parseRunInput(value: unknown): RunInput {
  const result = RunInputSchema.safeParse(value);
  if (!result.success) throw new InvalidInputError(`invalid run input: ${describeIssues(result.error)}`);
  return result.data;
}
