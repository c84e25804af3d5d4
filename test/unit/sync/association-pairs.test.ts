import { DEFAULT_ASSOCIATION_PAIRS } from '../../../lib/hubspot/object-types';
import {
  DEFAULT_ASSOCIATION_PAIRS_TEXT,
  formatAssociationPairs,
  parseAssociationPairs,
} from '../../../lib/sync/association-pairs';
import { InvalidInputError } from '../../../lib/sync/run-input';

describe('Function: parseAssociationPairs', () => {
  it('reads from:to pairs in order, each once, and none as no pairs', () => {
    expect(parseAssociationPairs(' deals:contacts, calls:contacts,deals:contacts ,p_pets:contacts')).toEqual([
      ['deals', 'contacts'],
      ['calls', 'contacts'],
      ['p_pets', 'contacts'],
    ]);
    expect(parseAssociationPairs('none')).toEqual([]);
  });

  it('reads back what formatAssociationPairs writes', () => {
    expect(parseAssociationPairs(DEFAULT_ASSOCIATION_PAIRS_TEXT)).toEqual(DEFAULT_ASSOCIATION_PAIRS);
    expect(formatAssociationPairs([])).toBe('none');
  });

  it.each(['contacts', 'contacts:', 'contacts:companies:deals', 'deals:deals', 'contacts:companies,', 'a b:c', ''])(
    'refuses %j, quoting the bad entry',
    (text) => {
      expect(() => parseAssociationPairs(text)).toThrow(InvalidInputError);
      expect(() => parseAssociationPairs(text)).toThrow(
        /^must be object pairs from:to \(two different objects\) separated by commas, such as contacts:companies,.*, or none; ".*" is not one$/,
      );
    },
  );
});
