import { classify, InternalError, InvalidInputError, SyncError } from '../../../lib/core/errors';
import {
  DailyBudgetExhaustedError,
  HubSpotError,
  MalformedResponseError,
  MissingScopesError,
  NotFoundError,
  RateLimitedError,
  TransientError,
  UnauthorizedError,
  UnknownObjectTypeError,
  UriTooLongError,
  ValidationError,
} from '../../../lib/hubspot/errors';
import { ExchangeTimeoutError } from '../../../lib/hubspot/http-exchange';
import {
  CatalogError,
  CorruptStoredFileError,
  InvalidKeyError,
  ObjectChangedError,
  ObjectExistsError,
  S3RequestError,
  StoreError,
  WriteContendedError,
} from '../../../lib/store/errors';
import { LeaseLostError, ObjectLockedError, type Lease } from '../../../lib/store/lock';
import { PlanStoppedError } from '../../../lib/sync/plan';

const LEASE: Lease = {
  object: 'deals',
  runId: '20260301T000000Z-aaaaaa',
  acquiredAt: '2026-03-01T00:00:00.000Z',
  expiresAt: '2026-03-01T00:30:00.000Z',
};

/** Every class of the engine's error model: what a driver reads off it (retry or fail, Retry's name, the reason). */
const EVERY_ERROR: [SyncError, { name: string; retryable: boolean; reason: string }][] = [
  [new SyncError('base'), { name: 'SyncError', retryable: true, reason: 'base' }],
  [new InvalidInputError('mode: bad'), { name: 'InvalidInputError', retryable: false, reason: 'mode: bad' }],
  [new InternalError('out of turn'), { name: 'InternalError', retryable: false, reason: 'out of turn' }],
  [new PlanStoppedError(), { name: 'PlanStoppedError', retryable: false, reason: new PlanStoppedError().message }],
  [new HubSpotError('refused', { status: 400 }), { name: 'HubSpotError', retryable: false, reason: 'refused' }],
  [
    new RateLimitedError('429 TEN_SECONDLY_ROLLING', { policy: 'TEN_SECONDLY_ROLLING', waitMs: 900 }),
    { name: 'RateLimitedError', retryable: true, reason: '429 TEN_SECONDLY_ROLLING' },
  ],
  [
    new DailyBudgetExhaustedError('429 DAILY: 0 left', { remaining: 0 }),
    { name: 'DailyBudgetExhaustedError', retryable: false, reason: 'daily API limit reached' },
  ],
  [
    new UnauthorizedError('401 for the key', { source: 'HUBSPOT_SERVICE_KEY' }),
    { name: 'UnauthorizedError', retryable: false, reason: 'key rejected (HUBSPOT_SERVICE_KEY)' },
  ],
  [
    new UnauthorizedError('401 for the key'),
    { name: 'UnauthorizedError', retryable: false, reason: 'key rejected (unknown source)' },
  ],
  [
    new MissingScopesError('403', { scopes: ['crm.objects.deals.read', 'crm.objects.deals.write'] }),
    {
      name: 'MissingScopesError',
      retryable: false,
      reason: 'missing scope crm.objects.deals.read or crm.objects.deals.write',
    },
  ],
  [
    new MissingScopesError('403', { scopes: [] }),
    { name: 'MissingScopesError', retryable: false, reason: 'missing scope (HubSpot named none)' },
  ],
  [new NotFoundError('404 for x'), { name: 'NotFoundError', retryable: false, reason: '404 for x' }],
  [new ValidationError('400 for x'), { name: 'ValidationError', retryable: false, reason: '400 for x' }],
  [
    new UnknownObjectTypeError('Unable to infer object type from: leads'),
    { name: 'UnknownObjectTypeError', retryable: false, reason: 'Unable to infer object type from: leads' },
  ],
  [new UriTooLongError('414'), { name: 'UriTooLongError', retryable: false, reason: '414' }],
  [new TransientError('503 after 5 tries'), { name: 'TransientError', retryable: true, reason: '503 after 5 tries' }],
  [
    new MalformedResponseError('body is not JSON'),
    { name: 'MalformedResponseError', retryable: true, reason: 'body is not JSON' },
  ],
  [
    new ExchangeTimeoutError('headers', 30_000),
    { name: 'ExchangeTimeoutError', retryable: true, reason: 'no headers within 30000 ms' },
  ],
  [new StoreError('list failed'), { name: 'StoreError', retryable: true, reason: 'list failed' }],
  [
    new ObjectExistsError('_manifests/deals/R.json'),
    {
      name: 'ObjectExistsError',
      retryable: false,
      reason: 'Object _manifests/deals/R.json already exists and is never overwritten',
    },
  ],
  [new InvalidKeyError('bad key'), { name: 'InvalidKeyError', retryable: false, reason: 'bad key' }],
  [new CatalogError('Glue refused'), { name: 'CatalogError', retryable: true, reason: 'Glue refused' }],
  [
    new ObjectChangedError('_state/locks/deals.json'),
    {
      name: 'ObjectChangedError',
      retryable: true,
      reason: 'Object _state/locks/deals.json changed since it was read; read it again before writing',
    },
  ],
  [
    new CorruptStoredFileError('_state/deals.json holds junk'),
    { name: 'CorruptStoredFileError', retryable: false, reason: '_state/deals.json holds junk' },
  ],
  [new WriteContendedError('lost 3 times'), { name: 'WriteContendedError', retryable: true, reason: 'lost 3 times' }],
  [new S3RequestError('PUT x: SlowDown'), { name: 'S3RequestError', retryable: true, reason: 'PUT x: SlowDown' }],
  [
    new ObjectLockedError(LEASE),
    {
      name: 'ObjectLockedError',
      retryable: false,
      reason:
        'another run (20260301T000000Z-aaaaaa) is exporting deals since 2026-03-01T00:00:00.000Z; its lease ends ' +
        '2026-03-01T00:30:00.000Z unless renewed. Wait for it to finish, or delete _state/locks/deals.json if it is dead',
    },
  ],
  [
    new LeaseLostError('deals', 'R1', { ...LEASE, releasedAt: '2026-03-01T00:10:00.000Z' }),
    {
      name: 'LeaseLostError',
      retryable: false,
      reason:
        'run R1 lost its lease on deals (run 20260301T000000Z-aaaaaa took it at 2026-03-01T00:00:00.000Z and ' +
        'released it at 2026-03-01T00:10:00.000Z); it stops without publishing deals',
    },
  ],
  [
    new LeaseLostError('deals', 'R1', undefined),
    {
      name: 'LeaseLostError',
      retryable: false,
      reason: 'run R1 lost its lease on deals (its lease file is gone); it stops without publishing deals',
    },
  ],
];

