import { buildKeysetSearchBody, compareIds, startSearchCursor } from '../../../lib/hubspot/search-records';

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
  it('filters the window and the id tiebreak, sorted by id, never paging by offset', () => {
    const body = buildKeysetSearchBody('hs_lastmodifieddate', {
      since: '1970-01-01T00:00:01.000Z',
      until: '1970-01-01T00:00:02.000Z',
      afterId: '42',
    });
    expect(body).toEqual({
      filterGroups: [
        {
          filters: [
            { propertyName: 'hs_lastmodifieddate', operator: 'BETWEEN', value: '1000', highValue: '2000' },
            { propertyName: 'hs_object_id', operator: 'GT', value: '42' },
          ],
        },
      ],
      sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
      properties: ['hs_object_id', 'hs_lastmodifieddate'],
      limit: 200,
      after: '0',
    });
    expect(JSON.stringify(body).length).toBeLessThan(3000);
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
