import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HubSpotS3SyncStack } from '../../../cdk/stack';
import { startSimulator, type Simulator } from '../../../sim';
import { serveAwsJson, type AwsJsonServer } from '../../helpers/aws-json-server';
import { FakeGlue } from '../../helpers/fake-glue';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver';
import { SECRET_ARN } from '../../helpers/stack';
import { FAST_LIMITS } from '../../helpers/sync-harness';

const run = promisify(execFile);

interface Bundles {
  /** Asset folder of each function, by the function's name (plan, syncstep, finalize). */
  dirs: Record<string, string>;
  /** Each function's environment as the template sets it (tokens left as objects). */
  environments: Record<string, Record<string, unknown>>;
}

/** Synthesizes the stack with bundling, as `cdk deploy` does: esbuild, then DuckDB installed for linux-x64. */
function synthBundles(outdir: string): Bundles {
  const app = new App({ outdir });
  const stack = new HubSpotS3SyncStack(app, 'Bundled', {
    serviceKeySecret: SECRET_ARN,
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function', {
    Properties: { Runtime: 'nodejs24.x' },
  });
  const bundles: Bundles = { dirs: {}, environments: {} };
  for (const [logicalId, fn] of Object.entries(functions)) {
    const name = /^Worker(plan|syncstep|finalize)[0-9A-F]{8}$/.exec(logicalId)?.[1];
    if (!name) throw new Error(`unexpected function ${logicalId}`);
    // The uploaded object is `<asset hash>.zip` of the staged folder `asset.<asset hash>`.
    bundles.dirs[name] = join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    bundles.environments[name] = fn.Properties.Environment.Variables;
  }
  return bundles;
}

/**
 * The deployable packages themselves: each function bundled by the stack's own NodejsFunction settings, loaded in
 * a plain Node 24 process and run through a sync against the simulator, s3rver, a Glue fake, and an AWS JSON fake
 * for Secrets Manager and EventBridge (neither can run here).
 */
describe('Lambda packages: the bundles cdk deploy uploads run a sync', () => {
  let outdir: string;
  let bundles: Bundles;
  let sim: Simulator;
  let s3: S3rverHandle;
  let glue: FakeGlue;
  let glueServer: AwsJsonServer;
  let aws: AwsJsonServer;
  const secretReads: string[] = [];
  const events: { DetailType: string; Detail: string }[] = [];

  beforeAll(async () => {
    outdir = await mkdtemp(join(tmpdir(), 'hs3-bundles-'));
    bundles = synthBundles(outdir);
    sim = await startSimulator({ seed: 11, scale: 'tiny', rateLimit: FAST_LIMITS });
    s3 = await startS3rver({ bucket: 'lake' });
    glue = new FakeGlue();
    glueServer = await glue.listen();
    aws = await serveAwsJson((target, input) => {
      if (target === 'secretsmanager.GetSecretValue') {
        secretReads.push(String(input.SecretId));
        return {
          ARN: SECRET_ARN,
          Name: 'hubspot/service-key',
          SecretString: JSON.stringify({ serviceKey: sim.serviceKey }),
        };
      }
      if (target === 'AWSEvents.PutEvents') {
        const entries = input.Entries as { DetailType: string; Detail: string }[];
        events.push(...entries);
        return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `event-${i}` })) };
      }
      throw Object.assign(new Error(`this fake does not answer ${target}`), { name: 'UnknownOperationException' });
    });
  }, 240_000);
  afterAll(async () => {
    await Promise.all([aws?.close(), glueServer?.close(), s3?.close(), sim?.close()]);
    await rm(outdir, { recursive: true, force: true });
  });

  it('packages DuckDB for linux-x64 beside each bundle, and the AWS SDK inside it', async () => {
    for (const dir of Object.values(bundles.dirs)) {
      const manifest = JSON.parse(
        await readFile(join(dir, 'node_modules', '@duckdb', 'node-bindings-linux-x64', 'package.json'), 'utf8'),
      );
      expect(manifest).toMatchObject({ os: ['linux'], cpu: ['x64'] });
      const code = await readFile(join(dir, 'index.js'), 'utf8');
      // Only the SDK's optional CRT signer (SigV4a, tried inside a try) may stay outside.
      const outside = (code.match(/require\("@aws-sdk\/[^"]*"\)/g) ?? []).filter(
        (r) => !r.includes('signature-v4-crt'),
      );
      expect(outside).toEqual([]);
    }
  });

  it('exports through plan, sync-step and finalize from their bundles, configured by environment alone', async () => {
    // The stack's environment, with the bucket's token given its value here; then the endpoints of this machine.
    const stackEnv: Record<string, string> = {};
    for (const variables of Object.values(bundles.environments)) {
      for (const [name, value] of Object.entries(variables))
        stackEnv[name] = typeof value === 'string' ? value : 'lake';
    }
    expect(Object.keys(stackEnv).sort()).toEqual([
      'EVENT_BUS_NAME',
      'GLUE_DATABASE',
      'HUBSPOT_API_VERSION',
      'OBJECT_PARALLELISM',
      'OUTPUT_BUCKET',
      'OUTPUT_PREFIX',
      'PARALLEL_OBJECTS',
      'POWERTOOLS_SERVICE_NAME',
      'SERVICE_KEY_SECRET_ID',
    ]);
    const env = {
      PATH: process.env.PATH,
      ...stackEnv,
      HUBSPOT_API_URL: sim.url,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_GLUE: glueServer.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: aws.endpoint,
    };
    const resultFile = join(outdir, 'result.json');
    const input = JSON.stringify({ mode: 'full', objects: ['companies', 'owners'] });
    const driver = join(__dirname, '..', '..', 'helpers', 'bundled-run.ts');
    const { dirs } = bundles;
    const { stdout, stderr } = await run(
      process.execPath,
      [driver, dirs.plan, dirs.syncstep, dirs.finalize, input, resultFile],
      {
        env,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const result = JSON.parse(await readFile(resultFile, 'utf8'));

    const companies = sim.oracle.count('companies') + sim.oracle.count('companies', { archived: true });
    expect(result.outcome.ok).toBe(true);
    expect(result.results.map((r: { object: string; rows: number }) => [r.object, r.rows])).toEqual([
      ['companies', companies],
      ['owners', sim.oracle.owners().length + sim.oracle.owners({ archived: true }).length],
    ]);
    expect(events.map((e) => [e.DetailType, JSON.parse(e.Detail).dataset])).toEqual(
      expect.arrayContaining([
        ['Snapshot Completed', 'companies'],
        ['Snapshot Completed', 'owners'],
      ]),
    );
    const latest = await s3.client.send(
      new GetObjectCommand({ Bucket: 'lake', Key: 'hubspot/_latest/companies.json' }),
    );
    expect(JSON.parse(await latest.Body!.transformToString())).toMatchObject({ runId: result.plan.runId });
    expect([...glue.tables.keys()]).toEqual(expect.arrayContaining(['hubspot.companies', 'hubspot.owners']));
    expect(new Set(secretReads)).toEqual(new Set([SECRET_ARN]));
    expect(`${stdout}\n${stderr}`).not.toContain(sim.serviceKey);
  });
});
