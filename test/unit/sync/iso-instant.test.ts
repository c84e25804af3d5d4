import { parseIsoInstant } from '../../../lib/sync/iso-instant';

describe('Function: parseIsoInstant', () => {
  it.each([
    ['2026-01-31', '2026-01-31T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
    ['0099-12-31', '0099-12-31T00:00:00.000Z'],
    ['2026-01-31T09:30Z', '2026-01-31T09:30:00.000Z'],
    ['2026-01-31T09:30:15Z', '2026-01-31T09:30:15.000Z'],
    ['2026-01-31T09:30:15.5Z', '2026-01-31T09:30:15.500Z'],
    ['2026-01-31T09:30:15.123456789Z', '2026-01-31T09:30:15.123Z'],
    ['2026-01-31T10:30+01:00', '2026-01-31T09:30:00.000Z'],
    ['2026-01-01T00:30:00+01:00', '2025-12-31T23:30:00.000Z'],
    ['2026-01-31T04:00:00-05:30', '2026-01-31T09:30:00.000Z'],
    ['2026-01-31T23:59:59.999-23:59', '2026-02-01T23:58:59.999Z'],
  ])('reads %s as %s', (text, expected) => {
    expect(parseIsoInstant(text)?.toISOString()).toBe(expected);
  });

  it.each([
    ['1', 'a bare number'],
    ['2002', 'a bare year'],
    ['2026-01', 'a month'],
    ['2020-01-01 00:00', 'a local time with a space'],
    ['2020-01-01T00:00', 'a local time'],
    ['2020-01-01T00:00:00', 'a local time with seconds'],
    ['2020-01-01T00Z', 'no minutes'],
    ['2020-01-01T00:00:00+0100', 'an offset without a colon'],
    ['2020-01-01t00:00z', 'lowercase t and z'],
    ['2026-1-5', 'one-digit month and day'],
    ['+002026-01-01', 'an expanded year'],
    [' 2026-01-01', 'a leading blank'],
    ['2026-02-30', 'February 30'],
    ['2025-02-29', 'February 29 of a common year'],
    ['1900-02-29', 'February 29 of a century that is no leap year'],
    ['2026-04-31', 'April 31'],
    ['2026-13-01', 'month 13'],
    ['2026-00-10', 'month 0'],
    ['2026-01-00', 'day 0'],
    ['2026-01-01T24:00Z', 'hour 24'],
    ['2026-01-01T12:60Z', 'minute 60'],
    ['2016-12-31T23:59:60Z', 'a leap second'],
    ['2026-01-01T12:00+24:00', 'offset hour 24'],
    ['2026-01-01T12:00+01:60', 'offset minute 60'],
    ['yesterday', 'words'],
  ])('rejects %s (%s)', (text) => {
    expect(parseIsoInstant(text)).toBeUndefined();
  });
});
