/**
 * Scope awareness: a one-line reason for access failures, for run summaries ("missing scope crm.objects.deals.read").
 */
import { DailyBudgetExhaustedError, MissingScopesError, UnauthorizedError } from './errors';

/** A short reason when `error` is an access problem (scope, key, daily budget); undefined otherwise. */
export function describeAccessError(error: unknown): string | undefined {
  const access =
    error instanceof MissingScopesError ||
    error instanceof UnauthorizedError ||
    error instanceof DailyBudgetExhaustedError;
  return access ? error.reason : undefined;
}

/** The reason for a missing scope (a problem of one object, not of the run); undefined for any other error. */
export function missingScopeReason(error: unknown): string | undefined {
  return error instanceof MissingScopesError ? error.reason : undefined;
}
