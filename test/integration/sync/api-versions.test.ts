/**
 * The end-to-end suite once per HubSpot API version (issue 18): a full run of every object, changes made through the
 * simulator's admin (updates, creates, archivals, a deletion search has not caught up with, an association added
 * and one removed), an incremental run, and a full run of the changed association pair, each compared against the
 * oracle; the request log shows which path family each version used and that partial failures were answered the
 * version's way (207, or errors inside a 200 in 2026-09).
 */
import { RateBudget } from '../../../lib/hubspot';
import { versionNotice, type ApiVersion } from '../../../lib/hubspot/api-version';
import type { HubSpotRecord, PropertyDefinition } from '../../../lib/hubspot/types';
import type { RequestLogEntry } from '../../../sim';
import {
  diffAgainstOracle,
  fetchPublished,
  FAST_LIMITS,
  parquetList,
  startHarness,
  type Harness,
  type HarnessOptions,
} from '../../helpers/sync-harness';

/** A small portal: every object type with a handful of records, and enough companies for association paging. */
const PORTAL = { seed: 11, scale: 40, counts: { companies: 30 } } as const;

/**
 * The portal, and a client budget as fast as the simulator's limits: about a hundred searches per run (counts and
 * windows of 28 types) would otherwise take 20 s at HubSpot's 5 a second. Pacing has tests of its own.
 */
const harnessFor = (apiVersion?: ApiVersion): HarnessOptions => ({
  sim: PORTAL,
  deps: { client: { apiVersion, budget: new RateBudget({ ...FAST_LIMITS, dailyReserve: 0 }) } },
});

/** How each version's batch endpoints answer when some inputs fail (../shared/HUBSPOT_API.md). */
const VERSIONS = [
  { version: 'v3', partialFailureStatus: 207 },
  { version: '2026-03', partialFailureStatus: 207 },
  { version: '2026-09', partialFailureStatus: 200 },
] as const satisfies readonly { version: ApiVersion; partialFailureStatus: number }[];

/** The route templates of every endpoint family an export of everything calls. */
const FAMILIES = {
  legacy: [
    'GET /crm/v3/objects/{type}',
    'POST /crm/v3/objects/{type}/batch/read',
    'POST /crm/v3/objects/{type}/search',
    'GET /crm/v3/properties/{type}',
    'GET /crm/v3/schemas',
    'GET /crm/v3/owners',
    'GET /crm/v3/pipelines/{type}',
    'POST /crm/v4/associations/{from}/{to}/batch/read',
  ],
  dated: [
    'GET /crm/objects/{ver}/{type}',
    'POST /crm/objects/{ver}/{type}/batch/read',
    'POST /crm/objects/{ver}/{type}/search',
    'GET /crm/properties/{ver}/{type}',
    'GET /crm-object-schemas/{ver}/schemas',
    'GET /crm/owners/{ver}',
    'GET /crm/pipelines/{ver}/{type}',
    'POST /crm/associations/{ver}/{from}/{to}/batch/read',
  ],
};

const LEGACY_PATH = /^\/crm\/v[34]\//;
const ASSOCIATIONS_ROUTE = /associations\/.*batch\/read$/;
const RECORDS_BATCH_ROUTE = /\/objects\/.*batch\/read$/;

type RunResult = Awaited<ReturnType<Harness['run']>>;

interface ObjectDiff {
  name: string;
  rows: number;
  expectedRows: number;
  missing: number;
  unexpected: number;
  duplicateIds: number;
}

/** The published dataset of `object` in `runId`, compared against the oracle's records (those `keep` takes). */
async function compareObject(
  h: Harness,
  kind: 'snapshot' | 'changes',
  object: string,
  runId: string,
  keep?: (record: HubSpotRecord) => boolean,
): Promise<ObjectDiff> {
  const { manifest, files } = await fetchPublished(h, { kind, object }, runId);
  const { expectedRows, missing, unexpected, duplicateIds } = await diffAgainstOracle(h, object, files, runId, {
    keep,
  });
  return { name: object, rows: manifest.rows, expectedRows, missing, unexpected, duplicateIds };
}

