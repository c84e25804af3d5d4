import {
  envKeyProvider,
  secretsManagerKeyProvider,
  DEFAULT_KEY_VARIABLE,
  KEY_KINDS,
  type ServiceKeyProvider,
} from '../hubspot';
import { archivedListSettings } from '../sync/archived-sweep';
import { createSyncRuntime } from '../sync/create-deps';
import { HASH_KEY_VARIABLE } from '../sync/hash-key';
import type { RunResult } from '../sync/finalize';
import { runLocally } from '../sync/local-driver';
import { PlanStoppedError } from '../sync/plan';
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

/**
 * The hash key source of a run that hashes properties: Secrets Manager with --hash-key-secret-id, else the
 * environment variable; never the command line, where the key would land in shell history and process lists.
 */
export function hashKeyProviderFor(
  options: Pick<RunCliOptions, 'hashProperties' | 'hashKeySecretId'>,
  io: CliIo,
): ServiceKeyProvider | undefined {
  if (!options.hashProperties?.length) return undefined;
  if (options.hashKeySecretId) {
    return secretsManagerKeyProvider({ secretId: options.hashKeySecretId, kind: KEY_KINDS.hash });
  }
  if (!io.env[HASH_KEY_VARIABLE]) {
    throw new InvalidInputError(
      `--hash-properties needs a hash key: set ${HASH_KEY_VARIABLE} or pass --hash-key-secret-id <Secrets Manager secret id>`,
    );
  }
  return envKeyProvider(io.env, HASH_KEY_VARIABLE, KEY_KINDS.hash);
}

/** Exit codes of a run stopped by a signal, as a shell reports a process killed by it (128 + its number). */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT;

/**
 * The first Ctrl-C (or SIGTERM) stops the run cleanly: each object finishes the part it is writing, finalize
 * publishes the objects already complete, removes the others' parts and releases every lease, so the next run
 * can start at once. A second one quits at once (the leases then lapse after their time-to-live).
 */
function stopOnSignals(io: CliIo): { signal: AbortSignal; exitCode(): number | undefined; dispose(): void } {
  const source = io.signals ?? process;
  const controller = new AbortController();
  let received: StopSignal | undefined;
  const listeners = Object.fromEntries(
    (Object.keys(SIGNAL_EXIT) as StopSignal[]).map((name) => [name, () => onSignal(name)]),
  ) as Record<StopSignal, () => void>;
  const dispose = () => {
    for (const [name, listener] of Object.entries(listeners)) source.off(name, listener);
  };
  const onSignal = (name: StopSignal) => {
    if (received) {
      dispose();
      // The default action (the process ends); an injected source (tests) has none.
      if (source === process) process.kill(process.pid, name);
      return;
    }
    received = name;
    writeLine(
      io.stderr,
      `${name}: stopping after the parts being written; publishing what is complete and releasing the leases ` +
        `(${name} again quits at once)`,
    );
    controller.abort();
  };
  for (const [name, listener] of Object.entries(listeners)) source.on(name, listener);
  return { signal: controller.signal, exitCode: () => received && SIGNAL_EXIT[received], dispose };
}

/** Runs an export in-process with progress, prints the summary, and returns the exit code. */
export async function exportAndReport(
  options: RunCliOptions,
  keyProvider: ServiceKeyProvider,
  io: CliIo,
  hashKey?: ServiceKeyProvider,
): Promise<{ code: number; result?: RunResult }> {
  const reporter = createProgressReporter(io);
  const runtime = await createSyncRuntime({
    keyProvider,
    location: options.out,
    baseUrl: options.hubspotUrl,
    log: reporter.logger,
    onProgress: (event) => reporter.update(event),
    client: { apiVersion: options.apiVersion },
    settings: {
      slicesPerObject: options.objectParallelism,
      ...archivedListSettings(options.listArchivedEvery, options.listArchivedAtMostEvery),
      ...(options.partRows ? { partRows: options.partRows } : {}),
      ...(options.associations ? { associationPairs: options.associations } : {}),
      ...(options.excludeProperties ? { excludeProperties: options.excludeProperties } : {}),
      ...(options.hashProperties ? { hashProperties: options.hashProperties } : {}),
    },
    ...(hashKey ? { hashKey } : {}),
    ...(options.glueDatabase ? { glue: { database: options.glueDatabase, tablePrefix: options.glueTablePrefix } } : {}),
  });
  const stop = stopOnSignals(io);
  let result: RunResult;
  try {
    result = await runLocally(runtime.deps, options.input, {
      concurrency: options.concurrency,
      depsFor: () => ({ ...runtime.deps, client: runtime.newClient() }),
      signal: stop.signal,
    });
  } catch (error) {
    // Ctrl-C while planning: nothing to summarize.
    if (!(error instanceof PlanStoppedError)) throw error;
    writeLine(io.stderr, error.message);
    return { code: stop.exitCode() ?? SIGNAL_EXIT.SIGINT };
  } finally {
    stop.dispose();
    reporter.stop();
    await runtime.close();
  }
  const failures = failureLines(result);
  writeLine(options.json ? io.stderr : io.stdout, textSummary(result));
  for (const line of failures) writeLine(io.stderr, line);
  if (options.json) writeLine(io.stdout, JSON.stringify(jsonSummary(result)));
  return { code: stop.exitCode() ?? (failures.length ? 1 : 0), result };
}

/** `hubspot-s3-sync run`. */
export async function runCommand(raw: RawRunOptions, io: CliIo): Promise<number> {
  const options = parseRunOptions(raw);
  const { code } = await exportAndReport(options, keyProviderFor(options, io), io, hashKeyProviderFor(options, io));
  return code;
}
