/**
 * Sensitive properties end to end, against the simulator over HTTP and a local folder, read back with DuckDB:
 * excluded properties are never requested (the simulator's request log) and have no column anywhere; hashed ones
 * hold HMAC-SHA-256 of the documented normalization, computed here with node:crypto apart from lib; and the clear
 * values of both never reach any file the runs write (scratch included) or any log line.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../../../lib/core/errors';
import { envKeyProvider, KEY_KINDS } from '../../../lib/hubspot';
import type { HubSpotRecord } from '../../../lib/hubspot/types';
import type { TableRef } from '../../../lib/store/layout';
import { HASH_KEY_VARIABLE } from '../../../lib/sync/hash-key';
import { parsePropertyRefs } from '../../../lib/sync/sensitive-properties';
import type { RunResult } from '../../../lib/sync/types';
import { filesHolding, filesUnder, keepScratch } from '../../helpers/leak-scan';
import { fetchPublished, parquetList, startHarness, type Harness } from '../../helpers/sync-harness';

const KEY = '6b1f0c2d9e8a7b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4';
const ENV = { [HASH_KEY_VARIABLE]: KEY };

/** The README's rule, restated here: trim; lower-case an email address; HMAC-SHA-256 hex; blank stays blank. */
function expectedHash(raw: string): string {
  const trimmed = raw.trim();
  const normalized = /^[^\s@]+@[^\s@]+$/.test(trimmed) ? trimmed.toLowerCase() : trimmed;
  return normalized === '' ? '' : createHmac('sha256', KEY).update(normalized, 'utf8').digest('hex');
}
const expectedHashes = (raw: string): string[] =>
  raw
    .split(';')
    .map(expectedHash)
    .filter((h) => h !== '');

const EXCLUDE = 'contacts.phone,contacts.mobilephone,notes.hs_body_preview';
const HASH = 'contacts.email,contacts.hs_buying_role,tickets.subject';
const SETTINGS = { excludeProperties: parsePropertyRefs(EXCLUDE), hashProperties: parsePropertyRefs(HASH) };

/** Every clear value planted below holds this word, in some case: none may be found anywhere. */
const SENTINEL = /sentinel/i;
const EMAIL = '  Sentinel.Person+leak@Example.COM ';

/** Records holding sentinel values in every excluded and hashed property the runs export. */
function plantSentinels(h: Harness) {
  const contact = h.sim.admin.createRecord('contacts', {
    email: EMAIL,
    phone: '+1 555 SENTINEL 0142',
    mobilephone: 'sentinel-mobile-77',
    hs_buying_role: 'SentinelRoleA; ;sentinelRoleB',
    firstname: 'Ada',
  });
  const ticket = h.sim.admin.createRecord('tickets', { subject: 'sentinel.person+leak@example.com' });
  const note = h.sim.admin.createRecord('notes', { hs_body_preview: 'Sentinel note body: call Ada at home' });
  return { contact, ticket, note };
}

/** Rows of a published dataset's parts, with DuckDB. */
async function rowsOf<T>(h: Harness, table: TableRef, select: string, runId?: string): Promise<T[]> {
  const { files } = await fetchPublished(h, table, runId);
  return h.db.query<T>(`SELECT ${select} FROM read_parquet(${parquetList(files)}) ORDER BY id::BIGINT`);
}

async function columnNames(h: Harness, table: TableRef, runId?: string): Promise<string[]> {
  const { files } = await fetchPublished(h, table, runId);
  const described = await h.db.query<{ column_name: string }>(
    `DESCRIBE SELECT * FROM read_parquet(${parquetList(files)})`,
  );
  return described.map((d) => d.column_name);
}

/** Property names of `_unparsed` across a dataset's rows. */
async function unparsedKeys(h: Harness, table: TableRef, runId?: string): Promise<string[]> {
  const rows = await rowsOf<{ k: string | null }>(h, table, 'id, unnest(map_keys(_unparsed)) AS k', runId);
  return [...new Set(rows.map((r) => r.k ?? ''))];
}

