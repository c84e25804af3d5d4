/**
 * Search's eventual consistency: the index trails writes by `lagMs`. A write (create, update, archive) reaches search
 * only `lagMs` after it happened; until then search sees the record as it was before (absent, when just created).
 * Only records written through the admin keep history, and only while it is pending: generated records stay free.
 * The index only moves forward: raising the lag does not hide writes it already showed.
 */
import { checkSetting } from '../setting-checks';
import type { SearchLagControl } from '../types';
import type { RecordState, TypeStore } from './type-store';

interface PendingWrite {
  readonly i: number;
  readonly at: number;
  /** The record before this write; null for a record this write created. */
  readonly before: RecordState | null;
}

/** What search sees of one type: its store, and the records whose latest writes it does not see yet. */
export interface SearchSource {
  readonly store: TypeStore;
  /** Record index -> the state search still shows (null: not created yet, for search); undefined when none lag. */
  readonly stale?: ReadonlyMap<number, RecordState | null>;
  /** Changes whenever what search sees changes (for caches of matches). */
  readonly key: string;
}

class PendingWrites {
  private writes: PendingWrite[] = [];
  private head = 0;
  private cached?: { key: string; stale: Map<number, RecordState | null> };

  add(write: PendingWrite): void {
    this.writes.push(write);
  }

  /** Forgets the writes search sees by `cutoff`, in write order (the index applies them in order). */
  drop(cutoff: number): void {
    while (this.head < this.writes.length && this.writes[this.head].at <= cutoff) this.head++;
    if (this.head > 1024 && this.head * 2 > this.writes.length) {
      this.writes = this.writes.slice(this.head);
      this.head = 0;
    }
  }

  get size(): number {
    return this.writes.length - this.head;
  }

  /** Per record, the state before its earliest pending write. */
  stale(key: string): Map<number, RecordState | null> {
    if (this.cached?.key === key) return this.cached.stale;
    const stale = new Map<number, RecordState | null>();
    for (let k = this.head; k < this.writes.length; k++) {
      const { i, before } = this.writes[k];
      if (!stale.has(i)) stale.set(i, before);
    }
    this.cached = { key, stale };
    return stale;
  }
}

export class SearchIndex implements SearchLagControl {
  private lagMs: number;
  private readonly pending = new Map<TypeStore, PendingWrites>();

  constructor(
    private readonly now: () => number,
    lagMs = 0,
  ) {
    this.lagMs = checkSetting('', 'searchLagMs', lagMs);
  }

  get(): number {
    return this.lagMs;
  }

  /** Changes the lag; throws SimulatorSettingError naming a bad value. */
  set(ms: number): number {
    const lagMs = checkSetting('', 'searchLagMs', ms);
    // What the old lag already let through stays visible; writes still pending wait for the new lag.
    for (const writes of this.pending.values()) writes.drop(this.now() - this.lagMs);
    this.lagMs = lagMs;
    return this.lagMs;
  }

  /** Notes a write to record `i` at `at`, given the record's state before it (null: the write created it). */
  noteWrite(store: TypeStore, i: number, before: RecordState | null, at: number): void {
    if (this.lagMs === 0) return;
    let writes = this.pending.get(store);
    if (!writes) this.pending.set(store, (writes = new PendingWrites()));
    writes.add({ i, at, before });
  }

  /** What search sees of `store` now. */
  source(store: TypeStore): SearchSource {
    const writes = this.pending.get(store);
    writes?.drop(this.now() - this.lagMs);
    if (!writes || writes.size === 0) return { store, key: String(store.version) };
    const key = `${store.version}/${writes.size}`;
    return { store, stale: writes.stale(key), key };
  }
}
