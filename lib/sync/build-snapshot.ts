/**
 * The build phase of a compact item: a complete snapshot made from the base snapshot and the change sets since
 * (its own run's last), without reading records from HubSpot again. In bounded memory and disk:
 *
 * 1. winners: each source part is downloaded in turn and only `id, _synced_at, archived, hs_merged_object_ids`
 *    kept; each id's newest row (by `_synced_at`, then the later source) wins, and ids a surviving record lists as
 *    merged into it are dropped. The winners (id -> source part) are stored beside the run's plan, and the merges
 *    (merged id, surviving id, first seen) become the `<object>.merges` table.
 * 2. parts: each source part is downloaded again and its winning rows written as one part of the snapshot, in the
 *    current columns: a property added since is NULL, one removed is left out, one whose type changed is cast.
 * 3. associations: read afresh for every live record (changing one moves neither record's last-modified time, so
 *    change sets cannot carry them), on the batch read's own lane.
 *
 * Each step goes as far as its deadline allows and checkpoints after every part; a crash resumes after the last.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { rm, writeFile } from 'node:fs/promises';
import { describeAccessError } from '../hubspot';
import { copyToParquet, quoteIdentifier, quoteLiteral, type DuckDb } from '../parquet';
import type { Column } from '../schema/columns';
import { UNPARSED_COLUMN } from '../schema/columns';
import { RECORD_PART_DEFAULTS } from '../schema/write-record-part';
import type { TableRef } from '../store/layout';
import { CorruptStoredFileError } from '../store/errors';
import { AssociationPrefetch } from './association-prefetch';
import { countRequests, saveCheckpoint, type ResumedCheckpoint } from './checkpoint';
import { keyOfUrl, readSourceManifests, winnersKey } from './compact-sources';
import type { SyncDeps } from './deps';
import { PartNumbers, scratchDir, uploadParquet, uploadRows } from './parts';
import { loadPlan } from './plan-cache';
import { recordColumnsOf } from './sensitive-properties';
import { ASSOCIATION_COLUMNS, associationRow } from './side-tables';
import type { BuildProgress, PartRecord } from './state';
import type { StepResult, WorkItem } from './types';

/** The property whose `;`-separated ids name the records merged into a record. */
export const MERGED_IDS_PROPERTY = 'hs_merged_object_ids';

/** One part the snapshot is built from, in the order later sources win ties. */
interface SourcePart {
  key: string;
  rows: number;
}

/** The base snapshot's parts, each change set's, then this run's own change set (`fresh`), oldest first. */
async function sourcePartsOf(deps: SyncDeps, item: WorkItem, fresh: PartRecord[]) {
  if (!item.built) throw new CorruptStoredFileError(`${item.object}: a compact item without its build sources`);
  const manifests = await readSourceManifests(deps.target, item.object, item.built);
  const parts: SourcePart[] = [manifests.base, ...manifests.changeSets].flatMap((m) =>
    m.entries.map((e) => ({ key: keyOfUrl(deps.target, e.url), rows: e.meta.record_count })),
  );
  parts.push(...fresh.map((p) => ({ key: p.key, rows: p.rows })));
  return { parts, baseColumns: manifests.base.columns };
}

/** Column name -> DuckDB type of a Parquet file. */
async function columnTypes(db: DuckDb, file: string): Promise<Map<string, string>> {
  const described = await db.query<{ column_name: string; column_type: string }>(
    `DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(file)})`,
  );
  return new Map(described.map((c) => [c.column_name, c.column_type]));
}

/** A value of `sourceType` in the column's type: NULL where it does not convert. */
function castSql(value: string, sourceType: string, type: Column['type']): string {
  if (sourceType === type) return value;
  if (type === 'VARCHAR[]' && sourceType === 'VARCHAR') return `string_split(${value}, ';')`;
  if (type === 'VARCHAR' && sourceType === 'VARCHAR[]') return `array_to_string(${value}, ';')`;
  // A whole number reads as HubSpot sends it (100, not 100.0).
  if (type === 'VARCHAR' && sourceType === 'DOUBLE') {
    return `CASE WHEN ${value} = trunc(${value}) AND abs(${value}) < 1e15 THEN CAST(CAST(${value} AS BIGINT) AS VARCHAR) ELSE CAST(${value} AS VARCHAR) END`;
  }
  return `TRY_CAST(${value} AS ${type})`;
}

