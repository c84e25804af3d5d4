import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staticKeyProvider } from '../../../lib/hubspot';
import { runPrefix } from '../../../lib/store/layout';
import type { StorageTarget } from '../../../lib/store/target';
import { StepSupersededError } from '../../../lib/sync/checkpoint';
import { createSyncRuntime, type SyncRuntime } from '../../../lib/sync/create-deps';
import type { SyncDeps } from '../../../lib/sync/deps';
import { finalizeRun } from '../../../lib/sync/finalize';
import { planRun } from '../../../lib/sync/plan';
import { parseRunInput } from '../../../lib/sync/run-input';
import { runSyncStep } from '../../../lib/sync/sync-step';
import type { StepResult, WorkItem } from '../../../lib/sync/types';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver';
import { diffAgainstOracle, fetchPublished, parquetList, startHarness, type Harness } from '../../helpers/sync-harness';

/**
 * Two sync-step invocations of one work item at once, as Step Functions makes them when it retries an invocation
 * whose first attempt goes on, each in a container of its own (its own scratch folder) against the same output.
 */

/** One page of 100 contacts per part, so that every page is a write the older invocation can be caught at. */
const SETTINGS = { partRows: 100, associationPairs: [['contacts', 'companies']] as const };
const OBJECTS = ['contacts', 'companies'];

interface Write {
  /** Order among the writes of both invocations. */
  seq: number;
  key: string;
}

/**
 * `target`, recording each write that went through (putFile, putObject) in `writes`, numbered from `counter`;
 * `before` runs ahead of each write.
 */
function recordingWrites(
  target: StorageTarget,
  writes: Write[],
  counter: { seq: number },
  before?: (key: string) => Promise<void>,
): StorageTarget {
  return new Proxy(target, {
    get(real, name, receiver) {
      if (name !== 'putFile' && name !== 'putObject') return Reflect.get(real, name, receiver);
      return async (key: string, ...rest: unknown[]) => {
        await before?.(key);
        const done = await (real[name] as (key: string, ...rest: unknown[]) => Promise<unknown>).call(
          real,
          key,
          ...rest,
        );
        writes.push({ seq: (counter.seq += 1), key });
        return done;
      };
    },
  });
}

/** Where the two invocations run: an output folder or s3rver. */
async function openOutput(kind: 'folder' | 's3'): Promise<{ location: string; s3?: S3rverHandle }> {
  if (kind === 'folder') return { location: await mkdtemp(join(tmpdir(), 'doubled-')) };
  const s3 = await startS3rver({ bucket: 'doubled' });
  return { location: `s3://doubled/${Date.now()}`, s3 };
}

/** Each scenario: when the newer invocation starts, given hooks into the older one. */
type Start =
  | 'at once'
  | 'after an upload, before its checkpoint'
  | 'while a part is being fetched'
  | 'while a part is being uploaded';

