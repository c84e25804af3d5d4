import { extractScopes, parseErrorBody, toHubSpotError } from '../../../lib/hubspot/error-body';
import {
  HubSpotError,
  MissingScopesError,
  NotFoundError,
  TransientError,
  UnauthorizedError,
  UriTooLongError,
  ValidationError,
} from '../../../lib/hubspot/errors';

const CONTEXT = { method: 'GET', path: '/crm/v3/objects/deals', keySource: 'secret hubspot/key' };

describe('Function: parseErrorBody', () => {
  it.each([
    ['{"category":"VALIDATION_ERROR"}', { category: 'VALIDATION_ERROR' }],
    ['not json', {}],
    ['[1]', {}],
    ['null', {}],
    ['', {}],
  ])('parses %j', (text, expected) => {
    expect(parseErrorBody(text)).toEqual(expected);
  });
});

describe('Function: extractScopes', () => {
  it.each([
    [{ errors: [{ context: { requiredGranularScopes: ['crm.objects.deals.read'] } }] }, ['crm.objects.deals.read']],
    [{ errors: [{ context: { requiredScopes: ['tickets', 'tickets'] } }] }, ['tickets']],
    [{ context: { requiredScopes: ['crm.objects.contacts.read'] } }, ['crm.objects.contacts.read']],
    [{ errors: [{ message: 'x' }] }, []],
    [{}, []],
  ])('finds the scopes in %j', (body, expected) => {
    expect(extractScopes(body)).toEqual(expected);
  });
});

describe('Function: toHubSpotError', () => {
  it.each([
    [400, { category: 'VALIDATION_ERROR', message: 'bad filter' }, ValidationError, 'ValidationError'],
    [401, { category: 'EXPIRED_AUTHENTICATION' }, UnauthorizedError, 'UnauthorizedError'],
    [404, { category: 'OBJECT_NOT_FOUND' }, NotFoundError, 'NotFoundError'],
    [414, {}, UriTooLongError, 'UriTooLongError'],
    [503, {}, TransientError, 'TransientError'],
    [423, {}, TransientError, 'TransientError'],
    [409, {}, HubSpotError, 'HubSpotError'],
  ])('maps %d to its class', (status, body, type, name) => {
    const error = toHubSpotError(status, body, CONTEXT);
    expect(error).toBeInstanceOf(type);
    expect(error.name).toBe(name);
    expect(error.status).toBe(status);
  });

  it('names the scope and what to do on 403', () => {
    const error = toHubSpotError(
      403,
      {
        category: 'MISSING_SCOPES',
        correlationId: 'c-1',
        errors: [{ context: { requiredGranularScopes: ['crm.objects.deals.read'] } }],
      },
      CONTEXT,
    ) as MissingScopesError;
    expect(error).toBeInstanceOf(MissingScopesError);
    expect(error.scopes).toEqual(['crm.objects.deals.read']);
    expect(error.correlationId).toBe('c-1');
    expect(error.message).toBe(
      'The service key lacks scope crm.objects.deals.read needed for GET /crm/v3/objects/deals. ' +
        'Grant the scope to the service key in HubSpot (Development > Keys > Service keys).',
    );
  });

  it("keeps one period between HubSpot's message and the advice that follows it", () => {
    const body = { category: 'MISSING_SCOPES', message: 'This app lacks scopes. ' };
    expect(toHubSpotError(403, body, CONTEXT).message).toBe(
      'The service key lacks scope unknown (HubSpot named none) needed for GET /crm/v3/objects/deals: ' +
        'This app lacks scopes. Grant the scope to the service key in HubSpot (Development > Keys > Service keys).',
    );
  });

  it("names the API origin when it is not HubSpot's own, so a mistyped --hubspot-url shows", () => {
    const error = toHubSpotError(501, {}, { ...CONTEXT, origin: 'http://127.0.0.1:8000' });
    expect(error.message).toBe(
      'HubSpot kept failing GET /crm/v3/objects/deals at http://127.0.0.1:8000 with 501; retries ran out. Try again later.',
    );
  });

  it('names the key source and category on 401', () => {
    const error = toHubSpotError(401, { category: 'EXPIRED_AUTHENTICATION' }, CONTEXT) as UnauthorizedError;
    expect(error.source).toBe('secret hubspot/key');
    expect(error.message).toBe(
      'HubSpot rejected the service key from secret hubspot/key (EXPIRED_AUTHENTICATION) for GET /crm/v3/objects/deals, ' +
        'also after re-reading it. Put a valid, unexpired service key in secret hubspot/key.',
    );
  });
});
