/**
 * The engine's dependencies for unit tests of lib/sync: a local folder as the target, a fixed clock, a log that
 * records its lines, and a HubSpot client that is handed in (a scripted one) or points nowhere. No simulator, no
 * DuckDB: a test that reaches either fails saying so.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubSpotClient } from '../../lib/hubspot/client';
import { staticKeyProvider } from '../../lib/hubspot/service-key';
import { LocalTarget } from '../../lib/store/local-target';
import { DEFAULT_SYNC_SETTINGS, type SyncDeps, type SyncSettings } from '../../lib/sync/deps';

export interface UnitDeps {
  deps: SyncDeps;
  target: LocalTarget;
  /** Lines logged, warnings prefixed `warn:`. */
  logs: string[];
  /** Moves the fixed clock. */
  setNow(now: Date): void;
}

export interface UnitDepsOptions {
  now?: Date;
  /** Called per test: a scripted client exists only once its server started (beforeAll). */
  client?: () => HubSpotClient;
  settings?: Partial<SyncSettings>;
}

/**
 * A fresh temp folder per test, removed after it.
 * @example const unit = useUnitDeps({ now: new Date('2026-03-01T00:00:00Z') }); ... await readCheckpoint(unit.deps, item);
 */
export function useUnitDeps(options: UnitDepsOptions = {}): UnitDeps {
  const unit = { logs: [] as string[] } as UnitDeps;
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'unit-deps-'));
    let now = options.now ?? new Date('2026-03-01T00:00:00.000Z');
    unit.logs.length = 0;
    unit.target = new LocalTarget(dir);
    unit.setNow = (next) => {
      now = next;
    };
    unit.deps = {
      client:
        options.client?.() ??
        new HubSpotClient({ baseUrl: 'http://127.0.0.1:9', keyProvider: staticKeyProvider('pat-na1-test') }),
      target: unit.target,
      workDir: join(dir, 'work'),
      duckdb: () => Promise.reject(new Error('unit tests of lib/sync run no DuckDB')),
      now: () => now,
      log: { info: (m) => unit.logs.push(m), warn: (m) => unit.logs.push(`warn: ${m}`) },
      settings: { ...DEFAULT_SYNC_SETTINGS, ...options.settings },
    };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  return unit;
}
