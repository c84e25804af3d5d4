/**
 * The deployed path of the sensitive-property settings: the stack's context settings become each function's
 * environment, each function builds its runtime from that environment alone (functions/env.ts, runtime.ts), reads
 * the service key and the hash key from Secrets Manager (an AWS JSON server here, since it cannot run locally), and
 * the synthesized state machine drives the handlers against the simulator and s3rver.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFinalizeHandler } from '../../../functions/finalize';
import { readFunctionConfig } from '../../../functions/env';
import { makePlanHandler } from '../../../functions/plan';
import { createFunctionRuntime } from '../../../functions/runtime';
import { makeSyncStepHandler } from '../../../functions/sync-step';
import { clearSecretCache } from '../../../lib/hubspot';
import { openDuckDb, type DuckDb } from '../../../lib/parquet';
import { openTarget } from '../../../lib/store/open-target';
import type { SyncRuntime } from '../../../lib/sync/create-deps';
import type { CompletionEvent } from '../../../lib/sync/events';
import { startSimulator, type Simulator } from '../../../sim';
import { serveAwsJson, type AwsJsonServer } from '../../helpers/aws-json-server';
import { deployedRunner } from '../../helpers/deployed-run';
import { filesHolding, filesUnder } from '../../helpers/leak-scan';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver';
import { SECRET_ARN, synthStack } from '../../helpers/stack';
import { FAST_LIMITS, parquetList } from '../../helpers/sync-harness';

const HASH_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hubspot/hash-key-XyZ123';
const KEY = 'c0ffee'.repeat(11);
const hmac = (text: string) => createHmac('sha256', KEY).update(text, 'utf8').digest('hex');

/** Each function's environment as the template sets it, by entry name; the bucket's token given its name here. */
function functionEnvironments(template: ReturnType<typeof synthStack>): Record<string, Record<string, string>> {
  const functions = template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x' } });
  return Object.fromEntries(
    Object.entries(functions).map(([id, fn]) => {
      const name = ['plan', 'sync-step', 'finalize'].find((n) => id.startsWith(`Worker${n.replace('-', '')}`)) ?? id;
      const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
      return [
        name,
        Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : 'lake'])),
      ];
    }),
  );
}

