import { InvalidInputError, parseRunInput } from '../../../lib/sync/run-input';

const NOW = new Date('2026-05-01T12:00:00.000Z');
const NOT_ISO =
  'must be an ISO 8601 date (2026-01-31) or date-time with Z or an offset (2026-01-31T09:30:00Z, 2026-01-31T10:30+01:00)';

describe('Function: parseRunInput', () => {
  it.each([
    [{ mode: 'full' }, { mode: 'full', objects: 'all' }],
    [
      { mode: 'incremental', objects: ['contacts', 'deals'] },
      { mode: 'incremental', objects: ['contacts', 'deals'] },
    ],
    [
      { mode: 'backfill', objects: ['deals'], since: '2026-01-01', until: '2026-02-01T00:00:00Z' },
      { mode: 'backfill', objects: ['deals'], since: '2026-01-01T00:00:00.000Z', until: '2026-02-01T00:00:00.000Z' },
    ],
    [
      { mode: 'backfill', objects: ['deals'], since: '2026-01-01T10:30+01:00', until: '2026-02-01T00:00:00.25-05:00' },
      { mode: 'backfill', objects: ['deals'], since: '2026-01-01T09:30:00.000Z', until: '2026-02-01T05:00:00.250Z' },
    ],
  ])('accepts %j as %j', (input, expected) => {
    expect(parseRunInput(input, { now: NOW })).toEqual(expected);
  });

  it.each([
    [{ mode: 'sideways' }, 'mode: must be one of full, incremental, backfill, compact, not "sideways"'],
    [{}, 'mode: is required: one of full, incremental, backfill'],
    [{ mode: 'backfill', objects: ['deals'] }, 'since: a backfill needs since (the start of its window)'],
    [{ mode: 'full', since: '2026-01-01' }, 'since: a full run takes no since/until; use mode backfill'],
    [{ mode: 'incremental', since: 'yesterday' }, `since: ${NOT_ISO}, not "yesterday"`],
    [{ mode: 'incremental', since: '1' }, `since: ${NOT_ISO}, not "1"`],
    [{ mode: 'incremental', since: '2002' }, `since: ${NOT_ISO}, not "2002"`],
    [{ mode: 'incremental', since: 2002 }, `since: ${NOT_ISO}, not 2002`],
    [{ mode: 'incremental', since: '2020-01-01 00:00' }, `since: ${NOT_ISO}, not "2020-01-01 00:00"`],
    [{ mode: 'incremental', since: '2020-01-01T00:00:00' }, `since: ${NOT_ISO}, not "2020-01-01T00:00:00"`],
    [{ mode: 'incremental', since: '2026-02-30' }, 'since: "2026-02-30" is not a real date or time'],
    [{ mode: 'incremental', until: '2026-01-01T24:00Z' }, 'until: "2026-01-01T24:00Z" is not a real date or time'],
    [{ mode: 'incremental', objects: [] }, 'objects: name at least one object, or "all"'],
    [{ mode: 'incremental', objects: 'some' }, 'objects: must be "all" or a list of object names, not "some"'],
    [
      { mode: 'incremental', objects: ['con tacts'] },
      'objects.0: object names hold only letters, digits, "_" and "-", not "con tacts"',
    ],
    [
      { mode: 'backfill', since: '2026-02-01', until: '2026-01-01' },
      'until: until (2026-01-01T00:00:00.000Z) must be after since (2026-02-01T00:00:00.000Z)',
    ],
    [
      { mode: 'backfill', since: '2026-01-01T01:00+01:00', until: '2026-01-01' },
      'until: until (2026-01-01T00:00:00.000Z) must be after since (2026-01-01T00:00:00.000Z)',
    ],
    [{ mode: 'full', extra: 1 }, 'input: Unrecognized key: "extra"'],
  ])('rejects %j naming the problem', (input, message) => {
    expect(() => parseRunInput(input)).toThrow(InvalidInputError);
    expect(() => parseRunInput(input)).toThrow(`invalid run input: ${message}`);
  });

  describe('with the run clock', () => {
    it.each([
      { mode: 'incremental', until: '2026-05-01T12:01:00Z' }, // within the clock skew
      { mode: 'backfill', since: '2026-05-01T11:59:59.999Z' }, // just before now
      { mode: 'backfill', since: '2026-05-01T12:00:30Z', until: '2026-05-01T12:01:00Z' }, // within the skew
    ])('accepts %j', (input) => {
      expect(() => parseRunInput(input, { now: NOW })).not.toThrow();
    });

    it.each([
      [
        { mode: 'incremental', until: '2026-05-01T12:01:00.001Z' },
        'until: 2026-05-01T12:01:00.001Z is in the future; leave it out to mean now',
      ],
      [
        { mode: 'backfill', since: '2026-05-01T12:00:00Z' },
        'since: 2026-05-01T12:00:00.000Z is not before now (2026-05-01T12:00:00.000Z): nothing to export',
      ],
      [
        { mode: 'incremental', since: '2999-01-01' },
        'since: 2999-01-01T00:00:00.000Z is not before now (2026-05-01T12:00:00.000Z): nothing to export',
      ],
    ])('rejects %j', (input, message) => {
      expect(() => parseRunInput(input, { now: NOW })).toThrow(`invalid run input: ${message}`);
      expect(() => parseRunInput(input)).not.toThrow();
    });
  });
});
