/**
 * Scope awareness: a one-line reason for access failures, for run summaries ("missing scope crm.objects.deals.read").
 */
import { DailyBudgetExhaustedError, MissingScopesError, UnauthorizedError } from './errors';

/** A short reason when `error` is an access problem (scope, key, daily budget); undefined otherwise. */
export function describeAccessError(error: unknown): string | undefined {
  if (error instanceof MissingScopesError) {
    return error.scopes.length > 0 ? `missing scope ${error.scopes.join(', ')}` : 'missing scope (HubSpot named none)';
  }
  if (error instanceof UnauthorizedError) {
    return `key rejected (${error.source ?? 'unknown source'})`;
  }
  if (error instanceof DailyBudgetExhaustedError) {
    return 'daily API limit reached';
  }
  return undefined;
}

/** describeAccessError's reason for a missing scope (a problem of one object, not of the run); undefined otherwise. */
export function missingScopeReason(error: unknown): string | undefined {
  return error instanceof MissingScopesError ? describeAccessError(error) : undefined;
}
