import { InternalError } from '../core/errors';
import { describeAccessError } from '../hubspot';
import { AssociationPrefetch, type AssociationTarget } from './association-prefetch';
import type { ColumnSpec, NdjsonSpool } from '../parquet';
import type { Column } from '../schema/columns';
import { createSpoolWriter } from '../schema/spool-row';
import type { TableRef } from '../store/layout';
import type { Checkpoint, SyncPhase } from './state';
import { countRequests, resumeCheckpoint, saveCheckpoint, type ResumedCheckpoint } from './checkpoint';
import type { SyncDeps } from './deps';
import { tableOf } from './tables';
import { OneBehind } from './one-behind';
import { openSpool, PartNumbers, removeLocalPart, scratchDir, uploadRows, uploadSpool } from './parts';
import { hasherForPlan } from './hash-key';
import { loadPlan } from './plan-cache';
import { recordColumnsOf, requestedNames } from './sensitive-properties';
import { nextPhase, pagesOfPhase, pagingEnded, type PhasePage, type PhaseReading } from './record-pages';
import { runBuildStep } from './build-snapshot';
import { ASSOCIATION_COLUMNS, associationRow } from './side-tables';
import type { StepResult, WorkItem } from './types';

export interface StepOptions {
  /** Epoch ms by which the step must have returned (the Lambda's remaining time); default no limit. */
  deadline?: number;
  /** Aborted (the user interrupted the run): the step finishes the upload in flight and writes no new part. */
  signal?: AbortSignal;
}

/** Rows spooled since the last closed part and the position to resume from once they are uploaded. */
interface PendingPart {
  spool: NdjsonSpool;
  /** `_synced_at` of the part's rows: when the part was started, just before its first page was read. */
  syncedAt: string;
  /** Associations of the part's records, read as its pages come in (full runs with association pairs). */
  links: AssociationPrefetch;
  /** Pages added since the last part was closed. */
  pages: number;
  resume: PhasePage['resume'];
  /** The rows end their phase: the checkpoint moves on to the next phase. */
  last: boolean;
}

/**
 * Time kept before the deadline per millisecond of the slowest write seen. The clock is read after a part is handed
 * to the writer, which first waits out the previous write: from the last reading before the stop, up to two writes
 * (and a page's fetch) pass before the step returns.
 */
const WRITE_ALLOWANCE = 2.5;

/** A closed part on its way to the checkpoint, with the phase fetching went on in after it. */
type ClosedPart = PendingPart & { phase: SyncPhase };

/** Where fetching has got to: ahead of the checkpoint by the part being written. */
type FetchPosition = Pick<Checkpoint, 'phase' | 'cursor' | 'searchCursor' | 'ranges'>;

/**
 * The sync step of one records item. Fetching runs ahead of the checkpoint by at most one part: a closed part is
 * converted, uploaded and checkpointed in the background (OneBehind) while the next one is fetched, so a wide
 * object's DuckDB time no longer stalls the rate budget. The checkpoint only ever records uploaded parts.
 */
class RecordStep {
  private readonly table: TableRef;
  private columns: Column[] = [];
  /** Writes a record's spool line (createSpoolWriter of the plan's columns, set when the step runs). */
  private writeRecord: ReturnType<typeof createSpoolWriter> = () => undefined;
  private dir = '';
  /** What the API path takes for each planned object (a custom object's objectTypeId), by object name. */
  private apiNames = new Map<string, string>();
  /** The item's one counter of part numbers, each reserved in the checkpoint before its upload. */
  private numbers!: PartNumbers;
  /** Names spool files apart from part numbers, which the background writer takes when it uploads. */
  private spoolCount = 0;
  private pending!: PendingPart;
  private position!: FetchPosition;
  private readonly writer = new OneBehind();
  /** Rows and pages of closed parts not yet in the checkpoint (for progress). */
  private readonly closed = { rows: 0, pages: 0 };
  private readonly counted = { requests: 0, retries: 0 };

