import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { logger } from '../../functions/runtime';
import { main } from '../../lib/cli/main';
import { clearSecretCache } from '../../lib/hubspot/service-key';
import { openTarget } from '../../lib/store/open-target';
import type { StorageTarget } from '../../lib/store/target';
import { startSimulator, type Simulator } from '../../sim';
import { deployedStep, startWorld, CHAOS_LIMITS, PORTALS, type World } from '../../bench/chaos/world';
import { startS3Store, type S3Store } from '../../bench/chaos/s3-store';
import { startSecretStore, type SecretStore } from '../../bench/chaos/secret-store';
import { captureIo } from '../helpers/cli-io';

/** Everything written to this process's stdout and stderr while `fn` runs (Powertools' JSON logs go there). */
async function capturingStdio<T>(fn: () => Promise<T>): Promise<{ value: T; text: string }> {
  const chunks: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return true;
    }),
  );
  try {
    return { value: await fn(), text: chunks.join('') };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** Every JSON object the run left in the bucket (state, plans, leases, manifests, pointers), as text. */
async function storedJson(target: StorageTarget): Promise<string> {
  const keys = (await target.list('')).map((o) => o.key).filter((key) => key.endsWith('.json'));
  const bodies = await Promise.all(keys.map(async (key) => `${key}: ${(await target.getObject(key))?.toString()}`));
  return bodies.join('\n');
}

/** Files under `dir` (DuckDB's own spill folder aside), relative to it. */
async function scratchFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .filter((file) => !file.startsWith('duckdb'));
}

/** Which of `keys` appear in `text` (by position in the list, never the key itself). */
const leaked = (text: string, keys: readonly string[]) =>
  keys.map((key, i) => (key.length >= 8 && text.includes(key) ? `key #${i}` : undefined)).filter(Boolean);

/** Rotates the secret's key once the simulator has answered `after` requests; the old key expires at once. */
function rotateAfter(sim: Simulator, secret: SecretStore, after: number): { stop(): void; rotated(): boolean } {
  let rotated = false;
  const timer = setInterval(() => {
    if (rotated || sim.log.total() < after) return;
    rotated = true;
    secret.value = sim.keys.rotate(secret.value, { expireOldAfterMs: 0 });
  }, 5);
  return { stop: () => clearInterval(timer), rotated: () => rotated };
}

