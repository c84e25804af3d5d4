import { compareIds, idSpan, maxId, midId, nextId } from '../../../lib/hubspot/record-ids';

describe('Module: record-ids', () => {
  it.each([
    ['9', '10', -1],
    ['10', '9', 1],
    ['123', '123', 0],
    ['0009', '9', 0],
    ['123456789012345678901', '123456789012345678900', 1],
  ])('compares %s and %s as integers', (a, b, sign) => {
    expect(Math.sign(compareIds(a, b))).toBe(sign);
  });

  it('steps, measures and halves ids past the precision of a double', () => {
    expect(nextId('9007199254740993')).toBe('9007199254740994');
    expect(idSpan('100', '250')).toBe(150);
    expect(idSpan('250', '100')).toBe(0);
    expect(midId('100', '200')).toBe('150');
    expect(midId('100', '101')).toBeUndefined();
    expect(maxId(['9', '10', '2'])).toBe('10');
  });
});