  constructor(
    private readonly deps: SyncDeps,
    private readonly item: WorkItem,
    private readonly resumed: ResumedCheckpoint,
  ) {
    this.table = tableOf(item);
    this.counted.requests = deps.client.stats.requests;
    this.counted.retries = deps.client.stats.retries;
  }

  private get checkpoint() {
    return this.resumed.checkpoint;
  }

  async run(deadline: number, signal?: AbortSignal): Promise<StepResult> {
    const plan = await loadPlan(this.deps, this.item.runId);
    // Excluded properties are not in the plan's list: never asked for, never spooled.
    const names = requestedNames(plan.properties[this.item.object] ?? []);
    this.columns = recordColumnsOf(plan, this.item.object);
    // Hashed columns are hashed as each record is spooled: their values never reach the disk.
    const hash = this.columns.some((c) => c.hashed) ? await hasherForPlan(this.deps.hashKey, plan) : undefined;
    this.writeRecord = createSpoolWriter(this.columns, hash);
    this.apiNames = new Map(plan.items.map((item) => [item.object, item.apiName]));
    const slice = this.item.slice;
    this.dir = await scratchDir(
      this.deps,
      this.item.runId,
      slice ? `${this.item.object}-${slice.index}` : this.item.object,
    );
    const { phase, cursor, searchCursor, ranges } = this.checkpoint;
    const tables = [this.table, ...(this.item.associationTargets ?? []).map((to) => this.associationTable(to))];
    this.numbers = await PartNumbers.start(this.deps, this.item, this.resumed, tables);
    this.position = { phase, cursor, searchCursor, ranges };
    await this.startPart();
    try {
      return await this.pageUntil(deadline, names, signal);
    } finally {
      // The part being written is finished before the step returns; when the step failed, that error is the one
      // thrown. Rows after the last closed part are re-read by the next step: drop their spool (and file handle).
      await this.writer.drain().catch(() => undefined);
      await this.pending.spool.close();
      await removeLocalPart(this.deps, this.pending.spool.path);
    }
  }

  /**
   * When to stop fetching: the margin before the deadline, or more when a part's write (DuckDB, upload, association
   * reads sharing the rate budget) has taken longer here, since the step finishes one write after it stops.
   */
  private stopAt(deadline: number): number {
    const slowestWriteMs = this.checkpoint.slowestWriteMs ?? 0;
    return deadline - Math.max(this.deps.settings.deadlineMarginMs, WRITE_ALLOWANCE * slowestWriteMs);
  }

  /** How this step reads its phases: the settings, and the lookback its window takes. */
  private reading(): PhaseReading {
    const { settings } = this.deps;
    // The lookback covers search lag behind a watermark; a backfill's since is the user's own, taken as given.
    const lookbackMs = this.item.mode === 'incremental' ? settings.lookbackMs + (this.item.clockSkewMs ?? 0) : 0;
    return {
      lookbackMs,
      maxRanges: settings.maxRanges,
      minSplitRecords: settings.minSplitRecords,
      searchRanges: settings.searchInFullRuns,
      searchLagMs: settings.searchLagMs,
      now: () => this.deps.now().getTime(),
    };
  }

  private async pageUntil(deadline: number, names: string[], signal?: AbortSignal): Promise<StepResult> {
    const { client } = this.deps;
    while (!pagingEnded(this.position.phase)) {
      const phase = this.position.phase;
      // The lookback covers search lag behind a watermark; a backfill's since is the user's own, taken as given.
      const pages = pagesOfPhase(client, this.item, { ...this.position }, names, this.reading());
      for await (const page of pages) {
        await this.addPage(page);
        if (this.pending.spool.rows >= this.rowsPerPart() || page.last) await this.closePart();
        if (signal?.aborted) {
          // The run is being stopped and its parts removed: finish the upload in flight, write nothing more.
          await this.writer.drain();
          return this.result(this.isDone());
        }
        if (this.deps.now().getTime() >= this.stopAt(deadline)) {
          await this.stopAtDeadline();
          return this.result(this.isDone());
        }
      }
      // A search phase learns it has ended only when its pager does.
      if (this.position.phase === phase) {
        this.pending.last = true;
        await this.closePart();
      }
    }
    await this.writer.drain();
    return this.result(this.isDone());
  }

