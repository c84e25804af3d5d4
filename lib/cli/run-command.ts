import { envKeyProvider, secretsManagerKeyProvider, DEFAULT_KEY_VARIABLE, type ServiceKeyProvider } from '../hubspot';
import { createSyncRuntime } from '../sync/create-deps';
import type { RunResult } from '../sync/finalize';
import { runLocally } from '../sync/local-driver';
import { InvalidInputError } from '../sync/run-input';
import { parseRunOptions, type RawRunOptions, type RunCliOptions } from './options';
import { writeLine, type CliIo } from './output';
import { createProgressReporter } from './progress';
import { failureLines, jsonSummary, textSummary } from './summary';

/** The key source `run` uses: Secrets Manager with --secret-id, else the environment variable. */
export function keyProviderFor(options: Pick<RunCliOptions, 'secretId'>, io: CliIo): ServiceKeyProvider {
  if (options.secretId) return secretsManagerKeyProvider({ secretId: options.secretId });
  if (!io.env[DEFAULT_KEY_VARIABLE]) {
    throw new InvalidInputError(
      `no service key: set ${DEFAULT_KEY_VARIABLE} or pass --secret-id <Secrets Manager secret id>`,
    );
  }
  return envKeyProvider(io.env);
}

/** Runs an export in-process with progress, prints the summary, and returns the exit code. */
export async function exportAndReport(
  options: RunCliOptions,
  keyProvider: ServiceKeyProvider,
  io: CliIo,
): Promise<{ code: number; result: RunResult }> {
  const reporter = createProgressReporter(io);
  const runtime = await createSyncRuntime({
    keyProvider,
    location: options.out,
    baseUrl: options.hubspotUrl,
    log: reporter.logger,
    onProgress: (event) => reporter.update(event),
    settings: options.partRows ? { partRows: options.partRows } : {},
    ...(options.glueDatabase ? { glue: { database: options.glueDatabase, tablePrefix: options.glueTablePrefix } } : {}),
  });
  let result: RunResult;
  try {
    result = await runLocally(runtime.deps, options.input, {
      concurrency: options.concurrency,
      depsFor: () => ({ ...runtime.deps, client: runtime.newClient() }),
    });
  } finally {
    reporter.stop();
    await runtime.close();
  }
  const failures = failureLines(result);
  writeLine(options.json ? io.stderr : io.stdout, textSummary(result));
  for (const line of failures) writeLine(io.stderr, line);
  if (options.json) writeLine(io.stdout, JSON.stringify(jsonSummary(result)));
  return { code: failures.length ? 1 : 0, result };
}

/** `hubspot-s3-sync run`. */
export async function runCommand(raw: RawRunOptions, io: CliIo): Promise<number> {
  const options = parseRunOptions(raw);
  const { code } = await exportAndReport(options, keyProviderFor(options, io), io);
  return code;
}
