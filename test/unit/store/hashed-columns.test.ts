import { glueColumns, hashedColumnComment } from '../../../lib/store/catalog';

describe('Function: glueColumns, for columns of keyed hashes', () => {
  it('says in the Glue comment that a hashed column holds hashes, and leaves the others without one', () => {
    expect(
      glueColumns([
        { name: 'email', type: 'VARCHAR', hash: 'hmac-sha256' },
        { name: 'hs_buying_role', type: 'VARCHAR[]', hash: 'hmac-sha256' },
        { name: 'firstname', type: 'VARCHAR' },
      ]),
    ).toEqual([
      { Name: 'email', Type: 'string', Comment: hashedColumnComment('hmac-sha256') },
      { Name: 'hs_buying_role', Type: 'array<string>', Comment: hashedColumnComment('hmac-sha256') },
      { Name: 'firstname', Type: 'string' },
    ]);
    expect(hashedColumnComment('hmac-sha256')).toBe(
      'keyed hash (hmac-sha256, hex) of the normalized value, not the value: see the README, Sensitive properties',
    );
  });
});
