import { z } from 'zod';
import { API_VERSION_NAMES, DEFAULT_API_VERSION, type ApiVersion } from '../hubspot/api-version';
import { KEY_AS_SECRET_MESSAGE, looksLikeServiceKey } from '../hubspot/key-shape';
import { GLUE_NAME } from '../store/catalog';
import { InvalidKeyError } from '../store/errors';
import { parseLocation } from '../store/location';
import { parseAssociationPairs } from '../sync/association-pairs';
import { parsePropertyRefs } from '../sync/sensitive-properties';
import { checkRunInput, InvalidInputError, quote, type RunInput } from '../sync/run-input';
import { invalidOptions, NUMBER_OPTIONS, wholeNumber } from './option-values';

/** Options of `run` as commander hands them over (all strings). */
export interface RawRunOptions {
  out?: string;
  objects?: string;
  mode?: string;
  since?: string;
  until?: string;
  hubspotUrl?: string;
  secretId?: string;
  json?: boolean;
  concurrency?: string;
  objectParallelism?: string;
  listArchivedEvery?: string;
  listArchivedAtMostEvery?: string;
  apiVersion?: string;
  partRows?: string;
  associations?: string;
  glueDatabase?: string;
  glueTablePrefix?: string;
  excludeProperties?: string;
  hashProperties?: string;
  hashKeySecretId?: string;
}

/** The run input options of `run` and `backfill`. */
export type RawRunInputOptions = Pick<RawRunOptions, 'objects' | 'since' | 'until'>;

/** `--out` must be a folder or a well-formed s3:// location; the store's parser says what is wrong. */
function checkOut(out: string, ctx: z.RefinementCtx): void {
  try {
    parseLocation(out);
  } catch (error) {
    if (!(error instanceof InvalidKeyError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
  }
}

/** A list option parsed by `parse`, whose InvalidInputError becomes an issue naming the option. */
function parsedList<T>(parse: (text: string) => T) {
  return z.string().transform((text, ctx) => {
    try {
      return parse(text);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
      return z.NEVER;
    }
  });
}

/** A Secrets Manager secret's name or ARN, which must not be the service key itself. */
const secretIdOption = () =>
  z
    .string()
    .min(1, 'must not be empty')
    .refine((id) => !looksLikeServiceKey(id), KEY_AS_SECRET_MESSAGE)
    .optional();

const CliOptionsSchema = z.object({
  out: z
    .string({ error: 'is required (a folder or s3://bucket/prefix)' })
    .min(1, 'must not be empty')
    .superRefine(checkOut),
  hubspotUrl: z
    .url({ protocol: /^https?$/, error: (issue) => `must be an http:// or https:// URL, not ${quote(issue.input)}` })
    .optional(),
  secretId: secretIdOption(),
  json: z.boolean().default(false),
  concurrency: wholeNumber(NUMBER_OPTIONS.concurrency).default(4),
  objectParallelism: wholeNumber(NUMBER_OPTIONS.objectParallelism).default(1),
  listArchivedEvery: wholeNumber(NUMBER_OPTIONS.listArchivedHours).optional(),
  listArchivedAtMostEvery: wholeNumber(NUMBER_OPTIONS.listArchivedHours).optional(),
  apiVersion: z
    .string()
    .refine((text) => (API_VERSION_NAMES as readonly string[]).includes(text), {
      error: (issue) => `must be one of ${API_VERSION_NAMES.join(', ')}, not ${quote(issue.input)}`,
    })
    .transform((text) => text as ApiVersion)
    .default(DEFAULT_API_VERSION),
  partRows: wholeNumber(NUMBER_OPTIONS.partRows).optional(),
  associations: parsedList(parseAssociationPairs).optional(),
  excludeProperties: parsedList(parsePropertyRefs).optional(),
  hashProperties: parsedList(parsePropertyRefs).optional(),
  hashKeySecretId: secretIdOption(),
  glueDatabase: z
    .string()
    .regex(GLUE_NAME, { error: (issue) => `must be a Glue database name (a-z, 0-9, _), not ${quote(issue.input)}` })
    .optional(),
  glueTablePrefix: z
    .string()
    .regex(GLUE_NAME, { error: (issue) => `may hold a-z, 0-9 and _ only, not ${quote(issue.input)}` })
    .optional(),
});

export type RunCliOptions = z.output<typeof CliOptionsSchema> & { input: RunInput };

/** Splits `contacts,deals` (or `all`) into the run input's object list. */
export function parseObjectList(value: string | undefined): string[] | 'all' {
  if (value === undefined || value.trim() === 'all') return 'all';
  return value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

/** Checks the run input options of a run in `mode` against `now` (the run may not reach into the future). */
export function checkRunInputOptions(
  mode: string,
  raw: RawRunInputOptions,
  now: Date,
): ReturnType<typeof checkRunInput> {
  return checkRunInput(
    {
      mode,
      objects: parseObjectList(raw.objects),
      ...(raw.since !== undefined ? { since: raw.since } : {}),
      ...(raw.until !== undefined ? { until: raw.until } : {}),
    },
    { now },
  );
}

/**
 * Validates `run` options into the shared run input plus driver settings; every bad value names its option.
 * @example parseRunOptions({ out: './hubspot-data', mode: 'incremental', concurrency: '2' })
 */
export function parseRunOptions(raw: RawRunOptions, now = new Date()): RunCliOptions {
  const { input, issues } = checkRunInputOptions(raw.mode ?? 'full', raw, now);
  const result = CliOptionsSchema.safeParse(raw);
  if (!input || !result.success) throw invalidOptions([...issues, ...(result.error?.issues ?? [])]);
  const { glueDatabase, glueTablePrefix, out, hashKeySecretId, hashProperties } = result.data;
  if (glueTablePrefix !== undefined && !glueDatabase) {
    throw invalidOptions([{ path: ['glueTablePrefix'], message: 'needs --glue-database' }]);
  }
  if (hashKeySecretId !== undefined && !hashProperties?.length) {
    throw invalidOptions([
      { path: ['hashKeySecretId'], message: 'needs --hash-properties (the properties it hashes)' },
    ]);
  }
  if (glueDatabase && parseLocation(out).kind !== 's3') {
    throw invalidOptions([
      { path: ['glueDatabase'], message: 'needs --out s3://bucket/prefix (Glue tables point at S3)' },
    ]);
  }
  return { ...result.data, input };
}
