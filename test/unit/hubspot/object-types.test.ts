import { STANDARD_OBJECT_TYPES, findStandardObjectType } from '../../../lib/hubspot/object-types';

describe('Settings: STANDARD_OBJECT_TYPES', () => {
  it('names each object type once', () => {
    const names = STANDARD_OBJECT_TYPES.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(22);
  });

  it.each([
    ['contacts', 'lastmodifieddate', 'crm.objects.contacts.read'],
    ['deals', 'hs_lastmodifieddate', 'crm.objects.deals.read'],
    ['tickets', 'hs_lastmodifieddate', 'tickets'],
    // HUBSPOT_API.md: these six have their own crm.objects.<type>.read.
    ...['invoices', 'orders', 'carts', 'subscriptions', 'users', 'feedback_submissions'].map((name) => [
      name,
      'hs_lastmodifieddate',
      `crm.objects.${name}.read`,
    ]),
  ])('gives %s the last-modified property %s and scope %s', (name, property, scope) => {
    const type = findStandardObjectType(name);
    expect(type?.lastModifiedProperty).toBe(property);
    expect(type?.scopes[0]).toBe(scope);
  });

  it('knows no custom object', () => {
    expect(findStandardObjectType('pets')).toBeUndefined();
  });
});
