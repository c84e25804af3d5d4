import { readAssociations } from '../../../lib/hubspot/associations';
import { TransientError } from '../../../lib/hubspot/errors';
import { RateBudget } from '../../../lib/hubspot/rate-budget';
import { reply, useScriptedClient } from './scripted-server';

const associated = (from: string, to: string) => ({
  from: { id: from },
  to: [{ toObjectId: to, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 1, label: null }] }],
});
const NO_ASSOCIATIONS = 'crm.associations.NO_ASSOCIATIONS_FOUND';
const row = (fromId: string, toId: string) => ({ fromId, toId, category: 'HUBSPOT_DEFINED', typeId: 1, label: null });

describe('Function: readAssociations', () => {
  const scripted = useScriptedClient();

  const read = () => readAssociations(scripted.client, 'contacts', 'companies', ['1', '2', '3']);

  it.each([
    ['without associations', { category: 'OBJECT_NOT_FOUND', subCategory: NO_ASSOCIATIONS }],
    ['without associations, the category left out', { subCategory: NO_ASSOCIATIONS }],
    ['deleted meanwhile', { category: 'OBJECT_NOT_FOUND' }],
  ])('leaves out the inputs a 207 reports %s, and keeps the rest', async (_case, error) => {
    scripted.server.script(
      reply(207, {
        status: 'COMPLETE',
        results: [associated('1', '10'), associated('3', '30')],
        numErrors: 1,
        errors: [{ status: 'error', ...error, message: 'No company is associated with contact 2.' }],
      }),
    );
    expect(await read()).toEqual([row('1', '10'), row('3', '30')]);
  });

  it('reads associations without spending the 10-second window, which HubSpot exempts them from', async () => {
    // A budget whose standard window is spent: waiting for it would throw.
    const budget = new RateBudget({
      maxPerWindow: 1,
      windowMs: 60_000,
      safety: 0,
      sleep: async () => {
        throw new Error('waited for the 10-second window');
      },
    });
    budget.observe({});
    await budget.acquire('standard');
    const spent = scripted.clientWith({ budget });
    scripted.server.script(reply(200, { status: 'COMPLETE', results: [associated('1', '10')] }));

    expect(await readAssociations(spent, 'contacts', 'companies', ['1'])).toEqual([row('1', '10')]);
    await expect(budget.acquire('standard')).rejects.toThrow('waited for the 10-second window');
  });

  it('names at most three distinct errors of a failed call, and how many more there were', async () => {
    scripted.server.script(
      reply(207, {
        status: 'COMPLETE',
        results: [],
        numErrors: 5,
        errors: [1, 2, 3, 4, 5].map((n) => ({
          status: 'error',
          category: 'INTERNAL_ERROR',
          message: `input ${n} failed`,
        })),
      }),
    );
    await expect(read()).rejects.toThrow(
      'association read contacts -> companies reported 5 error(s) besides records not found (INTERNAL_ERROR: input 1 ' +
        'failed; INTERNAL_ERROR: input 2 failed; INTERNAL_ERROR: input 3 failed; and 2 more): their associations would be lost',
    );
  });

  it('fails the call as transient when a 207 reports an error of another category, naming it', async () => {
    scripted.server.script(
      reply(207, {
        status: 'COMPLETE',
        results: [associated('1', '10')],
        numErrors: 2,
        errors: [
          { status: 'error', category: 'INTERNAL_ERROR', message: 'try again' },
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            subCategory: NO_ASSOCIATIONS,
            message: 'No company is associated with contact 2.',
          },
        ],
      }),
    );
    const error = await read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe(
      'association read contacts -> companies reported 1 error(s) besides records not found ' +
        '(INTERNAL_ERROR: try again): their associations would be lost',
    );
  });
});
