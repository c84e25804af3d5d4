import { createHmac } from 'node:crypto';
import { ByteWriter } from '../../../lib/core/byte-writer';
import { InternalError } from '../../../lib/core/errors';
import type { HubSpotRecord } from '../../../lib/hubspot/types';
import { buildRecordColumns, convertRecord } from '../../../lib/schema/columns';
import { createValueHasher, isHashable, normalizeForHash, pseudonymizeText } from '../../../lib/schema/pseudonymize';
import { createSpoolWriter, spoolKey, toSpoolRow } from '../../../lib/schema/spool-row';
import { EDGE_PROPERTIES, makeProperty } from '../../fixtures/schema/properties';

const KEY = 'k'.repeat(32);
/** HMAC-SHA-256 hex computed here, apart from lib: what another system holding the key computes. */
const hmac = (message: string, key = KEY) => createHmac('sha256', key).update(message, 'utf8').digest('hex');

describe('Function: createValueHasher', () => {
  it('computes HMAC-SHA-256 in lower-case hex (RFC 4231 test case 2)', () => {
    expect(createValueHasher('Jefe')('what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('names its key by an HMAC of a fixed text, the same for the same key and another for another key', () => {
    const hasher = createValueHasher(KEY);
    expect(hasher.keyId).toBe(hmac('hubspot-s3-sync hash key id').slice(0, 16));
    expect(createValueHasher(KEY).keyId).toBe(hasher.keyId);
    expect(createValueHasher('x'.repeat(32)).keyId).not.toBe(hasher.keyId);
  });
});

describe('Function: normalizeForHash', () => {
  it.each([
    ['  Ada.Lovelace@Example.COM ', 'ada.lovelace@example.com'],
    ['\u00a0ÉLODIE@EXAMPLE.FR\n', 'élodie@example.fr'],
    ['Ada Lovelace ', 'Ada Lovelace'],
    ['+1 555-0100', '+1 555-0100'],
    ['a@b@C', 'a@b@C'],
    ['Mail Ada@Example.com', 'Mail Ada@Example.com'],
    ['   ', ''],
  ])('turns %j into %j', (text, normalized) => {
    expect(normalizeForHash(text)).toBe(normalized);
  });
});

describe('Function: pseudonymizeText', () => {
  const hash = createValueHasher(KEY);

  it('hashes a text value after normalizing it, and leaves a blank one blank', () => {
    expect(pseudonymizeText(' Ada@Example.com', 'VARCHAR', hash)).toBe(hmac('ada@example.com'));
    expect(pseudonymizeText('  ', 'VARCHAR', hash)).toBe('');
  });

  it('hashes a multi-select element by element, dropping blank ones', () => {
    expect(pseudonymizeText('a; ;B;', 'VARCHAR[]', hash)).toBe(`${hmac('a')};${hmac('B')}`);
    expect(pseudonymizeText('', 'VARCHAR[]', hash)).toBe('');
  });

  it('refuses a column whose values are not text', () => {
    expect(() => pseudonymizeText('12', 'DOUBLE', hash)).toThrow(InternalError);
  });

  it.each([
    ['string', 'text', true],
    ['phone_number', 'phonenumber', true],
    ['enumeration', 'select', true],
    ['enumeration', 'checkbox', true],
    ['number', 'number', false],
    ['datetime', 'date', false],
    ['bool', 'booleancheckbox', false],
  ] as const)('says a %s (%s) property can be hashed: %s', (type, fieldType, expected) => {
    expect(isHashable(makeProperty('p', type, fieldType))).toBe(expected);
  });
});

describe('Hashed columns in the spool writers and the reference row', () => {
  const hash = createValueHasher(KEY);
  const columns = buildRecordColumns(EDGE_PROPERTIES, { hashed: new Set(['text', 'colors']) });
  const record: HubSpotRecord = {
    id: '7',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    archived: false,
    properties: { text: ' Ada@Example.com ', colors: 'red;Blue', stage: 'open', amount: '12' },
  };
  const keyOf = (name: string) => spoolKey(columns.findIndex((c) => c.name === name));

  it('marks the hashed columns only', () => {
    expect(columns.filter((c) => c.hashed).map((c) => [c.name, c.type])).toEqual([
      ['text', 'VARCHAR'],
      ['colors', 'VARCHAR[]'],
    ]);
  });

  it('writes the hashes, never the values, through the fast writer, toSpoolRow and convertRecord alike', () => {
    const expected = { text: hmac('ada@example.com'), colors: `${hmac('red')};${hmac('Blue')}`, stage: 'open' };
    const out = new ByteWriter();
    createSpoolWriter(columns, hash)(record, out);
    const fast = JSON.parse(out.toString()) as Record<string, unknown>;
    const slow = toSpoolRow(record, columns, hash);
    for (const row of [fast, slow]) {
      expect([row[keyOf('text')], row[keyOf('colors')], row[keyOf('stage')]]).toEqual(Object.values(expected));
    }
    const { row } = convertRecord(record, columns, { runId: 'r', syncedAt: '2026-01-01T00:00:00.000Z' }, hash);
    expect([row.text, row.colors, row.stage]).toEqual([expected.text, [hmac('red'), hmac('Blue')], 'open']);
    expect(JSON.stringify([fast, slow, row])).not.toMatch(/Ada|red|Blue/);
  });

  it('refuses to write a hashed column without a hasher, before any record', () => {
    expect(() => createSpoolWriter(columns)).toThrow('column text holds hashes, but no hash key was given');
    expect(() => toSpoolRow(record, columns)).toThrow(InternalError);
  });

  it('refuses to hash a property whose values are not text', () => {
    expect(() => buildRecordColumns(EDGE_PROPERTIES, { hashed: new Set(['amount']) })).toThrow(
      'property amount (number) cannot be hashed',
    );
  });
});