/** The key of a column's entry in `_unparsed`: its property's name. */
const unparsedKey = (column: Column) => quoteLiteral(column.property?.name ?? column.name);

/** Whether the source holds the column in another type than now. */
const retypedIn = (column: Column, types: Map<string, string>) =>
  column.property !== undefined && types.has(column.name) && types.get(column.name) !== column.type;

/**
 * A source's column as the current column: itself; converted from its old type (a value kept as text in
 * `_unparsed`, because it did not fit the old type, is read in the new one); or NULL where the source has none.
 */
function convertedSql(column: Column, types: Map<string, string>): string {
  const sourceType = types.get(column.name);
  if (sourceType === undefined) return `CAST(NULL AS ${column.type})`;
  const typed = castSql(`s.${quoteIdentifier(column.name)}`, sourceType, column.type);
  if (!retypedIn(column, types) || !types.has(UNPARSED_COLUMN)) return typed;
  const text = `s.${quoteIdentifier(UNPARSED_COLUMN)}[${unparsedKey(column)}]`;
  return `coalesce(${typed}, ${castSql(text, 'VARCHAR', column.type)})`;
}

/**
 * `_unparsed` of a source row in the current columns: entries of properties no longer exported go, so do those of
 * a retyped property that its new type reads; a value that does not convert to its new type keeps its text there,
 * as the writer does with wire values.
 */
function unparsedSql(columns: Column[], types: Map<string, string>): string {
  const hasUnparsed = types.has(UNPARSED_COLUMN);
  const source = hasUnparsed ? `s.${quoteIdentifier(UNPARSED_COLUMN)}` : `CAST(NULL AS MAP(VARCHAR, VARCHAR))`;
  const properties = columns.filter((c) => c.property);
  const current = new Set(properties.map((c) => c.property?.name));
  const fixed = new Set(columns.filter((c) => !c.property).map((c) => c.name));
  const removed = [...types.keys()].some((name) => !fixed.has(name) && !current.has(name));
  const retyped = properties.filter((c) => retypedIn(c, types));
  if (!removed && !retyped.length) return source;
  const names = properties.map(unparsedKey).join(', ');
  const stillUnparsed = retyped.map(
    (c) => `(e.key = ${unparsedKey(c)} AND ${castSql('e.value', 'VARCHAR', c.type)} IS NOT NULL)`,
  );
  const keep = [`list_contains([${names}]::VARCHAR[], e.key)`, ...stillUnparsed.map((read) => `NOT ${read}`)];
  const kept = `list_filter(map_entries(${source}), lambda e: ${keep.join(' AND ')})`;
  const failed = retyped.map((c) => {
    const value = `s.${quoteIdentifier(c.name)}`;
    const typed = castSql(value, types.get(c.name) ?? c.type, c.type);
    return `CASE WHEN ${value} IS NOT NULL AND ${typed} IS NULL THEN [{'key': ${unparsedKey(c)}, 'value': ${value}::VARCHAR}] ELSE [] END`;
  });
  const joined = `list_concat(coalesce(${kept}, []), ${failed.length ? failed.join(', ') : '[]'})`;
  // In column order, as the writer makes it: a retyped column's new entry goes where its column is.
  const placed = `list_transform(${joined}, lambda e: {'at': list_position([${names}]::VARCHAR[], e.key), 'key': e.key, 'value': e.value})`;
  const entries = failed.length
    ? `list_transform(list_sort(${placed}), lambda e: {'key': e.key, 'value': e.value})`
    : joined;
  return `CASE WHEN len(${entries}) > 0 THEN map_from_entries(${entries}) END`;
}

class BuildStep {
  private readonly progress: BuildProgress;
  private readonly tag: string;
  private dir = '';
  /** The item's one counter of part numbers, each reserved in the checkpoint before its upload. */
  private numbers!: PartNumbers;
  private columns: Column[] = [];
  /** What the API path takes for each planned object (a custom object's objectTypeId), by object name. */
  private apiNames = new Map<string, string>();
  private readonly counted = { requests: 0, retries: 0 };