describe('Sync engine: sensitive properties left out or hashed', () => {
  let h: Harness;
  let evidence: string;
  let scratch: ReturnType<typeof keepScratch>;
  let planted: ReturnType<typeof plantSentinels>;
  const results: RunResult[] = [];

  beforeAll(async () => {
    evidence = await mkdtemp(join(tmpdir(), 'hs3-evidence-'));
    scratch = keepScratch(evidence);
    h = await startHarness({
      sim: { logProperties: true },
      deps: {
        settings: { ...SETTINGS, partRows: 100 },
        hashKey: envKeyProvider(ENV, HASH_KEY_VARIABLE, KEY_KINDS.hash),
        hooks: { beforeScratchRemoved: (path) => scratch.hook(path) },
      },
    });
    planted = plantSentinels(h);
    results.push(await h.run({ mode: 'full', objects: ['contacts', 'tickets', 'notes'] }));
  }, 120_000);
  afterAll(async () => {
    await h.close();
    await rm(evidence, { recursive: true, force: true });
  });

  it('exports every object', () => {
    expect(results[0].outcomes.map((o) => [o.dataset, o.status])).toEqual([
      ['contacts', 'completed'],
      ['tickets', 'completed'],
      ['associations.tickets__contacts', 'completed'],
      ['notes', 'completed'],
      ['metadata.properties', 'completed'],
    ]);
  });

  it('never asks HubSpot for an excluded property, by list, batch read or search', () => {
    const asked = (object: string) =>
      h.sim.log.entries().filter((e) => e.path.includes(`/${object}`) && e.properties?.length);
    const contacts = asked('contacts');
    // The wide contacts are read as ids and then batch reads with every property in the body.
    expect(contacts.some((e) => e.path.endsWith('/batch/read') && e.properties?.includes('email'))).toBe(true);
    expect(contacts.filter((e) => e.properties?.some((p) => p === 'phone' || p === 'mobilephone'))).toEqual([]);
    const notes = asked('notes');
    expect(notes.some((e) => e.method === 'GET' && e.properties?.includes('hs_timestamp'))).toBe(true);
    expect(notes.filter((e) => e.properties?.includes('hs_body_preview'))).toEqual([]);
  });

  it('writes no column of an excluded property, and names the excluded ones and the key in the manifest', async () => {
    const { manifest } = await fetchPublished(h, { kind: 'snapshot', object: 'contacts' });
    const names = manifest.columns.map((c) => c.name);
    expect(names).toContain('firstname');
    expect(names.filter((n) => n === 'phone' || n === 'mobilephone')).toEqual([]);
    expect(manifest.columns.filter((c) => c.hash)).toEqual([
      { name: 'email', type: 'VARCHAR', hash: 'hmac-sha256' },
      { name: 'hs_buying_role', type: 'VARCHAR[]', hash: 'hmac-sha256' },
    ]);
    expect(manifest.excludedProperties).toEqual(['phone', 'mobilephone']);
    const keyId = createHmac('sha256', KEY).update('hubspot-s3-sync hash key id').digest('hex').slice(0, 16);
    expect(manifest.hashKeyId).toBe(keyId);
    const parquetColumns = await columnNames(h, { kind: 'snapshot', object: 'contacts' });
    expect(parquetColumns).toEqual(names);
    expect(await columnNames(h, { kind: 'snapshot', object: 'notes' })).not.toContain('hs_body_preview');
  });

  it('keeps excluded and hashed values out of _unparsed', async () => {
    for (const object of ['contacts', 'tickets', 'notes']) {
      const keys = await unparsedKeys(h, { kind: 'snapshot', object });
      expect(
        keys.filter((k) =>
          ['phone', 'mobilephone', 'email', 'hs_buying_role', 'subject', 'hs_body_preview'].includes(k),
        ),
      ).toEqual([]);
    }
  });

  it("holds in each hashed column the HMAC of the oracle's normalized value, multi-selects element by element", async () => {
    const oracle = [...h.sim.oracle.records('contacts'), ...h.sim.oracle.records('contacts', { archived: true })];
    const expected = oracle
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((r: HubSpotRecord) => ({
        id: r.id,
        email: r.properties.email === null ? null : expectedHash(r.properties.email),
        roles: r.properties.hs_buying_role === null ? null : expectedHashes(r.properties.hs_buying_role),
      }));
    const rows = await rowsOf<{ id: string; email: string | null; roles: string | null }>(
      h,
      { kind: 'snapshot', object: 'contacts' },
      'id, email, to_json(hs_buying_role)::VARCHAR AS roles',
    );
    expect(rows.map((r) => ({ ...r, roles: r.roles === null ? null : JSON.parse(r.roles) }))).toEqual(expected);
    expect(expected.filter((r) => r.email).length).toBeGreaterThan(200);
  });

  it('hashes the same email alike in two objects: a ticket whose subject is the contact address joins it', async () => {
    const contacts = await rowsOf<{ id: string; email: string }>(
      h,
      { kind: 'snapshot', object: 'contacts' },
      'id, email',
    );
    const tickets = await rowsOf<{ id: string; subject: string }>(
      h,
      { kind: 'snapshot', object: 'tickets' },
      'id, subject',
    );
    const contact = contacts.find((r) => r.id === planted.contact.id);
    const ticket = tickets.find((r) => r.id === planted.ticket.id);
    expect(contact?.email).toBe(expectedHash('sentinel.person+leak@example.com'));
    expect(ticket?.subject).toBe(contact?.email);
  });

  it('marks excluded and hashed properties in metadata/properties, keeping their definitions', async () => {
    const { files } = await fetchPublished(h, { kind: 'properties' });
    const found = await h.db.query<{ object: string; name: string; column_name: string | null; handling: string }>(
      `SELECT object, name, column_name, handling, label FROM read_parquet(${parquetList(files)})
       WHERE name IN ('email', 'phone', 'mobilephone', 'firstname', 'hs_buying_role', 'hs_body_preview', 'subject')
       ORDER BY object, name`,
    );
    const row = (object: string, name: string, column_name: string | null, handling: string) => ({
      object,
      name,
      column_name,
      handling,
      label: h.sim.oracle.properties(object).find((p) => p.name === name)?.label,
    });
    expect(found).toEqual([
      row('contacts', 'email', 'email', 'hashed'),
      row('contacts', 'firstname', 'firstname', 'exported'),
      row('contacts', 'hs_buying_role', 'hs_buying_role', 'hashed'),
      row('contacts', 'mobilephone', null, 'excluded'),
      row('contacts', 'phone', null, 'excluded'),
      row('notes', 'hs_body_preview', null, 'excluded'),
      row('tickets', 'subject', 'subject', 'hashed'),
    ]);
  });

  describe('then an incremental and a backfill run', () => {
    beforeAll(async () => {
      // A change of the contact, its address now in other case and spacing: still the same person.
      h.sim.admin.updateRecord('contacts', planted.contact.id, {
        email: ' SENTINEL.person+LEAK@example.com',
        phone: '+1 555 SENTINEL 0143',
        firstname: 'Ada B.',
      });
      h.sim.admin.updateRecord('notes', planted.note.id, { hs_body_preview: 'Sentinel note, changed' });
      results.push(await h.run({ mode: 'incremental', objects: ['contacts', 'notes'] }));
      results.push(
        await h.run({
          mode: 'backfill',
          objects: ['contacts'],
          since: new Date(Date.now() - 60 * 60_000).toISOString(),
        }),
      );
    }, 120_000);

    it('hashes the changed contact as before, in the change sets of both', async () => {
      expect(results.slice(1).map((r) => r.outcomes.map((o) => [o.dataset, o.status]))).toEqual([
        [
          ['contacts.changes', 'completed'],
          ['notes.changes', 'completed'],
        ],
        [['contacts.changes', 'completed']],
      ]);
      for (const run of results.slice(1)) {
        const rows = await rowsOf<{ id: string; email: string; firstname: string }>(
          h,
          { kind: 'changes', object: 'contacts' },
          'id, email, firstname',
          run.runId,
        );
        expect(rows.filter((r) => r.id === planted.contact.id)).toEqual([
          { id: planted.contact.id, email: expectedHash(EMAIL), firstname: 'Ada B.' },
        ]);
        const columns = await columnNames(h, { kind: 'changes', object: 'contacts' }, run.runId);
        expect(columns.filter((c) => c === 'phone' || c === 'mobilephone')).toEqual([]);
        expect(await unparsedKeys(h, { kind: 'changes', object: 'contacts' }, run.runId)).not.toContain('phone');
      }
      const notes = await columnNames(h, { kind: 'changes', object: 'notes' }, results[1].runId);
      expect(notes).not.toContain('hs_body_preview');
    });

    it('asked search and batch read for no excluded property either', () => {
      const posts = h.sim.log.entries().filter((e) => e.method === 'POST' && e.path.includes('/contacts'));
      expect(posts.some((e) => e.path.endsWith('/search') && e.properties?.length)).toBe(true);
      expect(posts.filter((e) => e.properties?.includes('phone'))).toEqual([]);
    });
  });

  describe('nowhere in clear', () => {
    it('the scratch files the runs removed held no sentinel value, and there were some of each kind', async () => {
      const kept = scratch.files();
      expect(kept.filter((f) => f.endsWith('.ndjson')).length).toBeGreaterThan(3);
      expect(kept.filter((f) => f.endsWith('.parquet')).length).toBeGreaterThan(3);
      expect(await filesHolding(h.db, kept, SENTINEL)).toEqual([]);
    });

    it('no file of the output, manifests, state and plans included, nor any left in scratch, holds one', async () => {
      const written = [...(await filesUnder(h.target.location)), ...(await filesUnder(h.deps.workDir))].filter(
        (f) => !f.includes('/fetched-'),
      );
      expect(written.filter((f) => f.includes('/_manifests/')).length).toBeGreaterThan(3);
      expect(await filesHolding(h.db, written, SENTINEL)).toEqual([]);
    });

    it('no log line, outcome or reason holds one, nor the key', () => {
      const said = JSON.stringify([h.logs, results]);
      expect(said).not.toMatch(SENTINEL);
      expect(said).not.toContain(KEY);
      expect(h.logs.length).toBeGreaterThan(0);
    });
  });
});

