import { InvalidInputError } from '../../../lib/core/errors';
import { apiPaths, parseApiVersion, versionNotice } from '../../../lib/hubspot/api-version';

describe('Module: api-version', () => {
  it.each([
    ['v3', '/crm/v3/objects/contacts/search', '/crm/v4/associations/deals/2-1001/batch/read', '/crm/v3/owners'],
    [
      '2026-09',
      '/crm/objects/2026-09/contacts/search',
      '/crm/associations/2026-09/deals/2-1001/batch/read',
      '/crm/owners/2026-09',
    ],
  ] as const)('gives the paths of %s from its one table', (version, search, associations, owners) => {
    const paths = apiPaths(version);
    expect([paths.search('contacts'), paths.associationsBatchRead('deals', '2-1001'), paths.owners()]).toEqual([
      search,
      associations,
      owners,
    ]);
  });

  it('encodes names once, wherever a path takes one', () => {
    expect(apiPaths('2026-03').objects('p 1/x')).toBe('/crm/objects/2026-03/p%201%2Fx');
  });

  it.each([
    ['2026-09', '2026-12-07', undefined],
    ['2026-03', '2026-12-07', 'HubSpot API version 2026-03 is no longer current; HubSpot supports it until 2027-09-30'],
    ['v3', '2026-12-07', 'its associations batch read is v4, which HubSpot ends on 2027-03-30'],
  ] as const)('says of %s on %s: %s', (version, today, notice) => {
    const said = versionNotice(version, today);
    if (notice === undefined) expect(said).toBeUndefined();
    else expect(said).toContain(notice);
  });

  it('refuses a version past its end of support, and a name it does not know', () => {
    expect(() => versionNotice('2025-09', '2027-04-01')).toThrow(
      'HubSpot API version 2025-09 went unsupported after 2027-03-30; use 2026-09',
    );
    expect(() => parseApiVersion('2027-03')).toThrow(InvalidInputError);
  });
});
