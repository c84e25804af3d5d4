import { describeAccessError } from '../../../lib/hubspot/access';
import {
  DailyBudgetExhaustedError,
  MissingScopesError,
  NotFoundError,
  UnauthorizedError,
} from '../../../lib/hubspot/errors';

describe('Function: describeAccessError', () => {
  it.each([
    [new MissingScopesError('m', { scopes: ['crm.objects.deals.read'] }), 'missing scope crm.objects.deals.read'],
    [new UnauthorizedError('m', { source: 'secret x' }), 'key rejected (secret x)'],
    [new DailyBudgetExhaustedError('m'), 'daily API limit reached'],
    [new NotFoundError('m'), undefined],
    [new Error('m'), undefined],
    ['text', undefined],
  ])('describes %p', (error, expected) => {
    expect(describeAccessError(error)).toBe(expected);
  });
});