describe('Function: classify', () => {
  it.each(EVERY_ERROR)('reads %p as %j', (error, expected) => {
    expect(classify(error)).toEqual(expected);
    expect(error.name).toBe(expected.name);
    expect(error).toBeInstanceOf(SyncError);
  });

  it.each([
    [new TypeError('x is not a function'), { retryable: true, name: 'TypeError', reason: 'x is not a function' }],
    [
      Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' }),
      { retryable: true, name: 'ServiceUnavailable', reason: 'Service Unavailable' },
    ],
    [Object.assign(new Error('nameless'), { name: '' }), { retryable: true, name: 'Error', reason: 'nameless' }],
    ['a thrown string', { retryable: true, name: 'Error', reason: 'a thrown string' }],
    [undefined, { retryable: true, name: 'Error', reason: 'undefined' }],
    [{ code: 'EIO' }, { retryable: true, name: 'Error', reason: '[object Object]' }],
  ])('retries %p from outside the engine as the state machine does: %j', (error, expected) => {
    expect(classify(error)).toEqual(expected);
  });
});

describe('Class: SyncError', () => {
  it('keeps its cause, and leaves it out when none is given', () => {
    const sdk = Object.assign(new Error('SlowDown'), { name: 'SlowDown' });

    const wrapped = new S3RequestError('PUT _state/deals.json: SlowDown', { cause: sdk });

    expect(wrapped.cause).toBe(sdk);
    expect(new S3RequestError('no cause')).not.toHaveProperty('cause');
    expect(new HubSpotError('refused', { cause: sdk }).cause).toBe(sdk);
    expect(new ObjectExistsError('k', { cause: sdk }).cause).toBe(sdk);
  });

  it('keeps a chain of causes to the root', () => {
    const root = new Error('ECONNRESET');
    const transient = new TransientError('GET /crm/v3/objects/deals: reset after 5 tries', { cause: root });

    const top = new SyncError('step failed', { cause: transient });

    expect(top.cause).toBe(transient);
    expect((top.cause as Error).cause).toBe(root);
    // The top error decides: its own retryability, not its cause's.
    expect(classify(new InvalidKeyError('bad', { cause: transient })).retryable).toBe(false);
  });

  it('takes retryable from its options, while a class that is final stays final', () => {
    expect(new SyncError('x', { retryable: false }).retryable).toBe(false);
    expect(new StoreError('x', { retryable: false }).retryable).toBe(false);
    expect(new InvalidInputError('x', { retryable: true }).retryable).toBe(false);
    expect(new CorruptStoredFileError('x', { retryable: true }).retryable).toBe(false);
  });

  it('sits in a hierarchy callers branch on', () => {
    expect(new LeaseLostError('deals', 'R1', undefined)).toBeInstanceOf(ObjectLockedError);
    expect(new MalformedResponseError('x')).toBeInstanceOf(TransientError);
    expect(new UnknownObjectTypeError('x')).toBeInstanceOf(ValidationError);
    expect(new RateLimitedError('x', { policy: 'p', waitMs: 0 })).toBeInstanceOf(HubSpotError);
    expect(new S3RequestError('x')).toBeInstanceOf(StoreError);
    expect(new ExchangeTimeoutError('body', 60_000).code).toBe('BODY_TIMEOUT');
  });
});