/** Exported association rows of a pair against the oracle's, for live source records (the ones a full run reads). */
async function compareAssociations(h: Harness, from: string, to: string, runId: string) {
  const { files } = await fetchPublished(h, { kind: 'associations', from, to }, runId);
  const exported = await h.db.query<{ from_id: string; to_id: string; type_id: number }>(
    `SELECT from_id, to_id, type_id FROM read_parquet(${parquetList(files)}) ORDER BY from_id::BIGINT, to_id::BIGINT, type_id`,
  );
  const live = new Set(h.sim.oracle.ids(from));
  const expected = h.sim.oracle
    .associations(from, to)
    .filter((a) => live.has(a.fromId))
    .flatMap((a) => a.types.map((t) => ({ from_id: a.fromId, to_id: a.toId, type_id: t.typeId })))
    .sort(
      (a, b) => Number(a.from_id) - Number(b.from_id) || Number(a.to_id) - Number(b.to_id) || a.type_id - b.type_id,
    );
  return { exported, expected };
}

/** A property an admin change may write: plain text, not one of HubSpot's own. */
function writableProperty(object: string, properties: PropertyDefinition[]): string {
  const found = properties.find((p) => p.type === 'string' && p.fieldType === 'text' && !p.name.startsWith('hs_'));
  if (!found) throw new Error(`${object} has no plain text property to change`);
  return found.name;
}

/** What was changed in one object between the runs. */
interface ObjectChanges {
  property: string;
  updated: string;
  archived: string;
  created: string;
}