describe('Sync engine: the leak scan itself, on a run without the settings', () => {
  it('finds the clear values in spools, scratch Parquet, output parts and the definitions-free rest alike', async () => {
    const evidence = await mkdtemp(join(tmpdir(), 'hs3-evidence-'));
    const scratch = keepScratch(evidence);
    const h = await startHarness({ deps: { hooks: { beforeScratchRemoved: (path) => scratch.hook(path) } } });
    try {
      plantSentinels(h);
      const result = await h.run({ mode: 'full', objects: ['contacts'] });
      expect(result.outcomes[0].status).toBe('completed');
      const kept = await filesHolding(h.db, scratch.files(), SENTINEL);
      expect([kept.some((f) => f.endsWith('.ndjson')), kept.some((f) => f.endsWith('.parquet'))]).toEqual([true, true]);
      const output = await filesHolding(h.db, await filesUnder(h.target.location), SENTINEL);
      expect(output.some((f) => f.includes('/snapshots/contacts/'))).toBe(true);
    } finally {
      await h.close();
      await rm(evidence, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('Sync engine: a setting that changes between runs is a schema change', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ deps: { hashKey: envKeyProvider(ENV, HASH_KEY_VARIABLE, KEY_KINDS.hash) } });
  });
  afterAll(() => h.close());

  it('gives the next run a new manifest schema and new metadata rows, leaving the earlier snapshot as it was', async () => {
    const clear = await h.run({ mode: 'full', objects: ['deals'] });
    const before = await fetchPublished(h, { kind: 'snapshot', object: 'deals' }, clear.runId);

    Object.assign(h.deps.settings, {
      excludeProperties: parsePropertyRefs('deals.description'),
      hashProperties: parsePropertyRefs('deals.dealname'),
    });
    const hashed = await h.run({ mode: 'full', objects: ['deals'] });
    const after = await fetchPublished(h, { kind: 'snapshot', object: 'deals' }, hashed.runId);
    const described = (m: typeof before.manifest) =>
      m.columns.filter((c) => ['dealname', 'description'].includes(c.name));
    expect([described(before.manifest), described(after.manifest)]).toEqual([
      [
        { name: 'dealname', type: 'VARCHAR' },
        { name: 'description', type: 'VARCHAR' },
      ],
      [{ name: 'dealname', type: 'VARCHAR', hash: 'hmac-sha256' }],
    ]);
    // The earlier run's parts and manifest are untouched: it still holds the names in clear.
    expect(await fetchPublished(h, { kind: 'snapshot', object: 'deals' }, clear.runId)).toEqual({
      manifest: before.manifest,
      files: expect.any(Array),
    });
    const names = await h.db.query<{ dealname: string }>(
      `SELECT dealname FROM read_parquet(${parquetList(before.files)}) WHERE dealname IS NOT NULL LIMIT 1`,
    );
    expect(h.sim.oracle.records('deals').some((r) => r.properties.dealname === names[0].dealname)).toBe(true);

    // An incremental run with the same settings adds no metadata; one whose settings changed publishes it.
    const same = await h.run({ mode: 'incremental', objects: ['deals'] });
    expect(same.outcomes.map((o) => o.dataset)).toEqual(['deals.changes']);
    Object.assign(h.deps.settings, { hashProperties: parsePropertyRefs('deals.dealname,deals.dealtype') });
    const changed = await h.run({ mode: 'incremental', objects: ['deals'] });
    expect(changed.outcomes.map((o) => [o.dataset, o.status])).toEqual([
      ['deals.changes', 'completed'],
      ['metadata.properties', 'completed'],
    ]);
    const { files } = await fetchPublished(h, { kind: 'properties' });
    const rows = await h.db.query<{ name: string; handling: string }>(
      `SELECT name, handling FROM read_parquet(${parquetList(files)})
       WHERE object = 'deals' AND name IN ('dealname', 'dealtype', 'description', 'amount') ORDER BY name`,
    );
    expect(rows).toEqual([
      { name: 'amount', handling: 'exported' },
      { name: 'dealname', handling: 'hashed' },
      { name: 'dealtype', handling: 'hashed' },
      { name: 'description', handling: 'excluded' },
    ]);
  }, 90_000);
});

describe('Sync engine: sensitive-property settings are checked before anything is written', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  afterEach(() => {
    Object.assign(h.deps.settings, { excludeProperties: [], hashProperties: [] });
    delete h.deps.hashKey;
    h.sim.log.reset();
  });

  it.each([
    [
      'contacts.emaill',
      '',
      'sensitive properties: excluded property contacts.emaill: contacts has no property emaill (did you mean email?)',
    ],
    ['contacs.email', '', 'sensitive properties: unknown object type contacs (did you mean contacts?)'],
    ['', 'contacts.annualrevenue', 'hashed property contacts.annualrevenue: only text properties'],
    ['contacts.email', 'contacts.email', 'contacts.email is both excluded and hashed'],
  ])('refuses exclude %j hash %j naming it, and writes nothing', async (exclude, hash, message) => {
    Object.assign(h.deps.settings, {
      excludeProperties: parsePropertyRefs(exclude),
      hashProperties: parsePropertyRefs(hash),
    });
    h.deps.hashKey = envKeyProvider(ENV, HASH_KEY_VARIABLE, KEY_KINDS.hash);
    const run = h.run({ mode: 'full', objects: ['contacts', 'deals'] });
    await expect(run).rejects.toThrow(InvalidInputError);
    await expect(run).rejects.toThrow(message);
    expect(await h.target.list('')).toEqual([]);
  });

  it.each([
    ['no key', undefined, 'properties are to be hashed, but there is no hash key: set HUBSPOT_S3_SYNC_HASH_KEY'],
    [
      'an empty variable',
      envKeyProvider({}, HASH_KEY_VARIABLE, KEY_KINDS.hash),
      'No hash key in environment variable HUBSPOT_S3_SYNC_HASH_KEY',
    ],
    [
      'a short key',
      envKeyProvider({ [HASH_KEY_VARIABLE]: 'too-short' }, HASH_KEY_VARIABLE, KEY_KINDS.hash),
      'has 9 characters; use one of at least 32',
    ],
  ])('fails a run that hashes with %s before any request', async (_, provider, message) => {
    Object.assign(h.deps.settings, { hashProperties: parsePropertyRefs('contacts.email') });
    if (provider) h.deps.hashKey = provider;
    const run = h.run({ mode: 'full', objects: ['deals'] });
    await expect(run).rejects.toThrow(InvalidInputError);
    await expect(run).rejects.toThrow(message);
    expect(h.sim.log.total()).toBe(0);
    expect(await h.target.list('')).toEqual([]);
  });
});