  constructor(
    private readonly deps: SyncDeps,
    private readonly item: WorkItem,
    private readonly resumed: ResumedCheckpoint,
  ) {
    this.progress = resumed.checkpoint.build ??= { sources: 0, pairs: 0 };
    // DuckDB tables of this item: items of one process share its database.
    this.tag = createHash('sha256').update(`${item.runId}/${item.object}`).digest('hex').slice(0, 12);
    this.counted.requests = deps.client.stats.requests;
    this.counted.retries = deps.client.stats.retries;
  }

  private get checkpoint() {
    return this.resumed.checkpoint;
  }

  private table(kind: 'snapshot' | 'merges'): TableRef {
    return { kind, object: this.item.object };
  }

  private associationTable(to: string): TableRef {
    return { kind: 'associations', from: this.item.object, to };
  }

  async run(deadline: number): Promise<StepResult> {
    const plan = await loadPlan(this.deps, this.item.runId);
    this.columns = recordColumnsOf(plan, this.item.object);
    this.apiNames = new Map(plan.items.map((planned) => [planned.object, planned.apiName]));
    this.dir = await scratchDir(this.deps, this.item.runId, `${this.item.object}-build`);
    const targets = this.item.associationTargets ?? [];
    const built = (this.checkpoint.builtParts ??= []);
    const tables = [this.table('snapshot'), this.table('merges'), ...targets.map((to) => this.associationTable(to))];
    this.numbers = await PartNumbers.start(this.deps, this.item, this.resumed, tables);
    const stopAt = deadline - this.deps.settings.deadlineMarginMs;
    const db = await this.deps.duckdb();
    const { parts, baseColumns } = await sourcePartsOf(this.deps, this.item, this.checkpoint.parts);
    try {
      // Each step makes one unit of progress at least (a part, a chunk of associations), then goes on while time is left.
      const outOfTime = () => this.deps.now().getTime() >= stopAt;
      if (!this.progress.winners) await this.chooseWinners(db, parts, baseColumns);
      else await this.loadWinners(db);
      while (this.progress.sources < parts.length) {
        const group = this.nextGroup(parts);
        await this.writeSources(db, group);
        this.progress.sources += group.length;
        if (this.progress.sources === parts.length && !built.length) await this.writeEmptyPart(db);
        await this.save();
        if (outOfTime()) return this.result(false);
      }
      while (this.progress.pairs < targets.length) {
        await this.readAssociations(db, targets[this.progress.pairs]);
        await this.save();
        if (outOfTime() && this.progress.pairs < targets.length) return this.result(false);
      }
      this.checkpoint.phase = 'done';
      await this.save();
      await this.deps.target.deleteObject(winnersKey(this.item.runId, this.item.object));
      return this.result(true);
    } finally {
      await db.run(`DROP TABLE IF EXISTS ${this.name('winners')}`);
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  private name(what: string): string {
    return quoteIdentifier(`build_${this.tag}_${what}`);
  }

  private result(done: boolean): StepResult {
    return { done, rows: this.checkpoint.rows, parts: this.checkpoint.parts.length };
  }

  private async save(): Promise<void> {
    countRequests(this.deps, this.checkpoint, this.counted);
    await saveCheckpoint(this.deps, this.item, this.resumed);
    const built = this.checkpoint.builtParts ?? [];
    this.deps.onProgress?.({
      object: this.item.object,
      phase: 'build',
      rows: built.reduce((sum, p) => sum + p.rows, 0),
      pages: this.checkpoint.pages,
      requests: this.checkpoint.requests,
      expected: this.item.expected,
    });
  }

  /** Downloads a source part into the scratch folder. */
  private async download(part: SourcePart, name: string): Promise<string> {
    const body = await this.deps.target.getObject(part.key);
    if (!body) {
      throw new CorruptStoredFileError(
        `${this.deps.target.url(part.key)} is missing, though a published manifest names it; run a full snapshot`,
      );
    }
    const file = path.join(this.dir, name);
    await writeFile(file, body);
    return file;
  }

  /** Step 1: each id's newest row and the merges, from the narrow columns of every source part. */
  private async chooseWinners(db: DuckDb, parts: SourcePart[], baseColumns: { name: string; type: string }[]) {
    const narrow = this.name('narrow');
    const merged = this.name('merges');
    const winners = this.name('winners');
    await db.run(
      `CREATE OR REPLACE TABLE ${narrow} (id VARCHAR, synced TIMESTAMP, src INTEGER, archived BOOLEAN, merged VARCHAR[])`,
    );
    try {
      for (const [index, part] of parts.entries()) {
        if (part.rows === 0) continue;
        const file = await this.download(part, `narrow-${index}.parquet`);
        const types = await columnTypes(db, file);
        const mergedType = types.get(MERGED_IDS_PROPERTY);
        const mergedSql =
          mergedType === 'VARCHAR[]'
            ? quoteIdentifier(MERGED_IDS_PROPERTY)
            : mergedType === 'VARCHAR'
              ? `string_split(${quoteIdentifier(MERGED_IDS_PROPERTY)}, ';')`
              : 'CAST(NULL AS VARCHAR[])';
        await db.run(
          `INSERT INTO ${narrow} SELECT id, _synced_at, ${index}, archived, ${mergedSql} ` +
            `FROM read_parquet(${quoteLiteral(file)})`,
        );
        await rm(file, { force: true });
      }
      await db.run(
        `CREATE OR REPLACE TABLE ${winners} AS SELECT id, src, archived FROM ${narrow} ` +
          `QUALIFY row_number() OVER (PARTITION BY id ORDER BY synced DESC, src DESC) = 1`,
      );
      // Merges are for good: a survivor's list only grows, so any row listing an id says it is merged away.
      await db.run(
        `CREATE OR REPLACE TABLE ${merged} AS SELECT merged_id, surviving_id, min(synced) AS seen_at FROM (` +
          `SELECT unnest(merged) AS merged_id, id AS surviving_id, synced FROM ${narrow} ` +
          `WHERE merged IS NOT NULL AND id IN (SELECT id FROM ${winners})) ` +
          `WHERE merged_id <> '' AND merged_id <> surviving_id GROUP BY ALL`,
      );
      const [dropped] = await db.query<{ n: string | number }>(
        `SELECT count(*)::BIGINT AS n FROM ${winners} WHERE id IN (SELECT merged_id FROM ${merged})`,
      );
      await db.run(`DELETE FROM ${winners} WHERE id IN (SELECT merged_id FROM ${merged})`);
      this.progress.mergedAway = Number(dropped?.n ?? 0);
      await this.countAgainstHubSpot(db, winners);
      this.compareWithBase(baseColumns);
      await this.writeMerges(db, merged);
      const file = path.join(this.dir, 'winners.parquet');
      await copyToParquet(db, `SELECT * FROM ${winners}`, { parquetPath: file });
      const key = winnersKey(this.item.runId, this.item.object);
      await this.deps.target.putFile(key, file);
      await rm(file, { force: true });
      this.progress.winners = key;
      await this.save();
    } finally {
      await db.run(`DROP TABLE IF EXISTS ${narrow}`);
      await db.run(`DROP TABLE IF EXISTS ${merged}`);
    }
  }

  /**
   * Live records the snapshot holds against the live count search gave the plan, up to the same id: more here are
   * records HubSpot deleted without reporting them archived (GDPR). Said, not hidden: the next full run drops them.
   */
  private async countAgainstHubSpot(db: DuckDb, winners: string): Promise<void> {
    const counted = this.item.liveCount;
    if (!counted || !/^\d+$/.test(counted.countedBelow)) return;
    const [row] = await db.query<{ n: string | number }>(
      `SELECT count(*)::BIGINT AS n FROM ${winners} WHERE NOT archived AND TRY_CAST(id AS HUGEINT) <= ${counted.countedBelow}`,
    );
    const gone = Math.max(0, Number(row?.n ?? 0) - counted.live);
    this.progress.goneFromHubSpot = gone;
    if (gone > 0) {
      this.deps.log.warn(
        `${this.item.object}: the built snapshot holds ${gone} live record(s) HubSpot no longer counts (deleted for ` +
          'GDPR, which HubSpot does not report as archived); the next full run drops them',
      );
    }
  }

  /** What the base lacks, holds no longer, or holds in another type (the manifest says so). */
  private compareWithBase(baseColumns: { name: string; type: string }[]): void {
    const base = new Map(baseColumns.map((c) => [c.name, c.type]));
    const properties = this.columns.filter((c) => c.property);
    const current = new Set(this.columns.map((c) => c.name));
    this.progress.nullUntilChanged = properties.filter((c) => !base.has(c.name)).map((c) => c.name);
    this.progress.removed = [...base.keys()].filter((name) => !current.has(name));
    this.progress.retyped = properties
      .filter((c) => base.has(c.name) && base.get(c.name) !== c.type)
      .map((c) => c.name);
  }

  /** The merges table: one part, every merge the sources show (empty when there were none). */
  private async writeMerges(db: DuckDb, merged: string): Promise<void> {
    const syncedAt = this.deps.now().toISOString().replace('T', ' ').replace('Z', '');
    const file = path.join(this.dir, 'merges.parquet');
    const { rows } = await copyToParquet(
      db,
      `SELECT merged_id, surviving_id, seen_at, ${quoteLiteral(this.item.runId)} AS _run_id, ` +
        `TIMESTAMP ${quoteLiteral(syncedAt)} AS _synced_at FROM ${merged} ORDER BY surviving_id, merged_id`,
      { parquetPath: file },
    );
    const part = await uploadParquet(this.deps, file, rows, await this.partOptions(this.table('merges')));
    (this.checkpoint.mergeParts ??= []).push(part);
  }

  private async loadWinners(db: DuckDb): Promise<void> {
    const file = await this.download({ key: this.progress.winners ?? '', rows: 0 }, 'winners.parquet');
    await db.run(
      `CREATE OR REPLACE TABLE ${this.name('winners')} AS SELECT * FROM read_parquet(${quoteLiteral(file)})`,
    );
    await rm(file, { force: true });
  }

  /** Where the next part goes, under a number reserved in the checkpoint first (throws once superseded). */
  private async partOptions(table: TableRef) {
    await this.numbers.reserve(1);
    return { table, date: this.item.snapshotDate, runId: this.item.runId, index: this.numbers.take(), columns: [] };
  }

  /** The current columns of a source's rows. */
  private projection(types: Map<string, string>): string {
    return this.columns
      .map((column) => {
        const value = column.name === UNPARSED_COLUMN ? unparsedSql(this.columns, types) : convertedSql(column, types);
        return `${value} AS ${quoteIdentifier(column.name)}`;
      })
      .join(', ');
  }

  /** Rows of a part: `partRows`, fewer for wide objects so a part holds at most `partCells` cells. */
  private rowsPerPart(): number {
    const { partRows, partCells } = this.deps.settings;
    return Math.max(1, Math.min(partRows, Math.floor(partCells / Math.max(1, this.columns.length))));
  }

  /**
   * The next source parts to write as one part: the next one, and those after it while their rows still fit one
   * part, so hourly change sets do not each leave a part of a few rows in every snapshot built after them.
   */
  private nextGroup(parts: SourcePart[]): { part: SourcePart; index: number }[] {
    const group: { part: SourcePart; index: number }[] = [];
    let rows = 0;
    for (let index = this.progress.sources; index < parts.length; index += 1) {
      if (group.length && rows + parts[index].rows > this.rowsPerPart()) break;
      group.push({ part: parts[index], index });
      rows += parts[index].rows;
    }
    return group;
  }

  /** Step 2: the winning rows of a group of source parts, as one part of the snapshot. */
  private async writeSources(db: DuckDb, group: { part: SourcePart; index: number }[]): Promise<void> {
    const files: string[] = [];
    const out = path.join(this.dir, `built-${group[0].index}.parquet`);
    try {
      const selects: string[] = [];
      const winners = this.name('winners');
      for (const { part, index } of group) {
        if (part.rows === 0) continue;
        const file = await this.download(part, `source-${index}.parquet`);
        files.push(file);
        const types = await columnTypes(db, file);
        selects.push(
          `SELECT ${this.projection(types)} FROM read_parquet(${quoteLiteral(file)}) s ` +
            `WHERE s.id IN (SELECT id FROM ${winners} WHERE src = ${index})`,
        );
      }
      if (!selects.length) return;
      const { rows } = await copyToParquet(db, selects.join(' UNION ALL '), {
        parquetPath: out,
        rowGroupSize: RECORD_PART_DEFAULTS.rowGroupSize,
        compression: this.deps.settings.compression,
      });
      if (rows === 0) return;
      await this.upload(db, out, rows);
    } finally {
      for (const file of files) await rm(file, { force: true });
      await rm(out, { force: true });
    }
  }

  /** A snapshot with no rows still gets one empty part, so its columns are there to query. */
  private async writeEmptyPart(db: DuckDb): Promise<void> {
    const out = path.join(this.dir, 'built-empty.parquet');
    const typed = this.columns.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdentifier(c.name)}`).join(', ');
    await copyToParquet(db, `SELECT ${typed} WHERE false`, { parquetPath: out });
    await this.upload(db, out, 0);
  }

  private async upload(db: DuckDb, file: string, rows: number): Promise<void> {
    const [counted] = await db.query<{ unparsed: string | number }>(
      `SELECT coalesce(sum(cardinality(${quoteIdentifier(UNPARSED_COLUMN)})), 0)::BIGINT AS unparsed ` +
        `FROM read_parquet(${quoteLiteral(file)})`,
    );
    const options = { ...(await this.partOptions(this.table('snapshot'))), unparsed: Number(counted?.unparsed ?? 0) };
    (this.checkpoint.builtParts ??= []).push(await uploadParquet(this.deps, file, rows, options));
  }

  /** Step 3: one pair's associations for the next live records (a part's worth), or the pair ends. */
  private async readAssociations(db: DuckDb, to: string): Promise<void> {
    const apiName = this.apiNames.get(to) ?? to;
    const limit = this.deps.settings.partRows;
    const after = this.progress.after;
    const ids = await db.query<{ id: string }>(
      `SELECT id FROM ${this.name('winners')} WHERE NOT archived` +
        (after !== undefined ? ` AND id > ${quoteLiteral(after)}` : '') +
        ` ORDER BY id LIMIT ${limit}`,
    );
    const nextPair = () => {
      this.progress.pairs += 1;
      delete this.progress.after;
    };
    if (!ids.length || this.checkpoint.notes[to]) return nextPair();
    const links = new AssociationPrefetch(this.deps.client, this.item.apiName, [{ to, toApiName: apiName }]);
    links.add(ids.map((row) => row.id));
    const found = (await links.collect()).get(to);
    if (found && 'denied' in found) {
      this.checkpoint.notes[to] = describeAccessError(found.denied) ?? found.denied.message;
      this.deps.log.warn(`${this.item.object} -> ${to} associations skipped: ${this.checkpoint.notes[to]}`);
      return nextPair();
    }
    if (found?.rows.length) {
      const meta = { runId: this.item.runId, syncedAt: this.deps.now().toISOString() };
      const part = await uploadRows(
        this.deps,
        found.rows.map((link) => associationRow(link, meta)),
        this.dir,
        { ...(await this.partOptions(this.associationTable(to))), columns: ASSOCIATION_COLUMNS },
      );
      (this.checkpoint.associationParts[to] ??= []).push(part);
    }
    if (ids.length < limit) return nextPair();
    this.progress.after = ids[ids.length - 1].id;
  }
}

/** Runs a compact item's build phase from its checkpoint until done or the deadline. */
export function runBuildStep(
  deps: SyncDeps,
  item: WorkItem,
  resumed: ResumedCheckpoint,
  deadline: number,
): Promise<StepResult> {
  return new BuildStep(deps, item, resumed).run(deadline);
}
