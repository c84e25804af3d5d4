import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../lib/cli/main';
import { clearSecretCache } from '../../../lib/hubspot';
import { openDuckDb, type DuckDb } from '../../../lib/parquet';
import { startSimulator, type Simulator } from '../../../sim';
import { serveAwsJson } from '../../helpers/aws-json-server';
import { captureIo } from '../../helpers/cli-io';
import { FAST_LIMITS, parquetList } from '../../helpers/sync-harness';

const KEY = 'f00dfeed'.repeat(8);
const hmac = (text: string) => createHmac('sha256', KEY).update(text, 'utf8').digest('hex');

const run = (args: string[], env: NodeJS.ProcessEnv) => {
  const io = captureIo(env);
  return main(['node', 'hubspot-s3-sync', ...args], io).then((code) => ({ code, out: io.out(), err: io.err() }));
};

describe('CLI: run --exclude-properties / --hash-properties', () => {
  let sim: Simulator;
  let db: DuckDb;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 3, scale: 'tiny', rateLimit: FAST_LIMITS });
    db = await openDuckDb();
  });
  afterAll(async () => {
    await db.close();
    await sim.close();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hs3-cli-'));
    env = { HUBSPOT_SERVICE_KEY: sim.serviceKey };
    sim.log.reset();
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const base = () => ['run', '--hubspot-url', sim.url, '--objects', 'contacts', '--out', join(dir, 'out')];

  /** The published contacts snapshot: its manifest and its rows' ids and emails. */
  async function publishedContacts() {
    const out = join(dir, 'out');
    const latest = JSON.parse(await readFile(join(out, '_latest', 'contacts.json'), 'utf8'));
    const manifest = JSON.parse(await readFile(latest.manifest, 'utf8'));
    const files = (manifest.entries as { url: string }[]).map((e) => e.url);
    const rows = await db.query<{ id: string; email: string | null }>(
      `SELECT id, email FROM read_parquet(${parquetList(files)}) ORDER BY id::BIGINT`,
    );
    return { manifest, rows };
  }
  const expectedEmails = () =>
    [...sim.oracle.records('contacts'), ...sim.oracle.records('contacts', { archived: true })]
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((r) => ({
        id: r.id,
        email: r.properties.email === null ? null : hmac(r.properties.email.trim().toLowerCase()),
      }));

  it('hashes with the key of HUBSPOT_S3_SYNC_HASH_KEY and leaves the excluded ones out, printing neither', async () => {
    const result = await run(
      [...base(), '--exclude-properties', 'contacts.phone,contacts.mobilephone', '--hash-properties', 'contacts.email'],
      { ...env, HUBSPOT_S3_SYNC_HASH_KEY: KEY },
    );
    expect(result.err).not.toContain('error');
    expect(result.code).toBe(0);
    const { manifest, rows } = await publishedContacts();
    expect(manifest.excludedProperties).toEqual(['phone', 'mobilephone']);
    expect(rows).toEqual(expectedEmails());
    expect(result.out + result.err).not.toContain(KEY);
  });

  it('reads the key from Secrets Manager with --hash-key-secret-id', async () => {
    const reads: unknown[] = [];
    const aws = await serveAwsJson((target, input) => {
      reads.push([target, input.SecretId]);
      return { ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:hubspot/hash-key', SecretString: KEY };
    });
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    clearSecretCache();
    try {
      const result = await run(
        [...base(), '--hash-properties', 'contacts.email', '--hash-key-secret-id', 'hubspot/hash-key'],
        env,
      );
      expect(result.code).toBe(0);
      expect(reads).toEqual([['secretsmanager.GetSecretValue', 'hubspot/hash-key']]);
      expect((await publishedContacts()).rows).toEqual(expectedEmails());
      expect(result.out + result.err).not.toContain(KEY);
    } finally {
      process.env = saved;
      clearSecretCache();
      await aws.close();
    }
  });

  it.each([
    [
      ['--hash-properties', 'contacts.email'],
      'error: --hash-properties needs a hash key: set HUBSPOT_S3_SYNC_HASH_KEY or pass --hash-key-secret-id <Secrets Manager secret id>\n',
    ],
    [
      ['--hash-key-secret-id', 'hubspot/hash-key'],
      'error: invalid options: --hash-key-secret-id: needs --hash-properties (the properties it hashes)\n',
    ],
    [
      ['--exclude-properties', 'contacts'],
      'error: invalid options: --exclude-properties: must be object.property entries separated by commas (object.prefix* ' +
        'for every property starting with prefix), such as contacts.email,contacts.phone,notes.hs_note_body, or none; ' +
        '"contacts" is not one\n',
    ],
  ])('exits 2 before any request for %j', async (args, err) => {
    const result = await run([...base(), ...args], env);
    expect(result).toEqual({ code: 2, out: '', err });
    expect(sim.log.total()).toBe(0);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('exits 2 naming an unknown property with the closest real name, writing nothing', async () => {
    const result = await run([...base(), '--exclude-properties', 'contacts.phonee'], env);
    expect(result).toEqual({
      code: 2,
      out: '',
      err:
        'error: sensitive properties: excluded property contacts.phonee: contacts has no property phonee ' +
        '(did you mean phone?)\n',
    });
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
