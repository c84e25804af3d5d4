import type { ServerResponse } from 'node:http';
import {
  DailyBudgetExhaustedError,
  MissingScopesError,
  NotFoundError,
  RateBudget,
  TransientError,
  UnauthorizedError,
  UnknownObjectTypeError,
  ValidationError,
} from '../../../lib/hubspot';
import { checkObjects, failureOf, type CheckedObject } from '../../../lib/sync/check-objects';
import type { ResolvedObject } from '../../../lib/sync/resolve-objects';
import { parseRunInput } from '../../../lib/sync/run-input';
import type { ObjectFailure } from '../../../lib/sync/types';
import { useUnitDeps } from '../../helpers/unit-deps';
import { reply, useScriptedClient, type Step } from '../hubspot/scripted-server';

const DAILY_REMAINING = 'x-hubspot-ratelimit-daily-remaining';

describe('Function: failureOf', () => {
  it.each([
    ['a daily budget spent', new DailyBudgetExhaustedError('down to 997 (reserve 1000)'), 'daily API limit reached'],
    [
      'a missing scope',
      new MissingScopesError('403', { scopes: ['crm.objects.deals.read'] }),
      'missing scope crm.objects.deals.read',
    ],
    ['a type the portal lacks', new UnknownObjectTypeError('no leads'), 'not available in this portal (no leads)'],
    ['a type not found', new NotFoundError('404'), 'not available in this portal (404)'],
    ['a refused list', new ValidationError('400'), 'HubSpot refused to list it: 400'],
  ])('makes %s a failure of the object alone', (_label, error, reason) => {
    expect(failureOf('deals', error)).toEqual({ object: 'deals', reason });
  });

  it.each([
    ['a rejected key', new UnauthorizedError('401', { source: 'secret s' })],
    ['HubSpot failing past its retries', new TransientError('503')],
    ['an error from outside the engine', new Error('ECONNRESET')],
  ])('leaves %s to stop the plan', (_label, error) => {
    expect(failureOf('deals', error)).toBeUndefined();
  });
});

const object = (name: string): ResolvedObject => ({
  object: name,
  apiName: name,
  lastModifiedProperty: 'hs_lastmodifieddate',
  custom: false,
});
const OBJECTS = [object('contacts'), object('companies')];
const DEFINITIONS = { results: [{ name: 'email', type: 'string' }] };

/**
 * HubSpot by route, each answer 20 ms late: search answers carry no rate-limit headers, the others the day's
 * `dailyRemaining`. `said` records arrivals (`>`) and answers (`<`) in order.
 */
function portal(dailyRemaining: number, said: string[]): Step {
  return (req, res: ServerResponse) => {
    const request = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    said.push(`> ${request}`);
    const headers = { [DAILY_REMAINING]: String(dailyRemaining) };
    const answer = request.endsWith('/search')
      ? reply(200, { total: 2, results: [{ id: '7', properties: {} }] })
      : request.includes('/properties/')
        ? reply(200, DEFINITIONS, headers)
        : reply(200, { results: [{ id: '1', properties: {} }] }, headers);
    setTimeout(() => {
      said.push(`< ${request}`);
      answer(req, res);
    }, 20);
  };
}

describe('Function: checkObjects', () => {
  const scripted = useScriptedClient();
  let budget: RateBudget;
  const unit = useUnitDeps({ client: () => scripted.clientWith({ budget: (budget = new RateBudget()) }) });

  /** checkObjects as the plan calls it, collecting the failures it records as the plan does. */
  async function check(): Promise<{ checked: CheckedObject[]; failures: ObjectFailure[] }> {
    const failures: ObjectFailure[] = [];
    const checked = await checkObjects(unit.deps, OBJECTS, {
      input: parseRunInput({ mode: 'full', objects: OBJECTS.map((o) => o.object) }),
      fail: (name, error) => {
        const failure = failureOf(name, error);
        if (!failure) throw error;
        failures.push(failure);
      },
      stopIfAborted: () => undefined,
    });
    return { checked, failures };
  }

  /** The budget as an earlier run of this process (a warm Lambda's) left it: the day's count at the reserve. */
  function spentYesterday(): void {
    budget.observe({ [DAILY_REMAINING]: '1000' });
    budget.beginRun('the next run');
  }

  it('asks for the first object’s definitions alone, so a count left at the reserve is asked again and the run goes on', async () => {
    const said: string[] = [];
    scripted.server.script(portal(250_000, said));
    spentYesterday();

    const { checked, failures } = await check();

    expect(failures).toEqual([]);
    expect(checked.map((c) => [c.object.object, c.properties, c.expected])).toEqual([
      ['contacts', DEFINITIONS.results, 2],
      ['companies', DEFINITIONS.results, 2],
    ]);
    const { properties } = scripted.client.paths;
    expect(said.slice(0, 2)).toEqual([`> GET ${properties('contacts')}`, `< GET ${properties('contacts')}`]);
    // A definitions request and a search probe per object: the first object's definitions are not asked twice.
    expect(scripted.server.requests).toHaveLength(2 * 2);
  });

  it('fails every object with the daily reason once the count it asked again is at the reserve, without throwing', async () => {
    const said: string[] = [];
    scripted.server.script(portal(1000, said));
    spentYesterday();

    const { checked, failures } = await check();

    expect(checked).toEqual([]);
    expect(failures).toEqual([
      { object: 'contacts', reason: 'daily API limit reached' },
      { object: 'companies', reason: 'daily API limit reached' },
    ]);
    // The one request asking for the day's count; everything after it was refused before it was sent.
    expect(scripted.server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET ${scripted.client.paths.properties('contacts')}`,
    ]);
  });
});
