import { chunkProperties, completeRecord, sliceInto } from '../../../lib/hubspot/property-chunks';

describe('Function: chunkProperties', () => {
  it.each([
    [['a', 'bb', 'ccc'], 4, [['a', 'bb'], ['ccc']]],
    [['a', 'bb', 'ccc'], 100, [['a', 'bb', 'ccc']]],
    [['toolong'], 3, [['toolong']]],
    [[], 10, []],
    [['é', 'b'], 8, [['é', 'b']]], // é encodes to %C3%A9 (6) + ',' + 'b' = 8
    [['é', 'b'], 7, [['é'], ['b']]],
  ])('splits %j at %d characters', (names, max, expected) => {
    expect(chunkProperties(names, max)).toEqual(expected);
  });

  it('keeps every chunk of 700 long names within the limit and loses none', () => {
    const names = Array.from({ length: 700 }, (_, i) => `custom_property_number_${i}`);
    const chunks = chunkProperties(names, 14_000);
    expect(chunks.flat()).toEqual(names);
    expect(chunks.map((c) => c.join(',').length <= 14_000)).toEqual(chunks.map(() => true));
    expect(chunks).toHaveLength(2);
  });
});

describe('Function: sliceInto', () => {
  it('slices 250 items into 100, 100, 50', () => {
    expect(
      sliceInto(
        Array.from({ length: 250 }, (_, i) => i),
        100,
      ).map((s) => s.length),
    ).toEqual([100, 100, 50]);
  });
});

describe('Function: completeRecord', () => {
  it('adds every requested property missing from the record as null', () => {
    const record = { id: '1', properties: { a: 'x' }, createdAt: 'c', updatedAt: 'u', archived: false };
    expect(completeRecord(record, ['a', 'b'])).toEqual({ ...record, properties: { a: 'x', b: null } });
    expect(record.properties).toEqual({ a: 'x' });
  });
});
