/** Public types of the HubSpot CRM API simulator (see sim/index.ts). */
import type {
  AssociationType,
  HubSpotRecord,
  ObjectSchema,
  Owner,
  Pipeline,
  PropertyDefinition,
} from '../lib/hubspot/types';
import type { KindName } from './data/property-kinds';

export type ScaleName = 'tiny' | 'demo' | 'large';

/** An owner as the spec's PublicOwner has it: `type` is required. */
export interface SimOwner extends Owner {
  type: 'PERSON' | 'QUEUE';
}

/** A custom object schema as the spec's ObjectSchema has it: `requiredProperties` is required. */
export interface SimObjectSchema extends ObjectSchema {
  requiredProperties: string[];
}

export interface RateLimitOptions {
  maxPerWindow?: number;
  windowMs?: number;
  daily?: number;
  searchPerSecond?: number;
  searchWindowMs?: number;
  /**
   * Count search requests in the key's ten-second window too (default false, as HubSpot's specs exempt search):
   * the fallback should HubSpot count them after all. Search answers still carry no rate headers.
   */
  searchCountsInTenSecondly?: boolean;
}

/** Run-time rate limits: lowered or raised mid-run, the daily count reset as at the portal's midnight. */
export interface LimitsControl {
  get(): Required<RateLimitOptions>;
  /** Changes the named limits (the others stay); throws SimulatorSettingError naming a bad value. */
  set(options: RateLimitOptions): Required<RateLimitOptions>;
  /** Every key's daily count back to 0. */
  resetDaily(): void;
}

/** Per API call: (baseMs + perKbMs x response KB) x a seeded jitter factor uniform in [1 - jitter, 1 + jitter]. */
export interface LatencySettings {
  baseMs: number;
  perKbMs: number;
  jitter: number;
}

export interface LatencyControl {
  get(): LatencySettings;
  /** Changes the named settings (the others stay); throws SimulatorSettingError naming a bad value. */
  set(options: Partial<LatencySettings>): LatencySettings;
}

/** How long a write takes to reach search (the index trails writes); list and batch read always see it at once. */
export interface SearchLagControl {
  get(): number;
  set(ms: number): number;
}

export interface SimulatorOptions {
  /** Default 0 = random free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 1; same seed + scale => identical data. */
  seed?: number;
  /** Default 'tiny'; a number = contacts count, other objects scale from it. */
  scale?: ScaleName | number;
  rateLimit?: RateLimitOptions;
  /** Default zero: answers go out at once. */
  latency?: Partial<LatencySettings>;
  /** Milliseconds before a created, updated or archived record shows so in search; default 0. */
  searchLagMs?: number;
  /** Custom properties of chosen types, instead of the defaults (contacts 580, others 14): benchmarks of width. */
  customProperties?: Readonly<Record<string, number>>;
  /**
   * Custom objects (of pets, projects) the portal does not define until `admin.defineCustomObject`: an object type
   * added between runs. Until then HubSpot knows no such type.
   */
  customObjectsDefinedLater?: readonly string[];
  /** Record counts of chosen types, over what `scale` gives them (benchmarks: 100,000 emails beside 100,000 contacts). */
  counts?: Readonly<Record<string, number>>;
  /** Give `count` records of `objectType` one identical last-modified millisecond (default at demo/large: contacts, 10_050). */
  sameMillisecond?: { objectType: string; count: number };
  /** Clock for timestamps of admin changes; default Date.now. */
  now?: () => number;
  /**
   * Log the property names each request asks for (RequestLogEntry.properties); default off, since a long run's log
   * would keep every name of every page.
   */
  logProperties?: boolean;
}

export interface SimObjectType {
  name: string;
  objectTypeId: string;
  custom: boolean;
  lastModifiedProperty: string;
  fullyQualifiedName?: string;
}

export interface Oracle {
  objectTypes(): SimObjectType[];
  properties(objectType: string): PropertyDefinition[];
  /** Ground truth as of now, ascending numeric id. Every defined property is a key (value string or null). */
  records(objectType: string, opts?: { archived?: boolean }): HubSpotRecord[];
  count(objectType: string, opts?: { archived?: boolean }): number;
  /** Ids only, ascending (cheap at a million records, where `records` builds every property). */
  ids(objectType: string, opts?: { archived?: boolean }): string[];
  record(objectType: string, id: string): HubSpotRecord | undefined;
  /**
   * What a change set of the window `from`..`to` (epoch ms, inclusive) holds, ascending id: live records last
   * modified in it and archived ones archived in it (cheap at a million records: only those are built).
   */
  changed(objectType: string, window: { from: number; to: number }): HubSpotRecord[];
  schemas(): SimObjectSchema[];
  owners(opts?: { archived?: boolean }): SimOwner[];
  pipelines(objectType: string): Pipeline[];
  /** Every association pair, ascending fromId then toId. */
  associations(from: string, to: string): { fromId: string; toId: string; types: AssociationType[] }[];
}

