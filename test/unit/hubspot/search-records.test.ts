import {
  buildKeysetSearchBody,
  compareIds,
  fitsSearchBody,
  startSearchCursor,
  windowFilter,
} from '../../../lib/hubspot/search-records';

describe('Function: startSearchCursor', () => {
  it('subtracts the lookback from since', () => {
    expect(
      startSearchCursor(new Date('2024-01-01T00:01:00.000Z'), new Date('2024-01-02T00:00:00.000Z'), 60_000),
    ).toEqual({
      since: '2024-01-01T00:00:00.000Z',
      until: '2024-01-02T00:00:00.000Z',
      afterId: '0',
    });
  });
});

describe('Function: buildKeysetSearchBody', () => {
  it('filters the window and the id range, sorted by id, never paging by offset', () => {
    const window = windowFilter('hs_lastmodifieddate', {
      since: '1970-01-01T00:00:01.000Z',
      until: '1970-01-01T00:00:02.000Z',
    });
    const body = buildKeysetSearchBody({ filters: [window], properties: ['email'] }, '43', '900');
    expect(body).toEqual({
      filterGroups: [
        {
          filters: [
            { propertyName: 'hs_lastmodifieddate', operator: 'BETWEEN', value: '1000', highValue: '2000' },
            { propertyName: 'hs_object_id', operator: 'GTE', value: '43' },
            { propertyName: 'hs_object_id', operator: 'LT', value: '900' },
          ],
        },
      ],
      sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
      properties: ['hs_object_id'],
      limit: 200,
      after: '0',
    });
    expect(JSON.stringify(body).length).toBeLessThan(3000);
  });

  it('asks for the properties themselves when the records are read whole, with no end when the range has none', () => {
    const body = buildKeysetSearchBody({ properties: ['email', 'firstname'], whole: true }, '0', undefined);
    expect(body).toMatchObject({
      filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'GTE', value: '0' }] }],
      properties: ['email', 'firstname'],
    });
  });
});

describe('Function: fitsSearchBody', () => {
  it.each([
    [20, true],
    [300, false],
  ])('says whether %i properties of 20 characters fit the 3,000-character body', (count, fits) => {
    const names = Array.from({ length: count }, (_, i) => `property_${String(i).padStart(11, '0')}`);
    expect(fitsSearchBody(names)).toBe(fits);
  });
});

describe('Function: compareIds', () => {
  it.each([
    ['9', '10', -1],
    ['10', '9', 1],
    ['123', '123', 0],
    ['124', '123', 1],
  ])('orders %s and %s numerically', (a, b, sign) => {
    expect(Math.sign(compareIds(a, b))).toBe(sign);
  });
});
