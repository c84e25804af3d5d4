/**
 * The engine in a process of its own, for scenarios that kill it (SIGKILL) and start it again: the CLI's local
 * driver against the parent's simulator and S3. The key comes in HUBSPOT_SERVICE_KEY as the CLI takes it, the rest
 * as JSON in CHAOS_CHILD. Prints `progress <object> <pages>` after every page and `result <json>` at the end.
 *
 *   CHAOS_CHILD='{"hubspotUrl":...,"s3":{...},"location":...,"input":{...}}' node --import tsx engine-child.ts
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { envKeyProvider } from '../../lib/hubspot';
import { createSyncRuntime } from '../../lib/sync/create-deps';
import type { SyncSettings } from '../../lib/sync/deps';
import { runLocally } from '../../lib/sync/local-driver';
import { parseRunInput } from '../../lib/sync/run-input';

export interface ChildConfig {
  hubspotUrl: string;
  s3: S3ClientConfig;
  location: string;
  input: Record<string, unknown>;
  settings: Partial<SyncSettings>;
  /** Scratch folder (the parent removes it: a killed process cannot). */
  workDir: string;
  /** Resume this run (as a retried execution does); default a new run. */
  runId?: string;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.CHAOS_CHILD ?? '{}') as ChildConfig;
  const s3Client = new S3Client(config.s3);
  const runtime = await createSyncRuntime({
    keyProvider: envKeyProvider(),
    location: config.location,
    baseUrl: config.hubspotUrl,
    s3Client,
    workDir: config.workDir,
    log: { info: () => undefined, warn: (message) => process.stderr.write(`warn: ${message}\n`) },
    settings: config.settings,
    onProgress: (event) => process.stdout.write(`progress ${event.object} ${event.pages}\n`),
  });
  try {
    const result = await runLocally(runtime.deps, parseRunInput(config.input), {
      runId: config.runId,
      depsFor: () => ({ ...runtime.deps, client: runtime.newClient() }),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / 60)),
    });
    process.stdout.write(`result ${JSON.stringify(result)}\n`);
  } finally {
    await runtime.close();
    s3Client.destroy();
  }
}

void main();