export interface SimulatorAdmin {
  createRecord(objectType: string, properties: Record<string, string | null>): HubSpotRecord;
  updateRecord(objectType: string, id: string, properties: Record<string, string | null>): HubSpotRecord;
  archiveRecord(objectType: string, id: string): void;
  /** Restores an archived record (HubSpot keeps them 90 days): it is live again, with a new last-modified time. */
  restoreRecord(objectType: string, id: string): HubSpotRecord;
  /** Deletes a record for good (a GDPR deletion): gone from lists, search and the archived list alike. */
  deleteRecord(objectType: string, id: string): void;
  /**
   * Merges `mergedId` into `primaryId`, as HubSpot does: the merged record is gone (not archived), and the primary
   * is modified, its `hs_merged_object_ids` listing the merged ids (`;`-separated).
   */
  mergeRecords(objectType: string, primaryId: string, mergedId: string): HubSpotRecord;
  /**
   * Associates two records (the pair's unlabelled type, both directions), or with `present` false removes every
   * association between them. HubSpot does not document whether this moves either record's last-modified time; the
   * simulator leaves both alone, so an incremental export cannot count on seeing it.
   */
  setAssociation(from: string, fromId: string, to: string, toId: string, present: boolean): void;
  /**
   * Creates a property of `kind` (a simulator property kind: text, number, select, datetime, ...), as an admin does:
   * no record has a value of it until a write sets one. Returns its definition.
   */
  createProperty(objectType: string, name: string, kind: KindName): PropertyDefinition;
  /** Defines a custom object named in `customObjectsDefinedLater`: from now on the portal has it, records and all. */
  defineCustomObject(name: string): void;
  /** Deletes a property definition (HubSpot archives it): the properties API and records no longer show it. */
  archiveProperty(objectType: string, name: string): void;
  /**
   * Changes a property's type (and field type), as an admin editing it does: its stored values stay the text they
   * were, and are read in the new type from then on.
   */
  changePropertyType(
    objectType: string,
    name: string,
    type: PropertyDefinition['type'],
    fieldType: PropertyDefinition['fieldType'],
  ): void;
}

export interface KeyAdmin {
  create(opts?: { scopes?: string[]; expiresAt?: number }): string;
  rotate(key: string, opts?: { expireOldAfterMs?: number }): string;
  revoke(key: string): void;
  allScopes(): string[];
}

/**
 * 'html-502': a gateway's HTML error page with status 502 (no JSON, no rate headers); 'wrong-body': a 200 whose JSON
 * is another endpoint's answer (one record, not a page), as a misrouting proxy or cache would send.
 */
export type FaultKind =
  | 429
  | 423
  | 500
  | 502
  | 503
  | 504
  | 521
  | 523
  | 524
  | 'reset'
  | 'truncate'
  | 'malformed'
  | 'slow'
  | 'html-502'
  | 'wrong-body';

export interface FaultRule {
  kind: FaultKind;
  /** string path = path prefix, e.g. '/crm/v3/objects/contacts'. */
  match?: { method?: string; path?: string | RegExp };
  /** Fail the next N matching requests (default: unlimited while rate applies). */
  times?: number;
  /** Probability 0..1 per matching request (seeded PRNG: deterministic). */
  rate?: number;
  /** For 'slow'. */
  delayMs?: number;
  /** For 429: send Retry-After. */
  retryAfterSeconds?: number;
}

export interface FaultInjector {
  add(rule: FaultRule): void;
  clear(): void;
  /** Faults applied so far (a test that injected some can tell they fired). */
  fired(): number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  /** The query string, without its '?', when there was one. */
  query?: string;
  /** The path template that matched, e.g. '/crm/objects/{ver}/{type}' ('unknown' when none did). */
  route: string;
  /** The version the path named: 'v3', 'v4' or a date version such as '2026-09'. */
  apiVersion?: string;
  status: number;
  /** Arrival time (wall clock ms): budgets count requests then. */
  at: number;
  keyId?: string;
  /** The latency model's delay before the answer went out, when there was one. */
  latencyMs?: number;
  /** The `numErrors` of a batch answer some inputs of which failed (a 207, or a 200 in 2026-09). */
  numErrors?: number;
  /** The fault injected in place of (or into) the answer, when one was. */
  fault?: FaultKind;
  /**
   * Property names the request asked for (with `logProperties`): the `properties` query parameter (list) or the
   * `properties` and `propertiesWithHistory` body fields (search, batch read); absent when it named none.
   */
  properties?: string[];
}

export interface RequestLog {
  entries(): RequestLogEntry[];
  /** Keys like 'GET /crm/v3/objects/{type} 200' or 'GET /crm/objects/{ver}/{type} 200'. */
  counts(): Record<string, number>;
  total(): number;
  reset(): void;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:43121 (no trailing slash). */
  readonly url: string;
  /** A key with every scope. */
  readonly serviceKey: string;
  readonly oracle: Oracle;
  readonly admin: SimulatorAdmin;
  readonly keys: KeyAdmin;
  readonly faults: FaultInjector;
  readonly log: RequestLog;
  readonly latency: LatencyControl;
  readonly limits: LimitsControl;
  readonly searchLag: SearchLagControl;
  close(): Promise<void>;
}
