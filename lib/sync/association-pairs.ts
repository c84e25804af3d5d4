/**
 * Which object pairs' associations full runs export, as users write them: `from:to` pairs separated by commas
 * (`contacts:companies,calls:contacts`), or `none`. The CLI (`--associations`) and the deployed plan function
 * (ASSOCIATION_PAIRS, from the stack's `associationPairs`) read the same text.
 */
import { DEFAULT_ASSOCIATION_PAIRS } from '../hubspot/object-types';
import { InvalidInputError, OBJECT_NAME, quote } from './run-input';

export type AssociationPair = readonly [from: string, to: string];

/** The default pairs as text, for help and docs. */
export const formatAssociationPairs = (pairs: readonly AssociationPair[]): string =>
  pairs.length ? pairs.map(([from, to]) => `${from}:${to}`).join(',') : 'none';

export const DEFAULT_ASSOCIATION_PAIRS_TEXT = formatAssociationPairs(DEFAULT_ASSOCIATION_PAIRS);

/**
 * The pairs `text` names, each once, in its order. A bad entry throws InvalidInputError with a message that
 * follows the setting's name (`--associations must be ...`).
 * @example parseAssociationPairs('deals:contacts, calls:contacts') // [['deals','contacts'],['calls','contacts']]
 */
export function parseAssociationPairs(text: string): AssociationPair[] {
  const trimmed = text.trim();
  if (trimmed === 'none') return [];
  const pairs = new Map<string, AssociationPair>();
  for (const entry of trimmed.split(',').map((part) => part.trim())) {
    const [from, to, ...rest] = entry.split(':');
    const valid = rest.length === 0 && [from, to].every((name) => name !== undefined && OBJECT_NAME.test(name));
    if (!valid || from === to) {
      throw new InvalidInputError(
        `must be object pairs from:to (two different objects) separated by commas, such as ` +
          `${DEFAULT_ASSOCIATION_PAIRS_TEXT}, or none; ${quote(entry)} is not one`,
      );
    }
    pairs.set(`${from}:${to}`, [from, to]);
  }
  return [...pairs.values()];
}