describe.each(VERSIONS)('Sync engine on HubSpot API $version', ({ version, partialFailureStatus }) => {
  let h: Harness;
  let full: RunResult;
  let incremental: RunResult;
  let relinked: RunResult;
  const snapshotDiffs: ObjectDiff[] = [];
  const changeDiffs: ObjectDiff[] = [];
  const changes = new Map<string, ObjectChanges>();
  let fullAssociations: Awaited<ReturnType<typeof compareAssociations>>[] = [];
  let relinkedAssociations: Awaited<ReturnType<typeof compareAssociations>>;
  let association: { added: [string, string]; removed: [string, string] };
  /** A contact updated, then deleted for good where search does not see it yet. */
  let gone: string;
  let objects: string[];

  beforeAll(async () => {
    h = await startHarness(harnessFor(version));
    objects = h.sim.oracle.objectTypes().map((t) => t.name);

    // A full run of everything, compared while the oracle still holds what it read.
    full = await h.run({ mode: 'full', objects: 'all' });
    for (const name of objects) snapshotDiffs.push(await compareObject(h, 'snapshot', name, full.runId));
    fullAssociations = await Promise.all(
      h.deps.settings.associationPairs.map(([from, to]) => compareAssociations(h, from, to, full.runId)),
    );

    // Changes in every object: one updated, one archived, one created.
    for (const name of objects) {
      const property = writableProperty(name, h.sim.oracle.properties(name));
      const [first, second] = h.sim.oracle.records(name);
      h.sim.admin.updateRecord(name, first.id, { [property]: `changed on ${version} ✓` });
      h.sim.admin.archiveRecord(name, second.id);
      const created = h.sim.admin.createRecord(name, { [property]: `created on ${version}` });
      changes.set(name, { property, updated: first.id, archived: second.id, created: created.id });
    }
    // A contact search finds (its update is indexed) but batch read does not (deleted since, not yet in search):
    // a partial failure of the batch read the incremental run makes for the ids search found.
    gone = h.sim.oracle.records('contacts')[2].id;
    h.sim.admin.updateRecord('contacts', gone, { firstname: 'About to go' });
    // An association added to a contact that had none, and one removed from a contact that stays live.
    const linked = h.sim.oracle.associations('contacts', 'companies');
    const withLinks = new Set(linked.map((a) => a.fromId));
    const lonely = h.sim.oracle.ids('contacts').find((id) => !withLinks.has(id))!;
    const [company] = h.sim.oracle.ids('companies');
    const unlinked = linked.find((a) => a.fromId !== changes.get('contacts')?.archived && a.fromId !== gone)!;
    h.sim.admin.setAssociation('contacts', lonely, 'companies', company, true);
    h.sim.admin.setAssociation('contacts', unlinked.fromId, 'companies', unlinked.toId, false);
    association = { added: [lonely, company], removed: [unlinked.fromId, unlinked.toId] };
    h.sim.searchLag.set(60_000);
    h.sim.admin.deleteRecord('contacts', gone);

    incremental = await h.run({ mode: 'incremental', objects: 'all' });
    const window = windowOf(h, full, incremental);
    for (const name of objects) changeDiffs.push(await compareObject(h, 'changes', name, incremental.runId, window));

    // Only full runs export associations: one of the changed pair's two objects shows the change.
    h.sim.searchLag.set(0);
    relinked = await h.run({ mode: 'full', objects: ['contacts', 'companies'] });
    relinkedAssociations = await compareAssociations(h, 'contacts', 'companies', relinked.runId);
  });
  afterAll(() => h?.close());

  it('completes every dataset of the three runs; the incremental one writes change sets only', () => {
    const failed = [full, incremental, relinked].flatMap((r) => r.outcomes.filter((o) => o.status !== 'completed'));
    expect(failed).toEqual([]);
    const pairs = h.deps.settings.associationPairs.map(([from, to]) => `associations.${from}__${to}`);
    expect(full.outcomes.map((o) => o.dataset).sort()).toEqual(
      [...objects, ...pairs, 'owners', 'pipelines', 'metadata.properties'].sort(),
    );
    expect(incremental.outcomes.map((o) => o.dataset).sort()).toEqual(objects.map((o) => `${o}.changes`).sort());
  });

  it('exports every object of the full run exactly as the oracle held it', () => {
    expect(snapshotDiffs.map((d) => d.name)).toEqual(objects);
    for (const diff of snapshotDiffs) {
      expect(diff).toEqual({ ...diff, rows: diff.expectedRows, missing: 0, unexpected: 0, duplicateIds: 0 });
      expect(diff.rows).toBeGreaterThanOrEqual(5);
    }
  });

  it('exports every association pair of the full run, with paging on records with many', () => {
    for (const { exported, expected } of fullAssociations) {
      expect(expected.length).toBeGreaterThan(0);
      expect(exported).toEqual(expected);
    }
    const contactsToCompanies = fullAssociations[0].expected;
    const perContact = contactsToCompanies.reduce((n, a) => n.set(a.from_id, (n.get(a.from_id) ?? 0) + 1), new Map());
    // More than one page (10 per input in the simulator) for some contact.
    expect(Math.max(...perContact.values())).toBeGreaterThan(10);
  });

  it('puts exactly the update, the creation and the archival of each object in its change set', async () => {
    expect(changeDiffs.map((d) => d.name)).toEqual(objects);
    for (const diff of changeDiffs) {
      expect(diff).toEqual({ ...diff, rows: 3, expectedRows: 3, missing: 0, unexpected: 0, duplicateIds: 0 });
    }
    for (const [name, { property, updated, archived, created }] of changes) {
      const { files } = await fetchPublished(h, { kind: 'changes', object: name }, incremental.runId);
      const rows = await h.db.query<{ id: string; archived: boolean; value: string | null }>(
        `SELECT id, archived, "${property}" AS value FROM read_parquet(${parquetList(files)}, hive_partitioning = false)`,
      );
      const byId = Object.fromEntries(rows.map((r) => [r.id, [r.archived, r.value]]));
      expect({ name, ...byId }).toEqual({
        name,
        [updated]: [false, `changed on ${version} ✓`],
        [archived]: [true, h.sim.oracle.record(name, archived)?.properties[property] ?? null],
        [created]: [false, `created on ${version}`],
      });
    }
  });

  it('leaves out the contact deleted after search indexed it, and exports the association change next full run', () => {
    expect(h.sim.oracle.ids('contacts')).not.toContain(gone);
    const has = ([fromId, toId]: [string, string]) =>
      relinkedAssociations.exported.some((a) => a.from_id === fromId && a.to_id === toId);
    expect([has(association.added), has(association.removed)]).toEqual([true, false]);
    expect(relinkedAssociations.exported).toEqual(relinkedAssociations.expected);
  });

  it(`calls only ${version === 'v3' ? 'the v3 and v4' : `the ${version}`} paths, every endpoint family of them`, () => {
    const entries = h.sim.log.entries();
    const dated = version !== 'v3';
    if (dated) {
      expect(entries.filter((e) => LEGACY_PATH.test(e.path))).toEqual([]);
      expect([...new Set(entries.map((e) => e.apiVersion))]).toEqual([version]);
    } else {
      expect(entries.filter((e) => !LEGACY_PATH.test(e.path))).toEqual([]);
      expect([...new Set(entries.map((e) => e.apiVersion))].sort()).toEqual(['v3', 'v4']);
    }
    const routes = new Set(entries.map((e) => `${e.method} ${e.route}`));
    expect([...routes].sort()).toEqual([...FAMILIES[dated ? 'dated' : 'legacy']].sort());
  });

  it(`gets partial failures of record and association batch reads as HTTP ${partialFailureStatus}`, () => {
    const entries = h.sim.log.entries();
    const partial = (route: RegExp) => entries.filter((e: RequestLogEntry) => route.test(e.route) && e.numErrors);
    // Inputs without associations (in the full runs), the deleted contact (in the incremental run's batch read).
    for (const route of [ASSOCIATIONS_ROUTE, RECORDS_BATCH_ROUTE]) {
      expect(partial(route).length).toBeGreaterThan(0);
      expect([...new Set(partial(route).map((e) => e.status))]).toEqual([partialFailureStatus]);
    }
    expect(entries.filter((e) => e.status === 207).length > 0).toBe(partialFailureStatus === 207);
  });

  it('logs the startup notice this version gets today, and nothing else about the version', () => {
    const notice = versionNotice(version, full.startedAt.slice(0, 10));
    const logged = h.logs.filter((l) => l.includes('HubSpot API version'));
    expect(logged).toEqual(notice ? [`warn: ${notice}`, `warn: ${notice}`, `warn: ${notice}`] : []);
  });
});

