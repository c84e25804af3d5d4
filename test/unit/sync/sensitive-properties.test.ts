import { InvalidInputError } from '../../../lib/core/errors';
import {
  applyPropertySettings,
  formatPropertyRefs,
  parsePropertyRefs,
  recordColumnsOf,
  requestedNames,
  type PropertySettings,
} from '../../../lib/sync/sensitive-properties';
import { makeProperty } from '../../fixtures/schema/properties';

const CONTACTS = [
  makeProperty('email', 'string', 'text'),
  makeProperty('phone', 'string', 'phonenumber'),
  makeProperty('hs_email_domain', 'string', 'text'),
  makeProperty('hs_email_optout', 'bool', 'booleancheckbox'),
  makeProperty('hs_buying_role', 'enumeration', 'checkbox'),
  makeProperty('annualrevenue', 'number', 'number'),
];
const KNOWN = ['contacts', 'deals', 'notes', 'pets'];

const settings = (exclude: string, hash: string): PropertySettings => ({
  excludeProperties: parsePropertyRefs(exclude),
  hashProperties: parsePropertyRefs(hash),
});
const apply = (exclude: string, hash: string, known: string[] | undefined) =>
  applyPropertySettings([{ object: 'contacts', properties: CONTACTS }], settings(exclude, hash), known);

describe('Function: parsePropertyRefs', () => {
  it.each([
    ['contacts.email, notes.hs_note_body', 'contacts.email,notes.hs_note_body'],
    ['contacts.hs_email_*,contacts.hs_email_*', 'contacts.hs_email_*'],
    ['contacts.*', 'contacts.*'],
    ['none', 'none'],
    ['', 'none'],
  ])('reads %j as %j', (text, formatted) => {
    expect(formatPropertyRefs(parsePropertyRefs(text))).toBe(formatted);
  });

  it('keeps a prefix apart from a name', () => {
    expect(parsePropertyRefs('contacts.hs_*,contacts.email')).toEqual([
      { object: 'contacts', property: 'hs_', prefix: true },
      { object: 'contacts', property: 'email' },
    ]);
  });

  it.each(['contacts', 'contacts.', '*.email', 'contacts.e*mail', 'contacts.email.x', 'con tacts.email', ','])(
    'refuses %j, quoting it',
    (text) => {
      expect(() => parsePropertyRefs(text)).toThrow(InvalidInputError);
      expect(() => parsePropertyRefs(text)).toThrow(/must be object\.property entries separated by commas/);
    },
  );
});

describe('Function: applyPropertySettings', () => {
  it('leaves excluded definitions out of what is requested and names the hashed ones', () => {
    const split = apply('contacts.phone,contacts.hs_email_*', 'contacts.email,contacts.hs_buying_role', KNOWN);
    expect(split.get('contacts')).toEqual({
      requested: CONTACTS.filter((p) => !['phone', 'hs_email_domain', 'hs_email_optout'].includes(p.name)),
      excluded: CONTACTS.filter((p) => ['phone', 'hs_email_domain', 'hs_email_optout'].includes(p.name)),
      hashed: ['email', 'hs_buying_role'],
    });
  });

  it('leaves properties of objects it was not given unchecked, and objects without entries whole', () => {
    const split = applyPropertySettings(
      [{ object: 'deals', properties: [makeProperty('amount', 'number', 'number')] }],
      settings('contacts.nothing_like_this', 'pets.owner_notes'),
      KNOWN,
    );
    expect(split.get('deals')).toEqual({
      requested: [makeProperty('amount', 'number', 'number')],
      excluded: [],
      hashed: [],
    });
  });

  it.each([
    ['contacts.emaill', '', 'excluded property contacts.emaill: contacts has no property emaill (did you mean email?)'],
    ['contacts.zz_*', '', 'excluded property contacts.zz_* matches no property of contacts'],
    [
      'contats.email',
      '',
      'unknown object type contats (did you mean contacts?); this portal has: contacts, deals, notes, pets',
    ],
    ['owners.email', '', 'owners is not a CRM object: its columns are fixed and cannot be excluded or hashed'],
    [
      '',
      'contacts.annualrevenue',
      'hashed property contacts.annualrevenue: only text properties (VARCHAR, VARCHAR[] columns) can be hashed, not annualrevenue (DOUBLE); exclude those instead',
    ],
    [
      '',
      'contacts.hs_email_*',
      'hashed property contacts.hs_email_*: only text properties (VARCHAR, VARCHAR[] columns) can be hashed, not hs_email_optout (BOOLEAN)',
    ],
    [
      'contacts.email',
      'contacts.e*',
      'contacts.email is both excluded and hashed: name it in one of the two settings only',
    ],
  ])('refuses exclude %j hash %j, saying %j', (exclude, hash, message) => {
    expect(() => apply(exclude, hash, KNOWN)).toThrow(InvalidInputError);
    expect(() => apply(exclude, hash, KNOWN)).toThrow(`sensitive properties: ${message}`);
  });

  it('names every problem at once', () => {
    expect(() => apply('contacts.emaill,deals2.x', '', KNOWN)).toThrow(
      'sensitive properties: unknown object type deals2 (did you mean deals?); this portal has: contacts, deals, ' +
        'notes, pets; excluded property contacts.emaill: contacts has no property emaill (did you mean email?)',
    );
  });

  it('cannot tell a name that is not standard when the portal could not list its custom objects', () => {
    expect(apply('maybe_custom.x', '', undefined).get('contacts')?.excluded).toEqual([]);
  });
});

describe('Function: requestedNames', () => {
  it('asks for the record id alone when every property is excluded, so HubSpot sends none of its defaults', () => {
    expect(requestedNames([])).toEqual(['hs_object_id']);
    expect(requestedNames(CONTACTS.slice(0, 2))).toEqual(['email', 'phone']);
  });
});

describe('Function: recordColumnsOf', () => {
  it("marks the columns of the plan's hashed properties", () => {
    const plan = {
      properties: { contacts: CONTACTS.slice(0, 2) },
      propertyHandling: { contacts: { excluded: [], hashed: ['email'] } },
    };
    const columns = recordColumnsOf(plan, 'contacts').filter((c) => c.property);
    expect(columns.map((c) => [c.name, c.hashed ?? false])).toEqual([
      ['email', true],
      ['phone', false],
    ]);
  });
});
