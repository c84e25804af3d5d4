import { parseApiVersion, type ApiVersion } from '../lib/hubspot/api-version';
import { parseS3Location } from '../lib/store/location';
import { parseAssociationPairs, type AssociationPair } from '../lib/sync/association-pairs';
import { parsePropertyRefs, type PropertyRef } from '../lib/sync/sensitive-properties';

/** Configuration a deployed function reads from its environment: names only, never the service key. */
export interface FunctionConfig {
  /** s3://bucket/prefix the export writes to. */
  location: string;
  /** Secrets Manager secret id (ARN or name) holding the service key. */
  secretId: string;
  hubspotUrl?: string;
  eventBusName: string;
  /** Glue database finalize registers datasets in (set on finalize only, when the stack has a catalog). */
  glueDatabase?: string;
  glueTablePrefix?: string;
  /** Objects the state machine exports at once (set on sync-step): they share the key's search rate. */
  parallelObjects: number;
  /** Object pairs whose associations full runs export (set on plan when the stack names them). */
  associationPairs?: AssociationPair[];
  /** Items a large object's full snapshot is split into (set on plan). */
  /** Plan: incremental runs list archived records at least / at most this often (archived-sweep.ts). */
  listArchivedEveryHours?: number;
  listArchivedAtMostEveryHours?: number;
  objectParallelism?: number;
  /** HubSpot API version to call (set on every function). */
  apiVersion?: ApiVersion;
  /** Properties never requested nor written (set on plan when the stack names them). */
  excludeProperties?: PropertyRef[];
  /** Properties written as keyed hashes (set on plan when the stack names them). */
  hashProperties?: PropertyRef[];
  /** Secrets Manager secret id holding the hash key (set on plan and sync-step when the stack hashes properties). */
  hashKeySecretId?: string;
}

/** Reads the function's configuration once; a missing variable fails with a message naming it. */
export function readFunctionConfig(env: NodeJS.ProcessEnv = process.env): FunctionConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`environment variable ${name} is not set; the stack sets it on every function`);
    return value;
  };
  // A misconfigured stack fails its first invocation naming the variable, not some later S3 or HTTP call.
  const location = `s3://${required('OUTPUT_BUCKET')}/${env.OUTPUT_PREFIX ?? ''}`.replace(/\/$/, '');
  try {
    parseS3Location(location);
  } catch (error) {
    throw new Error(`environment variables OUTPUT_BUCKET and OUTPUT_PREFIX: ${(error as Error).message}`);
  }
  const hubspotUrl = env.HUBSPOT_API_URL || undefined;
  if (hubspotUrl && !/^https?:$/.test(URL.parse(hubspotUrl)?.protocol ?? '')) {
    throw new Error(
      `environment variable HUBSPOT_API_URL must be an http:// or https:// URL, not ${JSON.stringify(hubspotUrl)}`,
    );
  }
  const parallel = env.PARALLEL_OBJECTS ?? '1';
  if (!/^[1-9]\d{0,2}$/.test(parallel)) {
    throw new Error(
      `environment variable PARALLEL_OBJECTS must be a whole number from 1, not ${JSON.stringify(parallel)}`,
    );
  }
  const slices = env.OBJECT_PARALLELISM;
  if (slices !== undefined && !/^[1-9]\d{0,2}$/.test(slices)) {
    throw new Error(
      `environment variable OBJECT_PARALLELISM must be a whole number from 1, not ${JSON.stringify(slices)}`,
    );
  }
  let apiVersion: ApiVersion | undefined;
  if (env.HUBSPOT_API_VERSION) {
    try {
      apiVersion = parseApiVersion(env.HUBSPOT_API_VERSION);
    } catch (error) {
      throw new Error(`environment variable HUBSPOT_API_VERSION: ${(error as Error).message}`);
    }
  }
  let associationPairs: AssociationPair[] | undefined;
  if (env.ASSOCIATION_PAIRS !== undefined) {
    try {
      associationPairs = parseAssociationPairs(env.ASSOCIATION_PAIRS);
    } catch (error) {
      throw new Error(`environment variable ASSOCIATION_PAIRS ${(error as Error).message}`);
    }
  }
  const propertyList = (name: string): PropertyRef[] | undefined => {
    const value = env[name];
    if (value === undefined) return undefined;
    try {
      return parsePropertyRefs(value);
    } catch (error) {
      throw new Error(`environment variable ${name} ${(error as Error).message}`);
    }
  };
  const hours = (name: string): number | undefined => {
    const value = env[name];
    if (value === undefined) return undefined;
    if (!/^\d{1,3}$/.test(value) || Number(value) > 720) {
      throw new Error(
        `environment variable ${name} must be a whole number of hours from 0 to 720, not ${JSON.stringify(value)}`,
      );
    }
    return Number(value);
  };
  const listArchivedEveryHours = hours('LIST_ARCHIVED_EVERY_HOURS');
  const listArchivedAtMostEveryHours = hours('LIST_ARCHIVED_AT_MOST_EVERY_HOURS');
  const excludeProperties = propertyList('EXCLUDE_PROPERTIES');
  const hashProperties = propertyList('HASH_PROPERTIES');
  const hashKeySecretId = env.HASH_KEY_SECRET_ID || undefined;
  if (hashProperties?.length && !hashKeySecretId) {
    throw new Error(
      'environment variable HASH_KEY_SECRET_ID is not set, and HASH_PROPERTIES needs it; the stack sets both ' +
        '(-c hashProperties with -c hashKeySecret)',
    );
  }
  return {
    location,
    secretId: required('SERVICE_KEY_SECRET_ID'),
    hubspotUrl,
    eventBusName: env.EVENT_BUS_NAME || 'default',
    glueDatabase: env.GLUE_DATABASE || undefined,
    glueTablePrefix: env.GLUE_TABLE_PREFIX || undefined,
    parallelObjects: Number(parallel),
    ...(associationPairs ? { associationPairs } : {}),
    ...(slices !== undefined ? { objectParallelism: Number(slices) } : {}),
    ...(apiVersion ? { apiVersion } : {}),
    ...(listArchivedEveryHours !== undefined ? { listArchivedEveryHours } : {}),
    ...(listArchivedAtMostEveryHours !== undefined ? { listArchivedAtMostEveryHours } : {}),
    ...(excludeProperties ? { excludeProperties } : {}),
    ...(hashProperties ? { hashProperties } : {}),
    ...(hashKeySecretId ? { hashKeySecretId } : {}),
  };
}
