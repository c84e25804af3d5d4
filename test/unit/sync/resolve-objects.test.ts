import { didYouMean, resolveObjects } from '../../../lib/sync/resolve-objects';
import { reply, useScriptedClient } from '../hubspot/scripted-server';

const NAMES = ['contacts', 'companies', 'deals', 'tickets', 'products', 'goal_targets', 'Projects', 'owners'];

describe('Function: didYouMean', () => {
  it.each([
    ['contcts', ' (did you mean contacts?)'],
    ['tickest', ' (did you mean tickets?)'],
    ['owner', ' (did you mean owners?)'],
    ['deal', ' (did you mean deals?)'],
    ['CONTACTS', ' (did you mean contacts?)'],
    ['projects', ' (did you mean Projects?)'],
    // Two edits reach other words among short names: goals is not deals.
    ['goals', ''],
    // The nearest wins: products is one edit away, Projects two.
    ['prodcts', ' (did you mean products?)'],
    ['unicorns', ''],
  ])('answers %j with %j', (name, hint) => {
    expect(didYouMean(name, NAMES)).toBe(hint);
  });

  it('makes no guess between two names as near', () => {
    expect(didYouMean('deal', ['deals', 'dealt'])).toBe('');
  });
});

describe('Function: resolveObjects', () => {
  const scripted = useScriptedClient();

  it('exports a custom object named like a standard type under its fully qualified name, so neither hides the other', async () => {
    const schema = (name: string, objectTypeId: string) => ({
      name,
      objectTypeId,
      fullyQualifiedName: `p1234_${name}`,
      properties: [],
    });
    scripted.server.script(reply(200, { results: [schema('orders', '2-555'), schema('pets', '2-556')] }));

    const { objects } = await resolveObjects(scripted.client, 'all', false);

    const named = objects.map((o) => [o.object, o.apiName]);
    expect(named.filter(([, apiName]) => apiName === 'orders' || apiName.startsWith('2-'))).toEqual([
      ['orders', 'orders'],
      ['p1234_orders', '2-555'],
      ['pets', '2-556'],
    ]);
    expect(new Set(objects.map((o) => o.object)).size).toBe(objects.length);
  });
});
