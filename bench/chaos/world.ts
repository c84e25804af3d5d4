/**
 * One scenario's world: a simulated portal over HTTP, S3 (s3rver behind a fault proxy), the key in a Secrets
 * Manager secret, the engine's runtime, and both drivers: the CLI's local driver and the deployed state machine
 * (its synthesized definition run by aws-local-stepfunctions, calling the three Lambda handlers).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubSpotClientOptions } from '../../lib/hubspot';
import type { SyncRuntime } from '../../lib/sync/create-deps';
import type { SyncSettings } from '../../lib/sync/deps';
import type { CompletionEvent } from '../../lib/sync/events';
import type { LocalRunOptions } from '../../lib/sync/local-driver';
import type { RunResult } from '../../lib/sync/types';
import type { Simulator, SimulatorOptions } from '../../sim';
import { makeSyncStepHandler } from '../../functions/sync-step';
import { deployedRunner, type DeployedRunner, type Handlers } from '../../test/helpers/deployed-run';
import { startHarness, type Harness } from '../../test/helpers/sync-harness';
import { startS3Store, type S3Store } from './s3-store';
import { startSecretStore, type SecretStore } from './secret-store';

/** A portal and how the engine is set up against it. */
export interface Portal {
  readonly name: string;
  readonly sim: SimulatorOptions;
  readonly objects: readonly string[];
  readonly settings?: Partial<SyncSettings>;
  readonly client?: Partial<HubSpotClientOptions>;
}

/** Limits scaled down from HubSpot's (190 per 10 s, search 5/s) so a run takes seconds, with the same shape. */
export const CHAOS_LIMITS = { maxPerWindow: 60, windowMs: 1000, searchPerSecond: 10, daily: 1_000_000 } as const;

/** Every call answers after about 10 ms: enough for requests to overlap, as they do against HubSpot. */
export const CHAOS_LATENCY = { baseMs: 10, perKbMs: 0, jitter: 0.5 } as const;

/** Several parts per object, so that a crash lands between checkpoints. */
export const CHAOS_SETTINGS: Partial<SyncSettings> = { partRows: 500 };

/**
 * Work each deployed sync-step does before its deadline margin (a Lambda has 15 minutes, 14 of them work): long
 * enough for several pages, short enough that every object takes several invocations.
 */
export const DEPLOYED_STEP_WORK_MS = 250;

/** The sync-step handler as Step Functions invokes it, with `remainingMs()` left in each invocation. */
export const deployedStep =
  (runtime: SyncRuntime, remainingMs: () => number) =>
  (event: unknown): Promise<unknown> =>
    makeSyncStepHandler(async () => runtime)(event, { getRemainingTimeInMillis: remainingMs });

/** Step retries wait 1/60 of the deployed backoff (30 s, 60 s, 120 s become 0.5 s, 1 s, 2 s). */
export const STEP_RETRY_SCALE = 60;

export const PORTALS = {
  /** 2,000 contacts (40 custom properties), 333 companies, 500 deals: whole pages from the list endpoint. */
  narrow: {
    name: 'narrow',
    sim: { seed: 7, scale: 2000, customProperties: { contacts: 40 } },
    objects: ['contacts', 'companies', 'deals'],
  },
  /** 250 contacts with 600 properties (ids listed, records batch-read, split URL chunks), 80 companies. */
  wide: { name: 'wide', sim: { seed: 11, scale: 'tiny' }, objects: ['contacts', 'companies'] },
  /** 10,600 contacts, 10,050 of them modified on one millisecond (a bulk update). */
  sameMillisecond: {
    name: 'same-millisecond',
    sim: {
      seed: 5,
      scale: 10_600,
      customProperties: { contacts: 6 },
      sameMillisecond: { objectType: 'contacts', count: 10_050 },
    },
    objects: ['contacts'],
    settings: { partRows: 5000 },
  },
} as const satisfies Record<string, Portal>;

export type RunInputLike = { mode: string; objects: readonly string[] | 'all'; since?: string; until?: string };

export interface World {
  readonly portal: Portal;
  readonly h: Harness;
  readonly sim: Simulator;
  readonly s3: S3Store;
  readonly secret: SecretStore;
  /** The output root, `s3://lake/hubspot`. */
  readonly location: string;
  /** A scratch folder of the scenario's own (copies of published parts), apart from the engine's. */
  readonly scratch: string;
  /** A run through the CLI's local driver; its step retries wait STEP_RETRY_SCALE times less than deployed. */
  runCli(input: RunInputLike, options?: LocalRunOptions): Promise<RunResult>;
  /** The deployed state machine against this world (built on first use). */
  deployed(): DeployedRunner;
  /**
   * One deployed execution; each sync-step invocation has DEPLOYED_STEP_WORK_MS of work before its margin unless
   * `handlers.step` says otherwise.
   */
  executeDeployed(input: RunInputLike, handlers?: Handlers): ReturnType<DeployedRunner['execute']>;
  /** Completion events the deployed finalize sent so far. */
  deployedEvents(): CompletionEvent[];
  /** API calls the simulator logged, except those `exclude` names (another process's, say). */
  requests(): number;
  /** Paths of requests that are not the engine's (a second process spending the same key). */
  exclude: RegExp | undefined;
  close(): Promise<void>;
}

export interface WorldOptions {
  /** Overrides of the portal's simulator options (limits, latency, a different seed). */
  sim?: Partial<SimulatorOptions>;
  settings?: Partial<SyncSettings>;
  client?: Partial<HubSpotClientOptions>;
  /** Seed of the S3 proxy's fault draws. */
  seed?: number;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts a world for `portal`; close() stops everything and removes every folder it made. */
export async function startWorld(portal: Portal, options: WorldOptions = {}): Promise<World> {
  const s3 = await startS3Store({ bucket: 'lake', seed: options.seed });
  const secret = await startSecretStore();
  const scratch = await mkdtemp(join(tmpdir(), 'chaos-scratch-'));
  const location = 's3://lake/hubspot';
  const h = await startHarness({
    sim: { rateLimit: CHAOS_LIMITS, latency: CHAOS_LATENCY, ...portal.sim, ...options.sim },
    location,
    s3Client: s3.client,
    keyProvider: (sim) => {
      secret.value = sim.serviceKey;
      return secret.provider();
    },
    deps: {
      settings: { ...CHAOS_SETTINGS, ...portal.settings, ...options.settings },
      client: { ...portal.client, ...options.client },
    },
  });
  let runner: DeployedRunner | undefined;
  const world: World = {
    portal,
    h,
    sim: h.sim,
    s3,
    secret,
    location,
    scratch,
    exclude: undefined,
    runCli: (input, runOptions) =>
      h.run(input as Record<string, unknown>, { sleep: (ms) => wait(ms / STEP_RETRY_SCALE), ...runOptions }),
    deployed: () => (runner ??= deployedRunner(async () => h.runtime)),
    deployedEvents: () => runner?.published ?? [],
    executeDeployed: (input, handlers = {}) =>
      world.deployed().execute(input as unknown as Parameters<DeployedRunner['execute']>[0], {
        step: deployedStep(h.runtime, () => h.runtime.deps.settings.deadlineMarginMs + DEPLOYED_STEP_WORK_MS),
        ...handlers,
      }),
    requests: () => {
      const exclude = world.exclude;
      return exclude ? h.sim.log.entries().filter((e) => !exclude.test(e.path)).length : h.sim.log.total();
    },
    async close() {
      await h.close();
      await secret.close();
      await s3.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };
  return world;
}
