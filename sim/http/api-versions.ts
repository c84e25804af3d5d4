/**
 * The API versions the simulator serves, as data (../shared/HUBSPOT_API.md, "Date-based versions"): the legacy v3
 * and v4 paths and HubSpot's date versions. Routes and handlers read this table; nothing else checks a version.
 */

export interface VersionBehaviour {
  /** Served on the date-versioned paths (`/crm/objects/{ver}/...`); legacy versions have literal paths. */
  readonly dated: boolean;
  /**
   * HTTP status of a batch read (objects, associations) some inputs of which failed: 207 (v3, v4, 2025-09, 2026-03),
   * or 200 with `errors` and `numErrors` in the body (2026-09).
   */
  readonly partialFailureStatus: 200 | 207;
  /** Whether a per-input association `paging.next` carries `link` (deprecated, and gone in 2026-09). */
  readonly associationPagingLink: boolean;
}

const V3_SHAPES = { partialFailureStatus: 207, associationPagingLink: true } as const;

export const API_VERSIONS = {
  v3: { dated: false, ...V3_SHAPES },
  /** The associations batch read of the v3 generation. */
  v4: { dated: false, ...V3_SHAPES },
  '2025-09': { dated: true, ...V3_SHAPES },
  '2026-03': { dated: true, ...V3_SHAPES },
  '2026-09': { dated: true, partialFailureStatus: 200, associationPagingLink: false },
} as const satisfies Record<string, VersionBehaviour>;

export type SimApiVersion = keyof typeof API_VERSIONS;

/** The versions of the `{ver}` path segment, e.g. `2026-09`. */
export const DATED_VERSIONS = (Object.keys(API_VERSIONS) as SimApiVersion[]).filter((v) => API_VERSIONS[v].dated);

/** The legacy version a literal path names (`/crm/v3/...`, `/crm/v4/...`), if any. */
export function legacyVersionOf(template: string): SimApiVersion | undefined {
  const segment = template.split('/').find((s) => s in API_VERSIONS && !API_VERSIONS[s as SimApiVersion].dated);
  return segment as SimApiVersion | undefined;
}