describe('Deployed: the stack hashes and leaves out properties, the key read from Secrets Manager', () => {
  let sim: Simulator;
  let s3: S3rverHandle;
  let aws: AwsJsonServer;
  let db: DuckDb;
  let work: string;
  const runtimes: Record<string, SyncRuntime> = {};
  const secretReads: string[] = [];
  const savedEnv = { ...process.env };
  const template = synthStack({
    excludeProperties: 'contacts.phone,contacts.mobilephone',
    hashProperties: 'contacts.email',
    hashKeySecret: HASH_SECRET_ARN,
  });
  const environments = functionEnvironments(template);

  beforeAll(async () => {
    sim = await startSimulator({ seed: 13, scale: 'tiny', rateLimit: FAST_LIMITS, logProperties: true });
    s3 = await startS3rver({ bucket: 'lake' });
    aws = await serveAwsJson((target, input) => {
      if (target !== 'secretsmanager.GetSecretValue') throw new Error(`this fake does not answer ${target}`);
      secretReads.push(String(input.SecretId));
      if (input.SecretId === SECRET_ARN) return { ARN: SECRET_ARN, SecretString: sim.serviceKey };
      if (input.SecretId === HASH_SECRET_ARN)
        return { ARN: HASH_SECRET_ARN, SecretString: JSON.stringify({ hashKey: KEY }) };
      throw Object.assign(new Error('Secrets Manager can not find the specified secret.'), {
        name: 'ResourceNotFoundException',
      });
    });
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
    });
    clearSecretCache();
    db = await openDuckDb();
    work = await mkdtemp(join(tmpdir(), 'hs3-deployed-'));
    for (const [name, env] of Object.entries(environments)) {
      const config = readFunctionConfig({ ...env, HUBSPOT_API_URL: sim.url });
      runtimes[name] = await createFunctionRuntime(config, join(work, name));
    }
  }, 60_000);
  afterAll(async () => {
    for (const runtime of Object.values(runtimes)) await runtime.close();
    process.env = savedEnv;
    clearSecretCache();
    await Promise.all([db?.close(), aws?.close(), s3?.close(), sim?.close()]);
    await rm(work, { recursive: true, force: true });
  });

  it('gives plan the settings and plan and sync-step the hash secret ARN, never a key', () => {
    expect(
      Object.fromEntries(
        Object.entries(environments).map(([name, env]) => [
          name,
          [env.EXCLUDE_PROPERTIES, env.HASH_PROPERTIES, env.HASH_KEY_SECRET_ID],
        ]),
      ),
    ).toEqual({
      plan: ['contacts.phone,contacts.mobilephone', 'contacts.email', HASH_SECRET_ARN],
      'sync-step': [undefined, undefined, HASH_SECRET_ARN],
      finalize: [undefined, undefined, undefined],
    });
    expect(JSON.stringify(template.toJSON())).not.toContain(KEY);
  });

  it('exports contacts through the state machine: email hashed with the secret key, phones never requested', async () => {
    const published: CompletionEvent[] = [];
    const runner = deployedRunner(async () => runtimes.plan);
    const { output, error } = await runner.execute(
      { mode: 'full', objects: ['contacts'] },
      {
        plan: makePlanHandler(async () => runtimes.plan),
        step: (event) =>
          makeSyncStepHandler(async () => runtimes['sync-step'])(event, { getRemainingTimeInMillis: () => 60_000 }),
        finalize: makeFinalizeHandler(
          async () => runtimes.finalize,
          () => async (events) => void published.push(...events),
          () => undefined,
        ),
      },
    );
    expect(error).toBeUndefined();
    expect(output.outcome.ok).toBe(true);
    // The functions that hash read the hash key's secret; every function read the service key's.
    expect(new Set(secretReads)).toEqual(new Set([SECRET_ARN, HASH_SECRET_ARN]));

    const target = openTarget('s3://lake/hubspot', { s3Client: s3.client });
    const latest = JSON.parse(String(await target.getObject('_latest/contacts.json')));
    const manifest = JSON.parse(String(await target.getObject(`_manifests/contacts/${latest.runId}.json`)));
    expect(manifest.excludedProperties).toEqual(['phone', 'mobilephone']);
    expect(manifest.columns.filter((c: { hash?: string }) => c.hash)).toEqual([
      { name: 'email', type: 'VARCHAR', hash: 'hmac-sha256' },
    ]);
    const files: string[] = [];
    for (const [i, entry] of (manifest.entries as { url: string }[]).entries()) {
      files.push(join(work, `part-${i}.parquet`));
      await writeFile(files[i], (await target.getObject(entry.url.replace('s3://lake/hubspot/', '')))!);
    }
    const rows = await db.query<{ id: string; email: string | null }>(
      `SELECT id, email FROM read_parquet(${parquetList(files)}) ORDER BY id::BIGINT`,
    );
    const oracle = [...sim.oracle.records('contacts'), ...sim.oracle.records('contacts', { archived: true })]
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((r) => ({
        id: r.id,
        email: r.properties.email === null ? null : hmac(r.properties.email.trim().toLowerCase()),
      }));
    expect(rows).toEqual(oracle);

    const asked = sim.log.entries().filter((e) => e.path.includes('/contacts') && e.properties?.length);
    expect(asked.some((e) => e.properties?.includes('email'))).toBe(true);
    expect(asked.filter((e) => e.properties?.some((p) => p === 'phone' || p === 'mobilephone'))).toEqual([]);
    const phones = sim.oracle.records('contacts').flatMap((r) => [r.properties.phone, r.properties.mobilephone]);
    const sample = phones.find((p): p is string => typeof p === 'string' && p.length > 8);
    expect(sample).toBeDefined();
    const bucket = await filesUnder(s3.directory);
    expect(await filesHolding(db, bucket, new RegExp(sample!.replace(/[+]/g, '\\+')))).toEqual([]);
    expect(JSON.stringify(published)).not.toContain(KEY);
  }, 120_000);
});
