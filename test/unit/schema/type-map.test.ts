import type { FieldType, PropertyType } from '../../../lib/hubspot/types';
import { mapPropertyType } from '../../../lib/schema/type-map';

describe('Function: mapPropertyType', () => {
  it.each<[PropertyType, FieldType, string]>([
    ['string', 'text', 'VARCHAR'],
    ['string', 'textarea', 'VARCHAR'],
    ['string', 'html', 'VARCHAR'],
    ['string', 'file', 'VARCHAR'],
    ['string', 'phonenumber', 'VARCHAR'],
    ['string', 'calculation_equation', 'VARCHAR'],
    ['phone_number', 'phonenumber', 'VARCHAR'],
    ['json', 'text', 'VARCHAR'],
    ['object_coordinates', 'text', 'VARCHAR'],
    ['number', 'number', 'DOUBLE'],
    ['number', 'calculation_equation', 'DOUBLE'],
    ['bool', 'booleancheckbox', 'BOOLEAN'],
    ['bool', 'calculation_equation', 'BOOLEAN'],
    ['date', 'date', 'DATE'],
    ['datetime', 'date', 'TIMESTAMP'],
    ['datetime', 'calculation_equation', 'TIMESTAMP'],
    ['enumeration', 'select', 'VARCHAR'],
    ['enumeration', 'radio', 'VARCHAR'],
    ['enumeration', 'booleancheckbox', 'VARCHAR'],
    ['enumeration', 'calculation_equation', 'VARCHAR'],
    ['enumeration', 'checkbox', 'VARCHAR[]'],
  ])('maps %s/%s to %s', (type, fieldType, expected) => {
    expect(mapPropertyType({ type, fieldType })).toBe(expected);
  });

  it('falls back to VARCHAR when the type is unknown', () => {
    expect(mapPropertyType({ type: 'currency' as PropertyType, fieldType: 'text' })).toBe('VARCHAR');
  });
});