  /**
   * Out of time: write what was fetched, unless the previous part is still being written. Then only that part is
   * finished and the pending rows are left to the next step (which re-reads them), so the time after the deadline
   * stays one part's write at most, as the deadline margin assumes.
   */
  private async stopAtDeadline(): Promise<void> {
    if (!this.writer.busy) await this.closePart();
    await this.writer.drain();
  }

  /** Rows of a part: `partRows`, fewer for wide objects so a part holds at most `partCells` cells. */
  private rowsPerPart(): number {
    const { partRows, partCells } = this.deps.settings;
    return Math.max(1, Math.min(partRows, Math.floor(partCells / Math.max(1, this.columns.length))));
  }

  // A method, so the loop's narrowing of `phase` does not hide that a finished part may have moved it.
  private isDone(): boolean {
    return this.checkpoint.phase === 'done';
  }

  private result(done: boolean): StepResult {
    return { done, rows: this.checkpoint.rows, parts: this.checkpoint.parts.length };
  }

  private async startPart(): Promise<void> {
    this.pending = {
      spool: await openSpool(this.dir, this.spoolCount++),
      syncedAt: this.deps.now().toISOString(),
      links: new AssociationPrefetch(this.deps.client, this.item.apiName, this.associationTargets()),
      pages: 0,
      resume: {},
      last: false,
    };
  }

  private async addPage(page: PhasePage): Promise<void> {
    // A part that failed to upload stops the fetching at once.
    this.writer.check();
    const collectIds = this.position.phase === 'live' && this.item.associationTargets?.length;
    // Raw wire text only: DuckDB types the values when the part is written (writeRecordPart).
    await this.pending.spool.appendAll(page.records, this.writeRecord);
    if (collectIds) this.pending.links.add(page.records.map((record) => record.id));
    this.pending.resume = page.resume;
    this.pending.last = page.last;
    this.pending.pages += 1;
    countRequests(this.deps, this.checkpoint, this.counted);
    this.deps.onProgress?.({
      object: this.item.object,
      phase: this.position.phase,
      rows: this.checkpoint.rows + this.closed.rows + this.pending.spool.rows,
      pages: this.checkpoint.pages + this.closed.pages + this.pending.pages,
      requests: this.checkpoint.requests,
      expected: this.item.expected,
      ...(this.item.slice ? { slice: this.item.slice.index } : {}),
    });
  }

  /**
   * Closes the pending rows as a part and hands it to the background writer (after the previous part is written),
   * moves the fetch position past it, and starts the next part.
   */
  private async closePart(): Promise<void> {
    const part = this.pending;
    if (part.pages === 0 && !part.last) return;
    const phase = part.last ? nextPhase(this.item, this.position.phase) : this.position.phase;
    await part.spool.close();
    this.closed.rows += part.spool.rows;
    this.closed.pages += part.pages;
    await this.writer.start(() => this.writePart({ ...part, phase }));
    if (phase !== this.position.phase) this.position = { phase };
    else Object.assign(this.position, part.resume);
    await this.startPart();
  }

