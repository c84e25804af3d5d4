import { Agent } from 'undici';
import { readAssociations } from '../../../lib/hubspot/associations';
import { HubSpotClient } from '../../../lib/hubspot/client';
import { TransientError } from '../../../lib/hubspot/errors';
import { staticKeyProvider } from '../../../lib/hubspot/service-key';
import { reply, startScriptedServer, type ScriptedServer } from './scripted-server';

const associated = (from: string, to: string) => ({
  from: { id: from },
  to: [{ toObjectId: to, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 1, label: null }] }],
});
const row = (fromId: string, toId: string) => ({ fromId, toId, category: 'HUBSPOT_DEFINED', typeId: 1, label: null });

describe('Function: readAssociations', () => {
  let server: ScriptedServer;
  let dispatcher: Agent;
  let client: HubSpotClient;

  beforeAll(async () => {
    server = await startScriptedServer();
    dispatcher = new Agent({ keepAliveTimeout: 1000 });
    client = new HubSpotClient({ baseUrl: server.url, keyProvider: staticKeyProvider('pat-na1-test'), dispatcher });
  });
  afterAll(async () => {
    await dispatcher.close();
    await server.close();
  });

  const read = () => readAssociations(client, 'contacts', 'companies', ['1', '2', '3']);

  it('leaves out the records HubSpot reports not found (207 OBJECT_NOT_FOUND) and keeps the rest', async () => {
    server.script(
      reply(207, {
        status: 'COMPLETE',
        results: [associated('1', '10'), associated('3', '30')],
        numErrors: 1,
        errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'No CONTACT with id 2' }],
      }),
    );
    expect(await read()).toEqual([row('1', '10'), row('3', '30')]);
  });

  it('fails the call as transient when a 207 reports an error of another category, naming it', async () => {
    server.script(
      reply(207, {
        status: 'COMPLETE',
        results: [associated('1', '10')],
        numErrors: 2,
        errors: [
          { status: 'error', category: 'INTERNAL_ERROR', message: 'try again' },
          { status: 'error', category: 'OBJECT_NOT_FOUND', message: 'No CONTACT with id 2' },
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
