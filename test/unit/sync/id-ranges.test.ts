import { densityOf, initialRanges, remainingRecords, splitPoint } from '../../../lib/sync/id-ranges';

describe('Function: initialRanges', () => {
  it.each([
    ['the whole object with no bounds', undefined, undefined, [{}]],
    [
      'the whole object cut above the search bound',
      undefined,
      { min: '100', max: '500' },
      [{ end: '501' }, { from: '501' }],
    ],
    [
      'a slice wholly below the bound',
      { start: '100', end: '300' },
      { min: '100', max: '500' },
      [{ from: '100', end: '300' }],
    ],
    [
      'a slice the bound cuts',
      { start: '300', end: '900' },
      { min: '100', max: '500' },
      [
        { from: '300', end: '501' },
        { from: '501', end: '900' },
      ],
    ],
    ['a slice above the bound', { start: '600' }, { min: '100', max: '500' }, [{ from: '600' }]],
  ])('starts %s', (_what, slice, bounds, expected) => {
    expect(initialRanges(slice, bounds)).toEqual(expected);
  });
});

describe('Function: splitPoint', () => {
  const bounds = { min: '1000', max: '9999' };

  it.each([
    ['halfway through the unread ids', { from: '1000', end: '9000' }, '1000', 100, '5000'],
    ['from where its reader got to', { from: '1000', end: '9000' }, '5000', 100, '7000'],
    ['an open end at the object bound', { from: '1000' }, '1000', 100, '5500'],
    ['not a range with too few records left', { from: '1000', end: '1400' }, '1000', 100, undefined],
    ['not a finished range', { from: '1000', end: '9000', done: true }, '1000', 100, undefined],
  ])('splits %s', (_what, range, fetched, minRecords, expected) => {
    expect(splitPoint(range, fetched, minRecords, bounds, 0.2)).toBe(expected);
  });

  it('estimates what a range has left from the density of the object', () => {
    expect(remainingRecords({ from: '1000', end: '2000' }, '1500', bounds, 0.2)).toBe(100);
    expect(densityOf(bounds, 4_500)).toBe(0.5);
    expect(densityOf(undefined, 4_500)).toBe(0.2);
  });
});
