import { z } from 'zod';
import { GLUE_NAME } from '../store/catalog';
import { describeIssues, InvalidInputError, parseRunInput, type RunInput } from '../sync/run-input';

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
  partRows?: string;
  glueDatabase?: string;
  glueTablePrefix?: string;
}

const CliOptionsSchema = z.object({
  out: z.string({ message: '--out is required (a folder or s3://bucket/prefix)' }).min(1, '--out must not be empty'),
  hubspotUrl: z.url({ message: '--hubspot-url must be an http(s) URL' }).optional(),
  secretId: z.string().min(1).optional(),
  json: z.boolean().default(false),
  concurrency: z.coerce.number({ message: '--concurrency must be a number' }).int().min(1).max(16).default(4),
  partRows: z.coerce.number({ message: '--part-rows must be a number' }).int().min(1).optional(),
  glueDatabase: z.string().regex(GLUE_NAME, '--glue-database must be a Glue database name (a-z, 0-9, _)').optional(),
  glueTablePrefix: z.string().regex(GLUE_NAME, '--glue-table-prefix may hold a-z, 0-9 and _ only').optional(),
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

/** Validates `run` options into the shared run input plus driver settings; bad values name the option. */
export function parseRunOptions(raw: RawRunOptions): RunCliOptions {
  const input = parseRunInput({
    mode: raw.mode ?? 'full',
    objects: parseObjectList(raw.objects),
    ...(raw.since !== undefined ? { since: raw.since } : {}),
    ...(raw.until !== undefined ? { until: raw.until } : {}),
  });
  const result = CliOptionsSchema.safeParse(raw);
  if (!result.success) throw new InvalidInputError(`invalid options: ${describeIssues(result.error.issues)}`);
  const { glueDatabase, glueTablePrefix, out } = result.data;
  if (glueTablePrefix !== undefined && !glueDatabase) {
    throw new InvalidInputError('invalid options: --glue-table-prefix needs --glue-database');
  }
  if (glueDatabase && !out.startsWith('s3://')) {
    throw new InvalidInputError(
      'invalid options: --glue-database needs --out s3://bucket/prefix (Glue tables point at S3)',
    );
  }
  return { ...result.data, input };
}
