/**
 * Records of one object type, generated lazily: only ids, last-modified times and archived flags sit in typed
 * arrays; property values are rebuilt from (seed, type, index, property) on demand, with an overlay for admin changes.
 */
import type { HubSpotRecord, PropertyValue } from '../../lib/hubspot/types';
import { ARCHIVED_PER_MILLE, DATA_END_MS, DATA_START_MS, SAME_MILLISECOND_MS } from '../settings';
import { hash3, hashString, mixHash } from './hash';
import type { CatalogType } from './object-catalog';
import type { SimProperty, TypeProperties } from './property-catalog';
import { placeQuirks } from './quirks';
import { ByteWriter } from '../../lib/core/byte-writer';
import { NULL_VALUE_LENGTH, NullTemplateCache } from './null-template';
import { isoString } from './iso-time';
import { generateValue } from './value-generator';

/** `archived` of a record deleted for good (a GDPR deletion, a merged-away record): matches neither 0 nor 1. */
export const DELETED = 2;
const SYSTEM_NONE = 0;
const SYSTEM_ID = 1;
const SYSTEM_CREATED = 2;
const SYSTEM_MODIFIED = 3;
const MONTH_MS = 30 * 86_400_000;
/** An overlay that hides the current one: `value()` defaults to the current overlay when given undefined. */
const NO_OVERLAY: Readonly<Record<string, PropertyValue>> = Object.freeze({});

/** What a write changes in a record: the state search keeps showing until the search lag has passed. */
export interface RecordState {
  readonly overlay: Readonly<Record<string, PropertyValue>> | undefined;
  readonly updatedAt: number;
  readonly archived: number;
}

export interface TypeStoreOptions {
  readonly type: CatalogType;
  readonly properties: TypeProperties;
  readonly count: number;
  readonly seed: number;
  /** Records sharing one last-modified millisecond. */
  readonly sameMillisecondCount: number;
  readonly ownerIds: readonly string[];
}

export class TypeStore {
  readonly type: CatalogType;
  readonly properties: TypeProperties;
  readonly baseCount: number;
  length: number;
  /** Incremented on every change; caches key on it. */
  version = 0;
  ids: Float64Array;
  updatedAt: Float64Array;
  archived: Uint8Array;
  maxUpdatedAt = 0;
  private readonly salt: number;
  private readonly overlay = new Map<number, Record<string, PropertyValue>>();
  private readonly archivedAtOverride = new Map<number, number>();
  private readonly createdAtOverride = new Map<number, number>();
  private readonly quirks: Map<number, Map<number, string>>;
  private systemKinds: Uint8Array;
  private readonly ownerIds: readonly string[];
  private readonly templates: NullTemplateCache;

  constructor(options: TypeStoreOptions) {
    const { type, properties, count } = options;
    this.type = type;
    this.properties = properties;
    this.baseCount = count;
    this.length = count;
    this.ownerIds = options.ownerIds;
    this.salt = mixHash(options.seed, hashString(type.name));
    this.quirks = placeQuirks(properties.list, count);
    this.systemKinds = Uint8Array.from(properties.list, (p) => systemKindOf(p.def.name, type.lastModifiedProperty));
    this.templates = new NullTemplateCache(properties.list, (p) => this.systemKinds[p] !== SYSTEM_NONE);
    const capacity = count + 64;
    this.ids = new Float64Array(capacity);
    this.updatedAt = new Float64Array(capacity);
    this.archived = new Uint8Array(capacity);
    this.generateIndexes(options.sameMillisecondCount);
  }

  private generateIndexes(sameCount: number): void {
    const n = this.baseCount;
    const sameStart = Math.max(0, Math.floor((n - sameCount) / 2));
    const sameEnd = Math.min(n, sameStart + sameCount);
    let id = 1000 + (this.salt % 90_000);
    for (let i = 0; i < n; i++) {
      const h = hash3(this.salt, i, 0x1d);
      this.ids[i] = id;
      id += 1 + (h % 9) + (h % 211 === 0 ? 1000 : 0);
      const created = this.createdAtOf(i);
      const updated =
        i >= sameStart && i < sameEnd ? SAME_MILLISECOND_MS : created + (mixHash(h, 7) % (DATA_END_MS - created + 1));
      this.updatedAt[i] = updated;
      if (updated > this.maxUpdatedAt) this.maxUpdatedAt = updated;
      // A bulk update touched live records: the shared-millisecond block holds no archived ones.
      const archived = i % 19 === 15 || mixHash(h, 11) % 1000 < ARCHIVED_PER_MILLE;
      this.archived[i] = archived && updated !== SAME_MILLISECOND_MS ? 1 : 0;
    }
  }

