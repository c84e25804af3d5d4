import { readRecords } from '../../../lib/hubspot/batch-read';
import { TransientError } from '../../../lib/hubspot/errors';
import { reply, useScriptedClient } from './scripted-server';

const record = (id: string) => ({ id, properties: { email: `${id}@example.com` } });
const notFound = (ids?: string[]) => ({
  status: 'error',
  category: 'OBJECT_NOT_FOUND',
  message: 'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
  ...(ids ? { context: { ids } } : {}),
});

describe('Function: readRecords', () => {
  const scripted = useScriptedClient();

  const read = () => readRecords(scripted.client, 'contacts', ['1', '2', '3'], ['email']);

  it('leaves out the records HubSpot reports deleted (207 OBJECT_NOT_FOUND), in input order', async () => {
    scripted.server.script(
      reply(207, { status: 'COMPLETE', results: [record('3'), record('1')], numErrors: 1, errors: [notFound(['2'])] }),
    );
    expect((await read()).map((r) => r.id)).toEqual(['1', '3']);
    scripted.server.script(
      reply(207, { status: 'COMPLETE', results: [record('1')], numErrors: 1, errors: [notFound()] }),
    );
    expect((await read()).map((r) => r.id)).toEqual(['1']);
  });

  it.each([
    [
      'an error of another category',
      {
        status: 'COMPLETE',
        results: [record('1'), record('3')],
        numErrors: 1,
        errors: [{ category: 'INTERNAL_ERROR', message: 'try again' }],
      },
      'batch read of contacts answered 2 of 3 records; 1 missing (e.g. 2) without a not-found error (INTERNAL_ERROR: try again)',
    ],
    [
      'no error at all',
      { status: 'COMPLETE', results: [record('1')] },
      'batch read of contacts answered 1 of 3 records; 2 missing (e.g. 2) without a not-found error',
    ],
    [
      'a not-found error naming other ids',
      { status: 'COMPLETE', results: [record('1'), record('2')], numErrors: 1, errors: [notFound(['9'])] },
      'batch read of contacts answered 2 of 3 records; 1 missing (e.g. 3) without a not-found error ' +
        '(OBJECT_NOT_FOUND: Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.)',
    ],
  ])(
    'fails the batch as transient when records are missing with %s, instead of dropping them',
    async (_case, body, message) => {
      scripted.server.script(reply(207, body));
      const error = await read().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientError);
      expect((error as Error).message).toBe(message);
    },
  );
});
