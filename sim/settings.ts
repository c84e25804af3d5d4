/** Settings of the simulator as data: scales, limits, time span of generated data. */

/** Record counts per object type at each named scale; types not listed use `others`. */
export const SCALES = {
  tiny: {
    contacts: 250,
    companies: 80,
    deals: 120,
    tickets: 60,
    line_items: 40,
    products: 30,
    custom: 30,
    others: 20,
  },
  demo: {
    contacts: 12_000,
    companies: 2_000,
    deals: 3_000,
    tickets: 1_500,
    line_items: 1_500,
    products: 200,
    custom: 300,
    others: 400,
  },
} as const;

export type ScaleTable = { readonly [K in keyof (typeof SCALES)['tiny']]: number };

/** Contacts at scale 'large'; other types follow the demo ratios. */
export const LARGE_CONTACTS = 1_000_000;

/** Records sharing one last-modified millisecond at demo and large scale. */
export const DEFAULT_SAME_MILLISECOND = { objectType: 'contacts', count: 10_050 } as const;

export const DEFAULT_RATE_LIMIT = {
  maxPerWindow: 190,
  windowMs: 10_000,
  daily: 1_000_000,
  searchPerSecond: 5,
  searchWindowMs: 1_000,
} as const;

export const LIMITS = {
  listDefault: 10,
  listMax: 100,
  searchDefault: 10,
  searchMax: 200,
  searchResultCap: 10_000,
  searchBodyMaxChars: 3_000,
  searchMaxGroups: 5,
  searchMaxFiltersPerGroup: 6,
  searchMaxFilters: 18,
  batchReadMax: 100,
  associationsBatchMax: 1_000,
  /** Associations returned per input and page: small so that paging really happens. */
  associationsPageSize: 10,
  ownersDefault: 100,
  ownersMax: 500,
  urlMaxChars: 16_000,
} as const;

/** Generated timestamps lie in [DATA_START_MS, DATA_END_MS]. */
export const DATA_START_MS = Date.UTC(2019, 0, 1);
export const DATA_END_MS = Date.UTC(2024, 11, 30);
/** The shared millisecond of the `sameMillisecond` block (a bulk update). */
export const SAME_MILLISECOND_MS = Date.UTC(2024, 11, 31, 3, 30, 17, 123);

/** Share of generated records that are archived, per mille (plus every 29th record). */
export const ARCHIVED_PER_MILLE = 15;

/** Pooled page buffers: a 100-record page with every contact property requested is ~1.5 MB per URL chunk. */
export const PAGE_BUFFERS = {
  initialBytes: 4 * 2 ** 20,
  /** Buffers kept for reuse (one per concurrently sent page). */
  keep: 16,
  /** Larger ones (pages with very long values) are left to the GC. */
  maxBytes: 32 * 2 ** 20,
} as const;

/** Parsed `properties` query lists kept per object type (one per distinct URL chunk a client sends). */
export const PROPERTY_LIST_CACHE_SIZE = 64;

/** Defaults of the run-time settings: zero latency and no search lag keep the tests fast. */
export const DEFAULT_LATENCY = { baseMs: 0, perKbMs: 0, jitter: 0 } as const;
export const DEFAULT_SEARCH_LAG_MS = 0;

/**
 * What each run-time setting accepts (options, admin calls and the `sim` flags read this table): `integer` settings
 * take whole numbers only. Time ceilings only catch typos (ten minutes of latency, a window of a day); counts have none.
 */
export const SETTING_LIMITS = {
  baseMs: { min: 0, max: 600_000, integer: false },
  perKbMs: { min: 0, max: 60_000, integer: false },
  /** The factor is uniform in [1 - jitter, 1 + jitter]. */
  jitter: { min: 0, max: 1, integer: false },
  searchLagMs: { min: 0, max: 3_600_000, integer: false },
  maxPerWindow: { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true },
  windowMs: { min: 1, max: 86_400_000, integer: true },
  daily: { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true },
  searchPerSecond: { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true },
  searchWindowMs: { min: 1, max: 86_400_000, integer: true },
} as const satisfies Record<string, { min: number; max: number; integer: boolean }>;

export type NumericSetting = keyof typeof SETTING_LIMITS;