  /** Creation time of record `i` (pure for generated records). */
  createdAtOf(i: number): number {
    const override = this.createdAtOverride.get(i);
    if (override !== undefined) return override;
    const span = DATA_END_MS - DATA_START_MS - MONTH_MS;
    return (
      DATA_START_MS + Math.floor((i * span) / Math.max(1, this.baseCount)) + (hash3(this.salt, i, 0x2e) % 3_600_000)
    );
  }

  archivedAtOf(i: number): number {
    return this.archivedAtOverride.get(i) ?? this.updatedAt[i] + (hash3(this.salt, i, 0x3f) % MONTH_MS);
  }

  /** Index of the first record whose id is >= `id`. */
  lowerBound(id: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the record with this id, or -1. */
  indexOf(id: string): number {
    if (!/^\d+$/.test(id)) return -1;
    const numeric = Number(id);
    const i = this.lowerBound(numeric);
    return i < this.length && this.ids[i] === numeric ? i : -1;
  }

  /**
   * Adds a property no record has a value of yet, as an admin creating one does (its fill must be 0); records show
   * it as null until a write sets it. Returns its index.
   */
  addProperty(property: SimProperty): number {
    if (property.fill !== 0) throw new Error(`${property.def.name}: a property created now has no values yet`);
    if (this.properties.byName.has(property.def.name)) {
      throw new Error(`${this.type.name} already has a property ${property.def.name}`);
    }
    const p = this.properties.list.length;
    (this.properties.list as SimProperty[]).push(property);
    (this.properties.byName as Map<string, number>).set(property.def.name, p);
    this.systemKinds = Uint8Array.from([...this.systemKinds, SYSTEM_NONE]);
    return p;
  }

  /** Value of property number `p` of record `i`. */
  value(i: number, p: number, overlay = this.overlay.get(i), quirks = this.quirks.get(i)): PropertyValue {
    const prop = this.properties.list[p];
    if (overlay && prop.def.name in overlay) return overlay[prop.def.name];
    switch (this.systemKinds[p]) {
      case SYSTEM_ID:
        return String(this.ids[i]);
      case SYSTEM_CREATED:
        return isoString(this.createdAtOf(i));
      case SYSTEM_MODIFIED:
        return isoString(this.updatedAt[i]);
    }
    if (i >= this.baseCount) return null;
    const quirk = quirks?.get(p);
    if (quirk !== undefined) return quirk;
    const h = hash3(this.salt, i, p);
    if (h % 1000 >= prop.fill) return null;
    return generateValue(prop, h, this.ownerIds);
  }

  /** The current state of record `i` (a copy: later writes do not change it). */
  stateOf(i: number): RecordState {
    const overlay = this.overlay.get(i);
    return { overlay: overlay && { ...overlay }, updatedAt: this.updatedAt[i], archived: this.archived[i] };
  }

  /** Value of property `p` of record `i` as it was in `state`. */
  valueIn(state: RecordState, i: number, p: number): PropertyValue {
    if (this.systemKinds[p] === SYSTEM_MODIFIED) return isoString(state.updatedAt);
    return this.value(i, p, state.overlay ?? NO_OVERLAY);
  }

  /** Record `i` as a JSON string with the properties numbered in `props` (as it was in `state`, if given). */
  recordJson(i: number, props: readonly number[], state?: RecordState): string {
    const writer = new ByteWriter(4096);
    this.writeRecordJson(writer, i, props, state);
    return writer.toString();
  }

  /**
   * Writes record `i` as JSON bytes. Fast path for pages: the properties block is copied from a template of
   * `"name":null` segments, and only non-null values are written individually. For a generated record without
   * overlay or quirks, one hash per property decides null-ness before any value is generated (most custom
   * values are null); this is exactly what `value()` does, without its per-property lookups.
   */
  writeRecordJson(out: ByteWriter, i: number, props: readonly number[], state?: RecordState): void {
    const overlay = state ? state.overlay : this.overlay.get(i);
    const quirks = this.quirks.get(i);
    const template = this.templates.get(props);
    const { bytes, valueStarts, propIndex, fill } = template;
    const plain = overlay === undefined && quirks === undefined && i < this.baseCount;
    const list = this.properties.list;
    const ownerIds = this.ownerIds;
    const systemKinds = this.systemKinds;
    const base = mixHash(this.salt, i);
    const id = String(this.ids[i]);
    const createdAt = isoString(this.createdAtOf(i));
    const updatedAt = isoString(state ? state.updatedAt : this.updatedAt[i]);
    out.ascii('{"id":"');
    out.ascii(id);
    out.ascii('","properties":{');
    let copied = 0;
    for (let k = 0; k < propIndex.length; k++) {
      const p = propIndex[k];
      const f = fill[k];
      let v: PropertyValue;
      if (plain && f >= 0) {
        // hash3(salt, i, p) with the record part hoisted out of the loop.
        const h = mixHash(base, p);
        if (h % 1000 >= f) continue;
        v = generateValue(list[p], h, ownerIds);
      } else if (plain) {
        const kind = systemKinds[p];
        v = kind === SYSTEM_ID ? id : kind === SYSTEM_CREATED ? createdAt : updatedAt;
      } else {
        v = systemKinds[p] === SYSTEM_MODIFIED ? updatedAt : this.value(i, p, overlay ?? NO_OVERLAY, quirks);
        if (v === null) continue;
      }
      const valueAt = valueStarts[k];
      out.slice(bytes, copied, valueAt);
      out.jsonString(v);
      copied = valueAt + NULL_VALUE_LENGTH;
    }
    out.slice(bytes, copied, bytes.length);
    out.ascii('},"createdAt":"');
    out.ascii(createdAt);
    out.ascii('","updatedAt":"');
    out.ascii(updatedAt);
    if ((state ? state.archived : this.archived[i]) === 1) {
      out.ascii('","archived":true,"archivedAt":"');
      out.ascii(isoString(this.archivedAtOf(i)));
      out.ascii('"}');
    } else out.ascii('","archived":false}');
  }

  /** Record `i` as an object with the properties numbered in `props`. */
  record(i: number, props: readonly number[]): HubSpotRecord {
    const overlay = this.overlay.get(i);
    const properties: Record<string, PropertyValue> = {};
    for (const p of props) properties[this.properties.list[p].def.name] = this.value(i, p, overlay);
    const archived = this.archived[i] === 1;
    const record: HubSpotRecord = {
      id: String(this.ids[i]),
      properties,
      createdAt: isoString(this.createdAtOf(i)),
      updatedAt: isoString(this.updatedAt[i]),
      archived,
    };
    if (archived) record.archivedAt = isoString(this.archivedAtOf(i));
    return record;
  }

  /** Appends a record with a new highest id; returns its index. */
  create(properties: Record<string, PropertyValue>, nowMs: number): number {
    if (this.length === this.ids.length) this.grow();
    const i = this.length;
    const lastId = i === 0 ? 1000 : this.ids[i - 1];
    this.ids[i] = lastId + 1 + (hash3(this.salt, i, 0x4a) % 5);
    const at = this.nextModifiedAt(nowMs);
    this.createdAtOverride.set(i, at);
    this.updatedAt[i] = at;
    this.archived[i] = 0;
    this.overlay.set(i, this.knownOnly(properties));
    this.length++;
    this.version++;
    return i;
  }

  update(i: number, properties: Record<string, PropertyValue>, nowMs: number): void {
    this.overlay.set(i, { ...this.overlay.get(i), ...this.knownOnly(properties) });
    this.updatedAt[i] = this.nextModifiedAt(nowMs);
    this.version++;
  }

  /** Deletes record `i` for good: neither live nor archived (DELETED), in no list, search or batch read. */
  remove(i: number): void {
    this.archived[i] = DELETED;
    this.version++;
  }

  /** Restores an archived record `i`: live again, modified now. */
  restore(i: number, nowMs: number): void {
    this.archived[i] = 0;
    this.archivedAtOverride.delete(i);
    this.updatedAt[i] = this.nextModifiedAt(nowMs);
    this.version++;
  }

  /** Archives record `i`; its last-modified time stays unchanged, as in HubSpot. */
  archive(i: number, nowMs: number): void {
    this.archived[i] = 1;
    this.archivedAtOverride.set(i, nowMs);
    this.version++;
  }

  /** A modification time strictly later than any existing one. */
  private nextModifiedAt(nowMs: number): number {
    const at = Math.max(nowMs, this.maxUpdatedAt + 1);
    this.maxUpdatedAt = at;
    return at;
  }

  /** Drops unknown and system properties: those are the server's. */
  private knownOnly(properties: Record<string, PropertyValue>): Record<string, PropertyValue> {
    const kept: Record<string, PropertyValue> = {};
    for (const [name, value] of Object.entries(properties)) {
      const p = this.properties.byName.get(name);
      if (p !== undefined && this.systemKinds[p] === SYSTEM_NONE) kept[name] = value === null ? null : String(value);
    }
    return kept;
  }

  private grow(): void {
    const capacity = this.ids.length * 2;
    const ids = new Float64Array(capacity);
    ids.set(this.ids);
    const updatedAt = new Float64Array(capacity);
    updatedAt.set(this.updatedAt);
    const archived = new Uint8Array(capacity);
    archived.set(this.archived);
    this.ids = ids;
    this.updatedAt = updatedAt;
    this.archived = archived;
  }
}

function systemKindOf(name: string, lastModifiedProperty: string): number {
  if (name === 'hs_object_id') return SYSTEM_ID;
  if (name === 'createdate') return SYSTEM_CREATED;
  if (name === lastModifiedProperty) return SYSTEM_MODIFIED;
  return SYSTEM_NONE;
}
