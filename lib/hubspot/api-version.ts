/**
 * HubSpot's API versions as data: the paths each one serves, how its batch endpoints report partial failures, and
 * its support dates (HubSpot's versioning docs and developer changelog: a date version each March and September,
 * "current" for six months, supported until 18 months after release; v4 associations end 2027-03-30, v1-v3 in
 * September 2027). The client reads this table; nothing else in the code checks a version. A release that adds a
 * version adds a row here and runs the end-to-end suite against it.
 */
import { InvalidInputError } from '../core/errors';

export const API_VERSION_NAMES = ['v3', '2025-09', '2026-03', '2026-09'] as const;
export type ApiVersion = (typeof API_VERSION_NAMES)[number];

/** The newest version this release supports and tests: the default. */
export const DEFAULT_API_VERSION: ApiVersion = '2026-09';

/** Every path the worker calls, for one version. Names are encoded here, once. */
export interface ApiPaths {
  objects(objectType: string): string;
  search(objectType: string): string;
  batchRead(objectType: string): string;
  properties(objectType: string): string;
  schemas(): string;
  associationsBatchRead(from: string, to: string): string;
  owners(): string;
  pipelines(objectType: string): string;
}

interface VersionFacts {
  paths: ApiPaths;
  /** Until when HubSpot calls it "current" (ISO date); after that a warning names its end of support. */
  currentUntil: string;
  /** The last day HubSpot supports it (ISO date); after it the version is refused. */
  supportedUntil: string;
  /** What the warning adds (v3's associations are v4, which ends earlier). */
  note?: string;
}

const e = encodeURIComponent;

/** Paths of a date version: `/crm/objects/2026-09/contacts`, `/crm/associations/2026-09/deals/contacts/batch/read`. */
function datedPaths(version: string): ApiPaths {
  return {
    objects: (type) => `/crm/objects/${version}/${e(type)}`,
    search: (type) => `/crm/objects/${version}/${e(type)}/search`,
    batchRead: (type) => `/crm/objects/${version}/${e(type)}/batch/read`,
    properties: (type) => `/crm/properties/${version}/${e(type)}`,
    schemas: () => `/crm-object-schemas/${version}/schemas`,
    associationsBatchRead: (from, to) => `/crm/associations/${version}/${e(from)}/${e(to)}/batch/read`,
    owners: () => `/crm/owners/${version}`,
    pipelines: (type) => `/crm/pipelines/${version}/${e(type)}`,
  };
}

const V3_PATHS: ApiPaths = {
  objects: (type) => `/crm/v3/objects/${e(type)}`,
  search: (type) => `/crm/v3/objects/${e(type)}/search`,
  batchRead: (type) => `/crm/v3/objects/${e(type)}/batch/read`,
  properties: (type) => `/crm/v3/properties/${e(type)}`,
  schemas: () => '/crm/v3/schemas',
  associationsBatchRead: (from, to) => `/crm/v4/associations/${e(from)}/${e(to)}/batch/read`,
  owners: () => '/crm/v3/owners',
  pipelines: (type) => `/crm/v3/pipelines/${e(type)}`,
};

export const API_VERSIONS = {
  v3: {
    paths: V3_PATHS,
    currentUntil: '2026-03-30',
    supportedUntil: '2027-03-29',
    note: 'its associations batch read is v4, which HubSpot ends on 2027-03-30 (v1-v3 end in September 2027)',
  },
  '2025-09': {
    paths: datedPaths('2025-09'),
    currentUntil: '2026-03-30',
    supportedUntil: '2027-03-30',
  },
  '2026-03': {
    paths: datedPaths('2026-03'),
    currentUntil: '2026-09-30',
    supportedUntil: '2027-09-30',
  },
  '2026-09': {
    paths: datedPaths('2026-09'),
    currentUntil: '2027-03-30',
    supportedUntil: '2028-03-30',
  },
} as const satisfies Record<ApiVersion, VersionFacts>;

/** The paths of `version`. */
export const apiPaths = (version: ApiVersion): ApiPaths => API_VERSIONS[version].paths;

/** Checks a version name from options, settings or an event; InvalidInputError names the supported ones. */
export function parseApiVersion(text: string): ApiVersion {
  if ((API_VERSION_NAMES as readonly string[]).includes(text)) return text as ApiVersion;
  throw new InvalidInputError(
    `API version ${JSON.stringify(text)} is not supported; use one of ${API_VERSION_NAMES.join(', ')} ` +
      `(default ${DEFAULT_API_VERSION})`,
  );
}

/**
 * What to say of `version` on `today` (ISO date): nothing while it is current, a warning naming its end of support
 * once it is not, and a refusal (InvalidInputError) after that end.
 * @example versionNotice('2025-09', '2026-12-07') // 'HubSpot API version 2025-09 is no longer current; ...'
 */
export function versionNotice(version: ApiVersion, today: string): string | undefined {
  const facts: VersionFacts = API_VERSIONS[version];
  if (today > facts.supportedUntil) {
    throw new InvalidInputError(
      `HubSpot API version ${version} went unsupported after ${facts.supportedUntil}; use ${DEFAULT_API_VERSION}`,
    );
  }
  if (today <= facts.currentUntil) return undefined;
  return (
    `HubSpot API version ${version} is no longer current; HubSpot supports it until ${facts.supportedUntil}` +
    `${facts.note ? ` (${facts.note})` : ''}. Move to ${DEFAULT_API_VERSION} (--api-version, -c apiVersion=)`
  );
}