describe('Sync engine with no API version given', () => {
  it('uses 2026-09 and never a /crm/v3/ or /crm/v4/ path', async () => {
    const h = await startHarness(harnessFor());
    try {
      const run = await h.run({ mode: 'full', objects: 'all' });

      expect(run.outcomes.filter((o) => o.status !== 'completed')).toEqual([]);
      expect(h.deps.client.apiVersion).toBe('2026-09');
      const entries = h.sim.log.entries();
      expect(entries.filter((e) => LEGACY_PATH.test(e.path))).toEqual([]);
      expect([...new Set(entries.map((e) => e.apiVersion))]).toEqual(['2026-09']);
      expect([...new Set(entries.map((e) => `${e.method} ${e.route}`))].sort()).toEqual([...FAMILIES.dated].sort());
    } finally {
      await h.close();
    }
  });
});

/** Records an incremental run's window holds per the oracle: modified in it, or archived in it (lookback included). */
function windowOf(h: Harness, full: RunResult, incremental: RunResult) {
  const from = Date.parse(full.startedAt) - h.deps.settings.lookbackMs;
  const to = Date.parse(incremental.startedAt);
  const inWindow = (iso: string | undefined) => iso !== undefined && Date.parse(iso) >= from && Date.parse(iso) <= to;
  return (record: HubSpotRecord) => (record.archived ? inWindow(record.archivedAt) : inWindow(record.updatedAt));
}
