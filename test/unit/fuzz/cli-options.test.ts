import fc from 'fast-check';
import { parseRunOptions, type RawRunOptions } from '../../../lib/cli/options';
import { NUMBER_OPTIONS, readWholeNumber } from '../../../lib/cli/option-values';
import { API_VERSION_NAMES } from '../../../lib/hubspot/api-version';
import { parseLocation } from '../../../lib/store/location';
import { InvalidInputError } from '../../../lib/sync/run-input';
import { isoText, parseOrRefuse, RUNS } from './arbitraries';

const NOW = new Date('2026-05-01T12:00:00.000Z');

/** Every option `run` takes, as messages name them. */
const OPTION_NAMES = [
  '--out',
  '--mode',
  '--objects',
  '--since',
  '--until',
  '--hubspot-url',
  '--secret-id',
  '--json',
  '--concurrency',
  '--object-parallelism',
  '--api-version',
  '--part-rows',
  '--associations',
  '--glue-database',
  '--glue-table-prefix',
];

/** An option as commander hands it over: a string, mostly one of `likely`, else any text; or left out. */
const option = (likely: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 5, arbitrary: likely },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );

const count = (max: number) =>
  fc.oneof(
    fc.integer({ min: 0, max: max + 2 }).map(String),
    fc.constantFrom('1e3', '-1', ' 4', '0x10', '4.0', '', '99999999999999999999'),
  );

const rawOptions: fc.Arbitrary<RawRunOptions> = fc.record({
  out: option(
    fc.constantFrom(
      './hubspot-data',
      '/tmp/out',
      's3://lake/hubspot',
      's3://lake',
      's3://Lake/x',
      's3://',
      's3://lake//x',
    ),
  ),
  mode: option(fc.constantFrom('full', 'incremental', 'backfill', 'sideways')),
  objects: option(fc.constantFrom('all', 'contacts,deals', ' deals , tickets ', ' , ', 'con tacts', 'all,deals')),
  since: option(isoText.filter((t): t is string => typeof t === 'string')),
  until: option(isoText.filter((t): t is string => typeof t === 'string')),
  hubspotUrl: option(fc.constantFrom('http://127.0.0.1:8080', 'https://api.hubapi.com', 'ftp://x', 'not a url')),
  secretId: option(fc.constantFrom('hubspot/service-key', 'arn:aws:secretsmanager:eu-west-1:1:secret:k', '')),
  json: fc.option(fc.boolean(), { nil: undefined }),
  concurrency: option(count(NUMBER_OPTIONS.concurrency.max)),
  objectParallelism: option(count(NUMBER_OPTIONS.objectParallelism.max)),
  apiVersion: option(fc.constantFrom(...API_VERSION_NAMES, 'v4', '2026-13')),
  partRows: option(count(100_000)),
  associations: option(
    fc.constantFrom('contacts:companies', 'none', 'deals:contacts, calls:contacts', 'a:a', 'a:b:c', ''),
  ),
  glueDatabase: option(fc.constantFrom('hubspot', 'Hub-Spot', '')),
  glueTablePrefix: option(fc.constantFrom('hs_', 'X', '')),
});

/** The options a refusal names: each issue starts `--name: ` (the first after `invalid options: `). */
const namedOptions = (message: string) =>
  [...message.matchAll(/(?:^invalid options: |; )(--[a-z-]+): /g)].map((m) => m[1]);

describe('Fuzz: run options', () => {
  it('validates into settings within their limits, or refuses naming each bad option', () => {
    fc.assert(
      fc.property(rawOptions, (raw) => {
        const { value: parsed, error } = parseOrRefuse(() => parseRunOptions(raw, NOW), {
          error: InvalidInputError,
          message: /^invalid options: --[a-z-]+: \S/,
        });
        if (error) {
          const named = namedOptions(error.message);
          expect(named.length).toBeGreaterThan(0);
          for (const name of named) expect(OPTION_NAMES).toContain(name);
          return;
        }
        expect(parsed.out).toBe(raw.out);
        expect(parsed.concurrency).toBe(raw.concurrency === undefined ? 4 : Number(raw.concurrency));
        expect(parsed.concurrency).toBeGreaterThanOrEqual(1);
        expect(parsed.concurrency).toBeLessThanOrEqual(16);
        expect(parsed.objectParallelism).toBeGreaterThanOrEqual(1);
        expect(parsed.objectParallelism).toBeLessThanOrEqual(100);
        expect(API_VERSION_NAMES).toContain(parsed.apiVersion);
        if (parsed.partRows !== undefined) expect(parsed.partRows).toBe(Number(raw.partRows));
        expect(parsed.json).toBe(raw.json ?? false);
        expect(parsed.input.mode).toBe(raw.mode ?? 'full');
        if (parsed.glueTablePrefix !== undefined) expect(parsed.glueDatabase).toBeDefined();
        if (parsed.glueDatabase) expect(parseLocation(parsed.out).kind).toBe('s3');
      }),
      RUNS,
    );
  });
});

describe('Fuzz: readWholeNumber', () => {
  it('reads plain digits within the limits, and nothing else', () => {
    const limits = NUMBER_OPTIONS.concurrency;
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -5, max: 30 }).map(String), fc.string({ maxLength: 6 })), (text) => {
        const value = readWholeNumber(text, limits);
        const plain = /^\d+$/.test(text) && Number(text) >= limits.min && Number(text) <= limits.max;
        expect(value).toBe(plain ? Number(text) : undefined);
      }),
      RUNS,
    );
  });
});
