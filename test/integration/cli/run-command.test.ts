import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../lib/cli/main';
import { LocalTarget } from '../../../lib/store/local-target';
import { acquireLease } from '../../../lib/store/lock';
import { startSimulator, type Simulator } from '../../../sim';
import { captureIo } from '../../helpers/cli-io';
import { FakeGlue } from '../../helpers/fake-glue';
import { startS3rver, type S3rverHandle } from '../../helpers/s3rver';
import { FAST_LIMITS } from '../../helpers/sync-harness';

const run = (args: string[], env: NodeJS.ProcessEnv) => {
  const io = captureIo(env);
  return main(['node', 'hubspot-s3-sync', ...args], io).then((code) => ({ code, out: io.out(), err: io.err() }));
};

describe('CLI: hubspot-s3-sync run', () => {
  let sim: Simulator;
  let dir: string;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 3, scale: 'tiny', rateLimit: FAST_LIMITS });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hs3-cli-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** Runs `fn` with s3rver (bucket `lake`) and extra variables in the SDK's environment. */
  async function withS3(fn: (s3: S3rverHandle) => Promise<void>, extraEnv: NodeJS.ProcessEnv = {}) {
    const s3 = await startS3rver({ bucket: 'lake' });
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      ...extraEnv,
    });
    try {
      await fn(s3);
    } finally {
      process.env = saved;
      await s3.close();
    }
  }

  it('exports to S3 through the SDK endpoint override and prints a JSON summary last', async () => {
    await withS3(async () => {
      const result = await run(
        ['run', '--hubspot-url', sim.url, '--objects', 'contacts,owners', '--out', 's3://lake/hubspot', '--json'],
        {
          HUBSPOT_SERVICE_KEY: sim.serviceKey,
        },
      );
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.out.trim().split('\n').pop()!);
      const contacts = summary.objects.find((o: { dataset: string }) => o.dataset === 'contacts');
      expect(contacts).toMatchObject({
        status: 'completed',
        rows: sim.oracle.count('contacts') + sim.oracle.count('contacts', { archived: true }),
        files: 2,
        retries: 0,
      });
      expect(contacts.manifest).toBe(`s3://lake/hubspot/_manifests/contacts/${summary.runId}.json`);
      expect(contacts.catalogTable).toBeUndefined();
      expect(summary.objects.map((o: { dataset: string }) => o.dataset)).toEqual([
        'contacts',
        'owners',
        'metadata.properties',
      ]);
      expect(result.out + result.err).not.toContain(sim.serviceKey);
    });
  });

  describe("with --glue-database (the SDK's Glue client against FakeGlue over HTTP)", () => {
    let glue: FakeGlue;
    let server: Awaited<ReturnType<FakeGlue['listen']>>;
    beforeEach(async () => {
      glue = new FakeGlue(['hubspot']);
      server = await glue.listen();
    });
    afterEach(() => server.close());
    const args = ['--objects', 'contacts', '--out', 's3://lake/hubspot', '--glue-database', 'hubspot', '--json'];

    it('registers each exported dataset as a table pointing at its run folder', async () => {
      await withS3(
        async () => {
          const result = await run(['run', '--hubspot-url', sim.url, ...args, '--glue-table-prefix', 'hs_'], {
            HUBSPOT_SERVICE_KEY: sim.serviceKey,
          });
          expect(result.code).toBe(0);
          const summary = JSON.parse(result.out.trim().split('\n').pop()!);
          expect(summary.objects.map((o: { catalogTable: string }) => o.catalogTable)).toEqual([
            'hubspot.hs_contacts',
            'hubspot.hs_metadata_properties',
          ]);
          expect(glue.table('hubspot', 'hs_contacts')?.input.StorageDescriptor?.Location).toBe(
            `s3://lake/hubspot/snapshots/contacts/snapshot_date=${summary.snapshotDate}/run_id=${summary.runId}/`,
          );
          expect(glue.calls).toEqual([
            'GetTableCommand',
            'CreateTableCommand',
            'GetTableCommand',
            'CreateTableCommand',
          ]);
        },
        { AWS_ENDPOINT_URL_GLUE: server.endpoint },
      );
    });

    it('exits 0 with a warning naming the table when Glue refuses: the data is exported', async () => {
      glue.failWith = 'AccessDeniedException';
      await withS3(
        async () => {
          const result = await run(['run', '--hubspot-url', sim.url, ...args], {
            HUBSPOT_SERVICE_KEY: sim.serviceKey,
          });
          expect(result.code).toBe(0);
          expect(result.err).toContain(
            'warning: contacts published, but not in the catalog: Glue table hubspot.contacts not updated: ' +
              'User is not authorized to perform this Glue action\n',
          );
          const summary = JSON.parse(result.out.trim().split('\n').pop()!);
          expect(summary.objects[0]).toMatchObject({ dataset: 'contacts', status: 'completed' });
        },
        { AWS_ENDPOINT_URL_GLUE: server.endpoint },
      );
    });
  });

  it('stops cleanly on SIGINT: exit 130, finished objects published, the rest removed and its lease released', async () => {
    const slow = await startSimulator({
      seed: 3,
      scale: 2000,
      rateLimit: { maxPerWindow: 20, windowMs: 1000, searchPerSecond: 200 },
    });
    const signals = new EventEmitter();
    const io = { ...captureIo({ HUBSPOT_SERVICE_KEY: slow.serviceKey }), signals };
    // Interrupt once two pages of contacts have been listed: the run is then well under way.
    const watcher = setInterval(() => {
      const listed = slow.log
        .entries()
        .filter((e) => e.method === 'GET' && /^\/crm\/(v3\/)?objects\/([\w-]+\/)?contacts$/.test(e.path));
      if (listed.length < 2) return;
      clearInterval(watcher);
      signals.emit('SIGINT');
    }, 5);
    try {
      const args = ['--objects', 'contacts,owners', '--out', dir, '--part-rows', '100', '--json'];
      const code = await main(['node', 'hubspot-s3-sync', 'run', '--hubspot-url', slow.url, ...args], io);
      expect(code).toBe(130);
      expect(io.err()).toContain('SIGINT: stopping after the parts being written');
      const summary = JSON.parse(io.out().trim().split('\n').pop()!);
      expect(
        summary.objects.map((o: { dataset: string; status: string; reason?: string }) => [
          o.dataset,
          o.status,
          o.reason,
        ]),
      ).toEqual([
        ['contacts', 'failed', 'interrupted before it finished'],
        ['owners', 'completed', undefined],
      ]);
      const target = new LocalTarget(dir);
      expect(await target.list('snapshots/contacts/')).toEqual([]);
      expect(await target.exists('_latest/contacts.json')).toBe(false);
      expect(await target.exists('_latest/owners.json')).toBe(true);
      const lease = JSON.parse((await target.getObject('_state/locks/contacts.json'))!.toString());
      expect(lease.releasedAt).toEqual(expect.any(String));
      expect(signals.listenerCount('SIGINT')).toBe(0);
    } finally {
      clearInterval(watcher);
      await slow.close();
    }
  });

  it('stops at once on SIGINT while planning: exit 130, no plan stored, no lease held', async () => {
    const slow = await startSimulator({ seed: 3, scale: 'tiny', rateLimit: { maxPerWindow: 4, windowMs: 1000 } });
    const signals = new EventEmitter();
    const io = { ...captureIo({ HUBSPOT_SERVICE_KEY: slow.serviceKey }), signals };
    // Interrupt on the plan's first read of property definitions: objects are still being checked.
    const watcher = setInterval(() => {
      // Any API version: /crm/v3/properties/{type} or the dated /crm/properties/{ver}/{type}.
      if (!slow.log.entries().some((e) => /^\/crm\/(v3\/)?properties\//.test(e.path))) return;
      clearInterval(watcher);
      signals.emit('SIGINT');
    }, 5);
    try {
      const args = ['--objects', 'contacts,companies,deals,tickets', '--out', dir];
      const code = await main(['node', 'hubspot-s3-sync', 'run', '--hubspot-url', slow.url, ...args], io);
      expect(code).toBe(130);
      expect(io.err()).toContain('stopped while planning: nothing was exported, and no lease is held\n');
      const target = new LocalTarget(dir);
      expect(await target.list('_state/runs/')).toEqual([]);
      for (const { key } of await target.list('_state/locks/')) {
        expect(JSON.parse((await target.getObject(key))!.toString()).releasedAt).toEqual(expect.any(String));
      }
      expect(
        slow.log
          .entries()
          // Record reads by any API version: /crm/v3/objects/{type} and the dated /crm/objects/{ver}/{type}.
          .filter(
            (e) => e.path.includes('/batch/read') || (e.method === 'GET' && /\/objects\/([\w-]+\/)?\w+$/.test(e.path)),
          ),
      ).toEqual([]);
    } finally {
      clearInterval(watcher);
      await slow.close();
    }
  });

  it('builds a compact snapshot against S3 and reports it by mode in the JSON summary', async () => {
    await withS3(async () => {
      const env = { HUBSPOT_SERVICE_KEY: sim.serviceKey };
      const args = ['run', '--hubspot-url', sim.url, '--objects', 'companies', '--out', 's3://lake/compact', '--json'];
      expect((await run(args, env)).code).toBe(0);
      const result = await run([...args, '--mode', 'compact'], env);
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.out.trim().split('\n').pop()!) as {
        objects: { dataset: string; mode: string; rows: number }[];
      };
      const rows = sim.oracle.count('companies') + sim.oracle.count('companies', { archived: true });
      expect(summary.objects.map(({ dataset, mode, rows: n }) => ({ dataset, mode, rows: n }))).toEqual(
        expect.arrayContaining([
          { dataset: 'companies', mode: 'compact', rows },
          { dataset: 'companies.merges', mode: 'compact', rows: 0 },
        ]),
      );
    });
  });

  it('exits 1 with one line naming the missing scope, after exporting the rest', async () => {
    const key = sim.keys.create({ scopes: sim.keys.allScopes().filter((s) => s !== 'crm.objects.deals.read') });
    const result = await run(['run', '--hubspot-url', sim.url, '--objects', 'companies,deals', '--out', dir], {
      HUBSPOT_SERVICE_KEY: key,
    });
    expect(result.code).toBe(1);
    expect(result.err).toContain('error: deals not exported: missing scope crm.objects.deals.read\n');
    expect(await readdir(join(dir, 'snapshots'))).toEqual(['companies']);
  });

  it('exports the association pairs --associations names, and only those', async () => {
    const result = await run(
      [
        'run',
        '--hubspot-url',
        sim.url,
        '--objects',
        'contacts,companies,deals',
        '--out',
        dir,
        '--associations',
        'deals:companies',
      ],
      { HUBSPOT_SERVICE_KEY: sim.serviceKey },
    );
    expect(result.code).toBe(0);
    expect(await readdir(join(dir, 'associations'))).toEqual(['deals__companies']);
    const none = await run(
      [
        'run',
        '--hubspot-url',
        sim.url,
        '--objects',
        'contacts,companies',
        '--out',
        join(dir, 'none'),
        '--associations',
        'none',
      ],
      { HUBSPOT_SERVICE_KEY: sim.serviceKey },
    );
    expect(none.code).toBe(0);
    expect(existsSync(join(dir, 'none', 'associations'))).toBe(false);
  });

  it('exits 2 naming --associations when a pair is malformed, before writing anything', async () => {
    const result = await run(['run', '--hubspot-url', sim.url, '--out', dir, '--associations', 'deals-companies'], {
      HUBSPOT_SERVICE_KEY: sim.serviceKey,
    });
    expect(result.code).toBe(2);
    expect(result.err).toContain('error: invalid options: --associations: must be object pairs from:to');
    expect(result.err).toContain('"deals-companies" is not one');
    expect(await readdir(dir)).toEqual([]);
  });

  it('exits 1 with a line saying another run holds an object, after exporting the rest', async () => {
    // Another process's run (say the nightly full one) holds companies' lease in the same folder.
    await acquireLease(new LocalTarget(dir), 'companies', 'other-run', { now: new Date(), ttlMs: 60_000 });
    const result = await run(['run', '--hubspot-url', sim.url, '--objects', 'companies,deals', '--out', dir], {
      HUBSPOT_SERVICE_KEY: sim.serviceKey,
    });
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'error: companies not exported: skipped, another run (other-run) is exporting companies since ',
    );
    expect(result.out).toMatch(/^companies +skipped /m);
    expect(await readdir(join(dir, 'snapshots'))).toEqual(['deals']);
  });

  it('names the missing scope of owners in the same one line, however far the run got', async () => {
    const key = sim.keys.create({ scopes: ['crm.objects.contacts.read'] });
    const result = await run(['run', '--hubspot-url', sim.url, '--objects', 'owners', '--out', dir], {
      HUBSPOT_SERVICE_KEY: key,
    });
    expect(result.code).toBe(1);
    expect(result.err.split('\n').filter((line) => line.includes('owners'))).toEqual([
      'owners stopped: missing scope crm.objects.owners.read',
      'error: owners not exported: missing scope crm.objects.owners.read',
    ]);
  });

  const NOT_ISO =
    'must be an ISO 8601 date (2026-01-31) or date-time with Z or an offset (2026-01-31T09:30:00Z, 2026-01-31T10:30+01:00)';
  it.each([
    [
      ['--mode', 'sideways'],
      'invalid options: --mode: must be one of full, incremental, backfill, compact, not "sideways"',
    ],
    [['--mode', 'backfill'], 'invalid options: --since: a backfill needs since (the start of its window)'],
    [
      ['--mode', 'compact', '--since', '2026-01-01'],
      'invalid options: --since: a compact run takes no since/until; use mode backfill',
    ],
    [['--mode', 'incremental', '--since', 'last tuesday'], `invalid options: --since: ${NOT_ISO}, not "last tuesday"`],
    [['--mode', 'incremental', '--since', '1'], `invalid options: --since: ${NOT_ISO}, not "1"`],
    [['--mode', 'incremental', '--since', '2002'], `invalid options: --since: ${NOT_ISO}, not "2002"`],
    [
      ['--mode', 'incremental', '--since', '2020-01-01 00:00'],
      `invalid options: --since: ${NOT_ISO}, not "2020-01-01 00:00"`,
    ],
    [
      ['--mode', 'backfill', '--since', '2026-02-30'],
      'invalid options: --since: "2026-02-30" is not a real date or time',
    ],
    [
      ['--mode', 'backfill', '--since', '2026-02-01', '--until', '2026-02-01T00:30+01:00'],
      'invalid options: --until: until (2026-01-31T23:30:00.000Z) must be after since (2026-02-01T00:00:00.000Z)',
    ],
    [
      ['--mode', 'incremental', '--until', '2999-01-01T00:00:00Z'],
      'invalid options: --until: 2999-01-01T00:00:00.000Z is in the future; leave it out to mean now',
    ],
    [
      ['--objects', 'contacts,unicorns'],
      'unknown object type unicorns; this portal has: contacts, companies, deals, tickets, products, line_items, ' +
        'quotes, calls, emails, meetings, notes, tasks, communications, postal_mail, invoices, orders, carts, ' +
        'subscriptions, users, feedback_submissions, leads, goal_targets, pets, projects, owners, pipelines',
    ],
    [
      ['--objects', 'contacts,b+c'],
      'invalid options: --objects: object names hold only letters, digits, "_" and "-", not "b+c"',
    ],
    [
      ['--hubspot-url', 'not a url'],
      'invalid options: --hubspot-url: must be an http:// or https:// URL, not "not a url"',
    ],
    [['--hubspot-url', 'ftp://x'], 'invalid options: --hubspot-url: must be an http:// or https:// URL, not "ftp://x"'],
    [['--concurrency', 'many'], 'invalid options: --concurrency: must be a whole number from 1 to 16, not "many"'],
    [['--concurrency', '0'], 'invalid options: --concurrency: must be a whole number from 1 to 16, not "0"'],
    [['--concurrency', '1000'], 'invalid options: --concurrency: must be a whole number from 1 to 16, not "1000"'],
    [['--part-rows', '1e3'], 'invalid options: --part-rows: must be a whole number of at least 1, not "1e3"'],
    [['--secret-id', ''], 'invalid options: --secret-id: must not be empty'],
    [
      ['--glue-database', 'hubspot'],
      'invalid options: --glue-database: needs --out s3://bucket/prefix (Glue tables point at S3)',
    ],
    [
      ['--glue-database', 'Hub-Spot'],
      'invalid options: --glue-database: must be a Glue database name (a-z, 0-9, _), not "Hub-Spot"',
    ],
    [['--glue-table-prefix', 'hs_'], 'invalid options: --glue-table-prefix: needs --glue-database'],
    [
      ['--concurrency', '0', '--mode', 'incremental', '--since', '2026-02-30'],
      'invalid options: --since: "2026-02-30" is not a real date or time; ' +
        '--concurrency: must be a whole number from 1 to 16, not "0"',
    ],
  ])('rejects %j with exit 2, a message naming it, and nothing written', async (args, message) => {
    const result = await run(['run', '--hubspot-url', sim.url, '--out', dir, ...args], {
      HUBSPOT_SERVICE_KEY: sim.serviceKey,
    });
    expect(result).toEqual({ code: 2, out: '', err: `error: ${message}\n` });
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['http://x/y', '"http://x/y" is neither a folder nor an s3:// location: http:// is not supported'],
    ['s3://', '"s3://" names no bucket: use s3://bucket/prefix'],
    [
      's3://Bad_Bucket/hubspot',
      '"Bad_Bucket" is not an S3 bucket name: use 3-63 lowercase letters, digits, dots and hyphens',
    ],
  ])('rejects --out %s with exit 2 and writes no folder named after it', async (out, message) => {
    const result = await run(['run', '--hubspot-url', sim.url, '--out', out], { HUBSPOT_SERVICE_KEY: sim.serviceKey });
    expect(result).toEqual({ code: 2, out: '', err: `error: invalid options: --out: ${message}\n` });
    expect(existsSync(out.split('/')[0])).toBe(false);
  });

  it('rejects a since in the future with exit 2 before writing anything', async () => {
    const result = await run(
      ['run', '--hubspot-url', sim.url, '--out', dir, '--mode', 'incremental', '--since', '2999-01-01'],
      { HUBSPOT_SERVICE_KEY: sim.serviceKey },
    );
    expect(result.code).toBe(2);
    expect(result.err).toMatch(
      /^error: invalid options: --since: 2999-01-01T00:00:00\.000Z is not before now \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\): nothing to export\n$/,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('fails cleanly naming the key source, never the key, when the key is unknown', async () => {
    const bogus = 'pat-na1-00000000-0000-0000-0000-000000000000';
    const result = await run(['run', '--hubspot-url', sim.url, '--objects', 'contacts', '--out', dir], {
      HUBSPOT_SERVICE_KEY: bogus,
    });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^error: .*HUBSPOT_SERVICE_KEY.*\n$/);
    expect(result.err).not.toContain(bogus);
    expect(await readdir(dir)).toEqual([]);
  });

  it('says where to put the key when there is none', async () => {
    const result = await run(['run', '--hubspot-url', sim.url, '--out', dir], {});
    expect(result).toEqual({
      code: 2,
      out: '',
      err: 'error: no service key: set HUBSPOT_SERVICE_KEY or pass --secret-id <Secrets Manager secret id>\n',
    });
  });
});