  /** Uploads a closed part (and its associations), then checkpoints the position after it. */
  private async writePart(part: ClosedPart): Promise<void> {
    const { spool, syncedAt, links, resume, phase, pages } = part;
    const started = this.deps.now().getTime();
    try {
      // An empty table still gets one (empty) part, so its schema is there to query.
      const lastOfEmpty = pagingEnded(phase) && this.checkpoint.parts.length === 0;
      if (spool.rows > 0 || lastOfEmpty) {
        // The part's number and one per association table; throws, uploading nothing, once superseded.
        await this.numbers.reserve(1 + (this.item.associationTargets?.length ?? 0));
        const meta = { runId: this.item.runId, syncedAt };
        const uploaded = await uploadSpool(this.deps, spool, {
          ...this.partOptions(this.table),
          columns: this.columns,
          meta,
        });
        this.checkpoint.parts.push(uploaded);
        this.checkpoint.rows += uploaded.rows;
        this.checkpoint.unparsed += uploaded.unparsed;
        await this.uploadAssociations(links);
      }
    } finally {
      // Written or failed, the part's local files go: a failed part is fetched again by the next step.
      await removeLocalPart(this.deps, spool.path);
    }
    // Kept in the checkpoint, so the next step knows it from its first page.
    this.checkpoint.slowestWriteMs = Math.max(this.checkpoint.slowestWriteMs ?? 0, this.deps.now().getTime() - started);
    this.closed.rows -= spool.rows;
    this.closed.pages -= pages;
    this.checkpoint.pages += pages;
    if (phase !== this.checkpoint.phase) {
      this.checkpoint.phase = phase;
      delete this.checkpoint.cursor;
      delete this.checkpoint.searchCursor;
      delete this.checkpoint.ranges;
    } else {
      Object.assign(this.checkpoint, resume);
    }
    countRequests(this.deps, this.checkpoint, this.counted);
    await saveCheckpoint(this.deps, this.item, this.resumed);
  }

  /** Where the next part goes; its number comes from the item's one counter. */
  private partOptions(table: TableRef, columns: ColumnSpec[] = this.columns) {
    return { table, date: this.item.snapshotDate, runId: this.item.runId, index: this.numbers.take(), columns };
  }

  private associationTable(to: string): TableRef {
    return { kind: 'associations', from: this.item.object, to };
  }

  /** The association pairs read with this item's parts, with the API name of each target. */
  private associationTargets(): AssociationTarget[] {
    return (this.item.associationTargets ?? []).map((to) => {
      const toApiName = this.apiNames.get(to);
      if (!toApiName) throw new InternalError(`association target ${to} is not in run ${this.item.runId}'s plan`);
      return { to, toApiName };
    });
  }

  /** Writes the part's associations, pair by pair; a pair the key cannot read is noted once and skipped. */
  private async uploadAssociations(links: AssociationPrefetch): Promise<void> {
    for (const [to, found] of await links.collect()) {
      if (this.checkpoint.notes[to]) continue;
      if ('denied' in found) {
        this.checkpoint.notes[to] = describeAccessError(found.denied) ?? found.denied.message;
        this.deps.log.warn(`${this.item.object} -> ${to} associations skipped: ${this.checkpoint.notes[to]}`);
        continue;
      }
      if (!found.rows.length) continue;
      const meta = { runId: this.item.runId, syncedAt: this.deps.now().toISOString() };
      const part = await uploadRows(
        this.deps,
        found.rows.map((link) => associationRow(link, meta)),
        this.dir,
        this.partOptions(this.associationTable(to), ASSOCIATION_COLUMNS),
      );
      (this.checkpoint.associationParts[to] ??= []).push(part);
    }
  }
}

/**
 * sync-step for a CRM object: pages from the last checkpoint, spools, writes and uploads parts,
 * checkpoints after each, and returns before `deadline`. Called again with the same item, it
 * continues exactly after the last checkpoint.
 */
export async function runRecordStep(deps: SyncDeps, item: WorkItem, options: StepOptions = {}): Promise<StepResult> {
  const resumed = await resumeCheckpoint(deps, item);
  const deadline = options.deadline ?? Infinity;
  let result: StepResult = { done: false, rows: resumed.checkpoint.rows, parts: resumed.checkpoint.parts.length };
  const paged = !pagingEnded(resumed.checkpoint.phase);
  if (paged) result = await new RecordStep(deps, item, resumed).run(deadline, options.signal);
  // A compact item builds its snapshot once its change set is in: in the same step while time is left, and always in
  // a step that starts there (the build makes one unit of progress before it looks at the clock).
  const timeLeft = !paged || deps.now().getTime() < deadline;
  if (resumed.checkpoint.phase === 'build' && !options.signal?.aborted && timeLeft) {
    return runBuildStep(deps, item, resumed, deadline);
  }
  return resumed.checkpoint.phase === 'done' ? { ...result, done: true } : result;
}
