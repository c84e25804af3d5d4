import { Command, CommanderError } from 'commander';
import { version } from '../../package.json';
import { API_VERSION_NAMES, DEFAULT_API_VERSION } from '../hubspot/api-version';
import { DEFAULT_ASSOCIATION_PAIRS_TEXT } from '../sync/association-pairs';
import { HASH_KEY_VARIABLE } from '../sync/hash-key';
import { InvalidInputError } from '../sync/run-input';
import { backfillCommand } from './backfill-command';
import { demoCommand } from './demo-command';
import { writeLine, type CliIo } from './output';
import { runCommand } from './run-command';
import { simCommand } from './sim-command';

/** Exit codes: 0 every object exported, 1 something could not be exported, 2 bad input. */
export const EXIT = { ok: 0, failed: 1, invalidInput: 2 } as const;

function buildProgram(io: CliIo, setCode: (code: number) => void): Command {
  const program = new Command('hubspot-s3-sync')
    .description('Export HubSpot CRM data to Parquet on S3 or a local folder.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  program
    .command('run')
    .description('export objects to a folder or s3://bucket/prefix (key from HUBSPOT_SERVICE_KEY or --secret-id)')
    .requiredOption('--out <dir|s3://bucket/prefix>', 'where to write')
    .option('--objects <list>', 'comma-separated object types, or all', 'all')
    .option(
      '--mode <mode>',
      'full | incremental | backfill | compact (a snapshot built from the last one and the change sets since)',
      'full',
    )
    .option('--since <iso>', 'start of the last-modified window (incremental override, backfill)')
    .option('--until <iso>', 'end of the last-modified window')
    .option('--hubspot-url <url>', 'HubSpot API base URL (default https://api.hubapi.com)')
    .option('--secret-id <id>', 'Secrets Manager secret holding the service key')
    .option(
      '--concurrency <n>',
      'items exported at once (objects, and slices of large ones), sharing one rate budget',
      '4',
    )
    .option('--object-parallelism <n>', 'slices a large object is split into, exported side by side', '1')
    .option(
      '--list-archived-every <hours>',
      'incremental runs list archived records at least this often, whatever the live count says (0: every run)',
      '24',
    )
    .option(
      '--list-archived-at-most-every <hours>',
      'and, when the count says records were archived, at most this often (0: at once)',
      '0',
    )
    .option('--api-version <version>', `HubSpot API version (${API_VERSION_NAMES.join(', ')})`, DEFAULT_API_VERSION)
    .option('--part-rows <n>', 'rows per Parquet part')
    .option(
      '--associations <pairs>',
      `object pairs whose associations full runs export, from:to,... or none (default ${DEFAULT_ASSOCIATION_PAIRS_TEXT})`,
    )
    .option('--glue-database <name>', 'register each published dataset as a table in this Glue database (S3 only)')
    .option('--glue-table-prefix <prefix>', 'prefix of the Glue table names, e.g. hubspot_')
    .option(
      '--exclude-properties <list>',
      'properties never requested nor written, object.property,... (object.prefix* for a prefix)',
    )
    .option(
      '--hash-properties <list>',
      `properties written as HMAC-SHA-256 hashes, object.property,... (key from ${HASH_KEY_VARIABLE} or --hash-key-secret-id)`,
    )
    .option('--hash-key-secret-id <id>', 'Secrets Manager secret holding the hash key of --hash-properties')
    .option('--json', 'print a JSON summary as the last stdout line')
    .action(async (options) => setCode(await runCommand(options, io)));

  program
    .command('demo')
    .description('export the bundled demo portal (simulator) and query it with DuckDB')
    .option('--out <dir>', 'where to write', 'hubspot-data')
    .option('--json', 'print a JSON summary as the last stdout line')
    .action(async (options) => setCode(await demoCommand(options, io)));

  program
    .command('sim')
    .description('run the HubSpot API simulator alone and print its URL and a full-scope service key')
    .option('--port <n>', 'port (0 = any free port)', '0')
    .option('--seed <n>', 'data seed', '1')
    .option('--scale <scale>', 'tiny | demo | large | number of contacts', 'tiny')
    .option('--latency-ms <n>', 'base latency of every API answer, in ms (default 0)')
    .option('--latency-per-kb-ms <n>', 'latency per KB of an answer, in ms, e.g. 0.3 (default 0)')
    .option('--latency-jitter <f>', 'latency varies by up to this share either way, 0 to 1 (default 0)')
    .option('--search-lag-ms <n>', 'ms before a write shows in search results (default 0)')
    .option('--json', 'print {"url","serviceKey"} as the first stdout line')
    .action(async (options) => setCode(await simCommand(options, io)));

  program
    .command('backfill')
    .description('start a backfill execution of a deployed stack')
    .requiredOption('--state-machine <arn>', 'the stack state machine ARN')
    .option('--objects <list>', 'comma-separated object types, or all', 'all')
    .requiredOption('--since <iso>', 'start of the last-modified window')
    .option('--until <iso>', 'end of the window (default now)')
    .action(async (options) => setCode(await backfillCommand(options, io)));

  return program;
}

/** Turns any failure into one clear line; stack traces only with DEBUG set. */
function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.invalidInput;
  const message = error instanceof Error ? error.message : String(error);
  writeLine(io.stderr, `error: ${message}`);
  if (io.env.DEBUG && error instanceof Error && error.stack) writeLine(io.stderr, error.stack);
  return error instanceof InvalidInputError ? EXIT.invalidInput : EXIT.failed;
}

/**
 * The CLI entry point; returns the exit code instead of exiting so tests can call it.
 * @example process.exitCode = await main(process.argv);
 */
export async function main(
  argv: string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  let code: number = EXIT.ok;
  try {
    await buildProgram(io, (c) => (code = c)).parseAsync(argv);
  } catch (error) {
    code = reportError(error, io);
  }
  return code;
}