describe('Security: the service key appears in no log line, error, event or summary', () => {
  describe('the CLI reading the key from Secrets Manager (--secret-id)', () => {
    let sim: Simulator;
    let s3: S3Store;
    let secret: SecretStore;
    const saved = { ...process.env };

    beforeAll(async () => {
      sim = await startSimulator({ seed: 7, scale: 600, customProperties: { contacts: 20 }, rateLimit: CHAOS_LIMITS });
      s3 = await startS3Store({ bucket: 'lake', seed: 3 });
      secret = await startSecretStore();
      // The SDK clients the CLI builds read their endpoints and credentials from the environment.
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secret.endpoint,
        // s3rver's credentials; the loopback Secrets Manager takes any.
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_REGION: 'us-east-1',
      });
    });
    afterAll(async () => {
      process.env = saved;
      await secret?.close();
      await s3?.close();
      await sim?.close();
    });

    it('keeps every key it was given out of its output and the bucket, through faults, a rotation and refusals', async () => {
      // Prepare: HubSpot and S3 fail a share of requests; the key is rotated (old one expired at once) mid-run.
      secret.value = sim.serviceKey;
      sim.faults.add({ kind: 503, times: 3 });
      sim.faults.add({ kind: 'truncate', rate: 0.05 });
      sim.faults.add({ kind: 'reset', rate: 0.05 });
      s3.fail({ kind: 'slowdown', method: 'PUT', key: /\/snapshots\//, rate: 0.2 });
      const rotation = rotateAfter(sim, secret, 12);
      const cli = (args: string[]) => {
        // Each run a process of its own: nothing of the last run's secret cached.
        clearSecretCache();
        const io = captureIo({ ...process.env });
        const argv = ['node', 'hubspot-s3-sync', 'run', '--hubspot-url', sim.url, '--out', 's3://lake/hubspot'];
        return main([...argv, '--secret-id', secret.secretId, '--json', ...args], io).then((code) => ({
          code,
          text: `${io.out()}\n${io.err()}`,
        }));
      };

      // Act: a full run through every fault; then runs the key cannot make: scopes missing, revoked, garbage.
      const full = await capturingStdio(() => cli(['--objects', 'contacts,companies,deals']));
      rotation.stop();
      const refusals: { code: number; text: string }[] = [];
      const current = secret.value;
      secret.value = sim.keys.create({ scopes: ['crm.objects.contacts.read'] });
      refusals.push((await capturingStdio(() => cli(['--objects', 'contacts,deals']))).value);
      sim.keys.revoke(secret.value);
      refusals.push((await capturingStdio(() => cli(['--objects', 'contacts']))).value);
      secret.value = `{"serviceKey": "${current}`;
      refusals.push((await capturingStdio(() => cli(['--objects', 'contacts']))).value);

      // Assess: the run completed through the faults and the rotation; the refusals say why, and no key appears.
      expect(rotation.rotated()).toBe(true);
      expect(sim.faults.fired()).toBeGreaterThan(3);
      expect(full.value.code).toBe(0);
      expect(refusals.map((r) => r.code)).toEqual([1, 1, 1]);
      expect(refusals[0].text).toContain('deals not exported: missing scope crm.objects.deals.read');
      // The rejected key and the secret that does not parse are named by the secret they came from.
      for (const refusal of refusals.slice(1)) expect(refusal.text).toContain(`secret ${secret.secretId}`);
      const said = [full.text, full.value.text, ...refusals.map((r) => r.text)].join('\n');
      const bucket = await storedJson(openTarget('s3://lake/hubspot', { s3Client: s3.client }));
      // The first key, the rotated one, the narrow one, and the garbage holding the rotated one.
      expect(secret.history).toHaveLength(4);
      expect({ output: leaked(said, secret.history), bucket: leaked(bucket, secret.history) }).toEqual({
        output: [],
        bucket: [],
      });
    });
  });

  describe('the deployed functions reading the key from Secrets Manager', () => {
    let w: World;
    beforeAll(async () => {
      w = await startWorld(PORTALS.narrow, { seed: 5 });
      logger.setLogLevel('DEBUG');
    });
    afterAll(async () => {
      logger.setLogLevel('SILENT');
      await w?.close();
    });

    it('logs, fails and announces without a key, and leaves no spool or part on disk after any step', async () => {
      // Prepare: faults on both sides, one step killed after an upload, the key rotated and expired at once.
      w.sim.faults.add({ kind: 'html-502', times: 2 });
      w.sim.faults.add({ kind: 'malformed', rate: 0.05 });
      w.s3.fail({ kind: 'internal', method: 'PUT', key: /\/snapshots\/deals\//, times: 3 });
      let uploads = 0;
      w.h.deps.hooks = {
        afterPartUpload: () => {
          uploads += 1;
          if (uploads === 2)
            throw Object.assign(new Error('Runtime exited: signal: killed'), { name: 'Runtime.ExitError' });
        },
      };
      const rotation = rotateAfter(w.sim, w.secret, 15);
      const leftAfterStep: string[][] = [];
      const errors: unknown[] = [];
      const real = deployedStep(w.h.runtime, () => w.h.deps.settings.deadlineMarginMs + 250);
      const step = async (event: unknown) => {
        try {
          return await real(event);
        } catch (error) {
          errors.push(error);
          throw error;
        } finally {
          // This step's own scratch folder: the others' steps run meanwhile (the Map runs objects side by side).
          const { item } = event as { item: { runId: string; object: string } };
          leftAfterStep.push(await scratchFiles(join(w.h.deps.workDir, item.runId, item.object)));
        }
      };

      // Act
      const { value: execution, text: logs } = await capturingStdio(() =>
        w.executeDeployed({ mode: 'full', objects: w.portal.objects }, { step }),
      );
      rotation.stop();

      // Assess: completed; the functions logged (Powertools JSON), and nothing any of them said holds a key.
      expect(execution.error).toBeUndefined();
      expect(rotation.rotated()).toBe(true);
      expect(errors.length).toBeGreaterThanOrEqual(2);
      expect(w.s3.counts.failed).toBe(3);
      expect(logs).toContain('"service":"hubspot-s3-sync"');
      const said = [
        logs,
        ...w.h.logs,
        JSON.stringify(w.deployedEvents()),
        JSON.stringify(execution.output),
        ...errors.map((e) => `${(e as Error).name} ${(e as Error).message} ${String((e as Error).cause ?? '')}`),
      ].join('\n');
      expect(leaked(said, w.secret.history)).toEqual([]);
      expect(leaked(await storedJson(w.h.target), w.secret.history)).toEqual([]);
      // Every step, the failed ones too, removed its spools and Parquet files before it returned.
      expect(leftAfterStep.length).toBeGreaterThan(3);
      expect(leftAfterStep.filter((files) => files.length > 0)).toEqual([]);
    });
  });
});