describe.each(['folder', 's3'] as const)('Sync engine: two invocations of one step at once (%s)', (kind) => {
  let h: Harness;
  let other: SyncRuntime;
  let output: { location: string; s3?: S3rverHandle };

  beforeEach(async () => {
    output = await openOutput(kind);
    h = await startHarness({
      sim: { seed: 7, scale: 500 },
      location: output.location,
      s3Client: output.s3?.client,
      deps: { settings: SETTINGS },
    });
    // The retried invocation's container: its own scratch folder, the same output and portal.
    other = await createSyncRuntime({
      keyProvider: staticKeyProvider(h.sim.serviceKey, 'test key'),
      location: output.location,
      s3Client: output.s3?.client,
      baseUrl: h.sim.url,
      log: { info: () => undefined, warn: () => undefined },
      settings: SETTINGS,
    });
  });
  afterEach(async () => {
    await other.close();
    await h.close();
    await output.s3?.close();
    if (!output.s3) await rm(output.location, { recursive: true, force: true });
  });

  it.each<{ mode: 'full' | 'compact'; start: Start }>([
    { mode: 'full', start: 'at once' },
    { mode: 'full', start: 'after an upload, before its checkpoint' },
    { mode: 'full', start: 'while a part is being fetched' },
    { mode: 'compact', start: 'at once' },
    { mode: 'compact', start: 'after an upload, before its checkpoint' },
    { mode: 'compact', start: 'while a part is being uploaded' },
  ])(
    'exports exactly the oracle in a $mode run when the second starts $start, and the superseded one writes nothing more',
    async ({ mode, start }) => {
      // Prepare: a compact run builds on a full one, with records changed since.
      if (mode === 'compact') {
        await h.run({ mode: 'full', objects: OBJECTS });
        for (const id of h.sim.oracle.ids('contacts').slice(0, 3)) {
          h.sim.admin.updateRecord('contacts', id, { firstname: 'Changed since' });
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const plan = await planRun(h.deps, parseRunInput({ mode, objects: OBJECTS }));
      const item = plan.items.find((i) => i.object === 'contacts') as WorkItem;
      const counter = { seq: 0 };
      const writes = { older: [] as Write[], newer: [] as Write[] };
      let uploading = 0;
      /** The older one's first built snapshot part waits for the newer one's claim before it goes up. */
      const beforeOlder = async (key: string) => {
        if (start === 'while a part is being uploaded' && key.startsWith('snapshots/') && (uploading += 1) === 1) {
          await startNewer();
        }
      };
      const olderDeps: SyncDeps = { ...h.deps, target: recordingWrites(h.target, writes.older, counter, beforeOlder) };
      const newerDeps: SyncDeps = {
        ...other.deps,
        client: other.newClient(),
        target: recordingWrites(other.deps.target, writes.newer, counter),
      };
      const step = (deps: SyncDeps) =>
        runSyncStep(deps, item).then(
          (result): StepResult | Error => result,
          (error: Error) => error,
        );
      let newer: Promise<StepResult | Error> | undefined;
      /** Starts the newer invocation and resolves once it has claimed the checkpoint (its first write). */
      const startNewer = async () => {
        newer = step(newerDeps);
        while (writes.newer.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      };
      let uploads = 0;
      let pages = 0;
      if (start === 'after an upload, before its checkpoint') {
        // A compact step's own snapshot parts are those it builds: the second starts after the first of them.
        const counted = (key: string) => mode === 'full' || key.startsWith('snapshots/');
        const nth = mode === 'full' ? 2 : 1;
        olderDeps.hooks = {
          afterPartUpload: async (key) => void (counted(key) && (uploads += 1) === nth && (await startNewer())),
        };
      }
      if (start === 'while a part is being fetched') {
        olderDeps.onProgress = () => void ((pages += 1) === 3 && startNewer());
      }

      // Act
      const older = step(olderDeps);
      if (start === 'at once') newer = step(newerDeps);
      const results = { older: await older, newer: await newer };
      for (const rest of plan.items.filter((i) => i !== item)) {
        while (!(await runSyncStep(h.deps, rest)).done);
      }
      const run = await finalizeRun(h.deps, plan.runId);

      // Assess: one invocation was superseded, the other finished the item.
      const superseded = results.older instanceof Error ? 'older' : 'newer';
      const carriedOn = superseded === 'older' ? 'newer' : 'older';
      if (start !== 'at once') expect(superseded).toBe('older');
      expect(results[superseded]).toBeInstanceOf(StepSupersededError);
      expect(results[carriedOn]).toEqual({ done: true, rows: expect.any(Number), parts: expect.any(Number) });
      expect(run.outcomes.filter((o) => o.status !== 'completed')).toEqual([]);

      // After the other's claim, the superseded one wrote no checkpoint, and no part under a number the other uses.
      const claimedAt = writes[carriedOn][0].seq;
      const stateKey = '_state/contacts.json';
      expect(writes[carriedOn][0].key).toBe(stateKey);
      const late = writes[superseded].filter((w) => w.seq > claimedAt).map((w) => w.key);
      const ownKeys = new Set(writes[carriedOn].map((w) => w.key));
      expect(late.filter((key) => key === stateKey || ownKeys.has(key))).toEqual([]);

      const records = await fetchPublished(h, { kind: 'snapshot', object: 'contacts' }, plan.runId);
      const diff = await diffAgainstOracle(h, 'contacts', records.files, plan.runId, { anyRunId: mode === 'compact' });
      expect({ missing: diff.missing, unexpected: diff.unexpected, duplicateIds: diff.duplicateIds }).toEqual({
        missing: 0,
        unexpected: 0,
        duplicateIds: 0,
      });
      expect(records.manifest.rows).toBe(diff.expectedRows);

      const pairs = await fetchPublished(h, { kind: 'associations', from: 'contacts', to: 'companies' }, plan.runId);
      const rows = await h.db.query<{ from_id: string; to_id: string; type_id: number }>(
        `SELECT from_id, to_id, type_id FROM read_parquet(${parquetList(pairs.files)}) ` +
          'ORDER BY from_id::BIGINT, to_id::BIGINT, type_id',
      );
      const expected = h.sim.oracle
        .associations('contacts', 'companies')
        .flatMap((a) => a.types.map((t) => ({ from_id: a.fromId, to_id: a.toId, type_id: t.typeId })))
        .sort(
          (a, b) => Number(a.from_id) - Number(b.from_id) || Number(a.to_id) - Number(b.to_id) || a.type_id - b.type_id,
        );
      expect(expected.length).toBeGreaterThan(0);
      expect(rows).toEqual(expected);

      // Whatever the superseded one uploaded and never checkpointed was removed at finalize.
      for (const table of [
        { kind: 'snapshot', object: 'contacts' },
        { kind: 'associations', from: 'contacts', to: 'companies' },
      ] as const) {
        const folder = await h.target.list(runPrefix(table, plan.snapshotDate, plan.runId));
        const published = table.kind === 'snapshot' ? records : pairs;
        expect(folder.map((o) => h.target.url(o.key)).sort()).toEqual(
          published.manifest.entries.map((e) => e.url).sort(),
        );
      }
    },
    120_000,
  );
});
