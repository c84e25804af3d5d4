import fc from 'fast-check';
import { readFunctionConfig } from '../../../functions/env';
import { API_VERSION_NAMES } from '../../../lib/hubspot/api-version';
import { parseS3Location } from '../../../lib/store/location';
import { parseOrRefuse, RUNS } from './arbitraries';

/** The variables readFunctionConfig reads; the stack sets them. */
const VARIABLES = [
  'OUTPUT_BUCKET',
  'OUTPUT_PREFIX',
  'SERVICE_KEY_SECRET_ID',
  'HUBSPOT_API_URL',
  'EVENT_BUS_NAME',
  'GLUE_DATABASE',
  'GLUE_TABLE_PREFIX',
  'PARALLEL_OBJECTS',
  'OBJECT_PARALLELISM',
  'HUBSPOT_API_VERSION',
  'ASSOCIATION_PAIRS',
];

/** A variable as the environment holds it: mostly a likely value, else any text, or unset. */
const variable = (likely: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 5, arbitrary: likely },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );

const whole = fc.oneof(fc.integer({ min: 0, max: 1200 }).map(String), fc.constantFrom('01', '1e2', ' 2', '-1', ''));

const environment = fc.record({
  OUTPUT_BUCKET: variable(fc.constantFrom('lake', 'my-lake.data', 'Lake', 'a', '192.168.0.1', 'lake-')),
  OUTPUT_PREFIX: variable(fc.constantFrom('hubspot', 'hubspot/', 'a/b', 'a//b', '../x', '')),
  SERVICE_KEY_SECRET_ID: variable(fc.constantFrom('arn:aws:secretsmanager:eu-west-1:1:secret:k', 'hubspot/key')),
  HUBSPOT_API_URL: variable(fc.constantFrom('http://127.0.0.1:8080', 'https://api.hubapi.com', 'ftp://x', 'x', '')),
  EVENT_BUS_NAME: variable(fc.constantFrom('default', 'sync-events', '')),
  GLUE_DATABASE: variable(fc.constantFrom('hubspot', '')),
  GLUE_TABLE_PREFIX: variable(fc.constantFrom('hs_', '')),
  PARALLEL_OBJECTS: variable(whole),
  OBJECT_PARALLELISM: variable(whole),
  HUBSPOT_API_VERSION: variable(fc.constantFrom(...API_VERSION_NAMES, 'v4', '')),
  ASSOCIATION_PAIRS: variable(fc.constantFrom('contacts:companies', 'none', 'a:a', 'deals:contacts,x', '')),
});

/** Unset variables are absent, not present with undefined, as in process.env. */
const envOf = (values: Record<string, string | undefined>): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));

describe('Fuzz: function configuration', () => {
  it('reads a configuration that holds, or fails naming the variable', () => {
    const named = new RegExp(`^environment variables? (${VARIABLES.join('|')})\\b`);
    fc.assert(
      fc.property(environment, (values) => {
        const env = envOf(values);
        const { value: config } = parseOrRefuse(() => readFunctionConfig(env), { error: Error, message: named });
        if (!config) return;
        expect(parseS3Location(config.location).bucket).toBe(env.OUTPUT_BUCKET);
        expect(config.secretId).toBe(env.SERVICE_KEY_SECRET_ID);
        expect(config.parallelObjects).toBe(Number(env.PARALLEL_OBJECTS ?? '1'));
        expect(Number.isInteger(config.parallelObjects) && config.parallelObjects >= 1).toBe(true);
        if (config.objectParallelism !== undefined) expect(config.objectParallelism).toBeGreaterThanOrEqual(1);
        if (config.hubspotUrl !== undefined)
          expect(['http:', 'https:']).toContain(URL.parse(config.hubspotUrl)?.protocol);
        expect(config.eventBusName).toBe(env.EVENT_BUS_NAME || 'default');
        if (config.apiVersion !== undefined) expect(API_VERSION_NAMES).toContain(config.apiVersion);
      }),
      RUNS,
    );
  });
});
