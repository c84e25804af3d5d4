import { isoString } from '../../../sim/data/iso-time';

describe('Function: isoString', () => {
  it.each([
    0,
    1,
    999,
    86_399_999,
    86_400_000,
    Date.UTC(2020, 1, 29, 3, 30, 17, 0),
    Date.UTC(2024, 11, 31, 3, 30, 17, 123),
    Date.UTC(2019, 0, 1),
    Date.UTC(2024, 11, 30, 23, 59, 59, 999),
    253_402_300_799_999,
    253_402_300_800_000,
    -1,
    -86_400_001,
    1.5,
  ])('formats %d exactly as Date#toISOString', (ms) => {
    expect(isoString(ms)).toBe(new Date(ms).toISOString());
  });

  it('matches Date#toISOString on 20,000 spread timestamps', () => {
    const mismatches: number[] = [];
    for (let k = 0; k < 20_000; k++) {
      const ms = Math.floor((k * 7_919_993_117) % 1_900_000_000_000) + (k % 1000);
      if (isoString(ms) !== new Date(ms).toISOString()) mismatches.push(ms);
    }
    expect(mismatches).toEqual([]);
  });
});
