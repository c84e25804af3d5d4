import { InvalidInputError, parseRunInput } from '../../../lib/sync/run-input';

describe('Function: parseRunInput', () => {
  it.each([
    [{ mode: 'full' }, { mode: 'full', objects: 'all' }],
    [
      { mode: 'incremental', objects: ['contacts', 'deals'] },
      { mode: 'incremental', objects: ['contacts', 'deals'] },
    ],
    [
      { mode: 'backfill', objects: ['deals'], since: '2026-01-01', until: '2026-02-01T00:00:00Z' },
      { mode: 'backfill', objects: ['deals'], since: '2026-01-01', until: '2026-02-01T00:00:00Z' },
    ],
  ])('accepts %j', (input, expected) => {
    expect(parseRunInput(input)).toEqual(expected);
  });

  it.each([
    [{ mode: 'sideways' }, 'mode: mode must be one of full, incremental, backfill'],
    [{ mode: 'backfill', objects: ['deals'] }, 'since: a backfill needs since'],
    [{ mode: 'full', since: '2026-01-01' }, 'a full run takes no since/until'],
    [{ mode: 'incremental', since: 'yesterday' }, 'since: must be an ISO 8601 date or datetime'],
    [{ mode: 'incremental', objects: [] }, 'objects: name at least one object'],
    [{ mode: 'incremental', objects: ['con tacts'] }, 'objects.0: object names hold only'],
    [
      { mode: 'backfill', since: '2026-02-01', until: '2026-01-01' },
      'until (2026-01-01) must be after since (2026-02-01)',
    ],
    [{ mode: 'full', extra: 1 }, 'Unrecognized key: "extra"'],
  ])('rejects %j naming the problem', (input, message) => {
    expect(() => parseRunInput(input)).toThrow(InvalidInputError);
    expect(() => parseRunInput(input)).toThrow(message);
  });
});
