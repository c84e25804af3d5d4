/**
 * The HubSpot client's error hierarchy. Callers branch on classes, never on message text.
 * Every message names the bad value and what to do about it; none ever contains the service key.
 */
import { SyncError } from '../core/errors';

export interface HubSpotErrorOptions {
  status?: number;
  category?: string;
  correlationId?: string;
  cause?: unknown;
}

/**
 * Base class: anything HubSpot (or the way to it) refused or broke. A refusal is final unless a subclass says
 * otherwise (HubSpot's docs: do not retry 4xx other than 429 and 423).
 */
export class HubSpotError extends SyncError {
  override readonly retryable: boolean = false;
  status?: number;
  category?: string;
  correlationId?: string;

  constructor(message: string, options: HubSpotErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'HubSpotError';
    this.status = options.status;
    this.category = options.category;
    this.correlationId = options.correlationId;
  }
}

/** 429 that the client could not wait out, or a rate policy it refuses to retry. */
export class RateLimitedError extends HubSpotError {
  override readonly retryable = true;
  policy: string;
  waitMs: number;

  constructor(message: string, options: HubSpotErrorOptions & { policy: string; waitMs: number }) {
    super(message, options);
    this.name = 'RateLimitedError';
    this.policy = options.policy;
    this.waitMs = options.waitMs;
  }
}

/** The account's daily budget is spent (429 DAILY) or down to the reserve the budget keeps. */
export class DailyBudgetExhaustedError extends HubSpotError {
  remaining?: number;

  constructor(message: string, options: HubSpotErrorOptions & { remaining?: number } = {}) {
    super(message, options);
    this.name = 'DailyBudgetExhaustedError';
    this.remaining = options.remaining;
  }

  override get reason(): string {
    return 'daily API limit reached';
  }
}

/** The key was rejected (401) even after a forced re-read of its source, or the source holds no key. */
export class UnauthorizedError extends HubSpotError {
  /** Where the key came from (env var / secret id), never the key. */
  source?: string;

  constructor(message: string, options: HubSpotErrorOptions & { source?: string } = {}) {
    super(message, options);
    this.name = 'UnauthorizedError';
    this.source = options.source;
  }

  override get reason(): string {
    return `key rejected (${this.source ?? 'unknown source'})`;
  }
}

/** 403 MISSING_SCOPES: the key lacks the scopes listed in `scopes`. */
export class MissingScopesError extends HubSpotError {
  scopes: string[];

  constructor(message: string, options: HubSpotErrorOptions & { scopes: string[] }) {
    super(message, options);
    this.name = 'MissingScopesError';
    this.scopes = options.scopes;
  }

  /** `missing scope crm.objects.deals.read` (any one of several listed will do: `a or b`). */
  override get reason(): string {
    return missingScopeText(this.scopes);
  }
}

export class NotFoundError extends HubSpotError {
  constructor(message: string, options: HubSpotErrorOptions = {}) {
    super(message, options);
    this.name = 'NotFoundError';
  }
}

export class ValidationError extends HubSpotError {
  constructor(message: string, options: HubSpotErrorOptions = {}) {
    super(message, options);
    this.name = 'ValidationError';
  }
}

/**
 * 400 "Unable to infer object type from: leads": the portal has no such type (it comes with a product the portal
 * lacks, or a custom object was deleted). A ValidationError, named apart so `all` can leave the type out.
 */
export class UnknownObjectTypeError extends ValidationError {
  constructor(message: string, options: HubSpotErrorOptions = {}) {
    super(message, options);
    this.name = 'UnknownObjectTypeError';
  }
}

export class UriTooLongError extends HubSpotError {
  constructor(message: string, options: HubSpotErrorOptions = {}) {
    super(message, options);
    this.name = 'UriTooLongError';
  }
}

/** 5xx / 423 / reset / timeout / truncated or malformed body, still failing when the retries ran out. */
export class TransientError extends HubSpotError {
  override readonly retryable = true;
  constructor(message: string, options: HubSpotErrorOptions = {}) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** A body that is not JSON, or JSON that lacks a field the client needs. */
export class MalformedResponseError extends TransientError {
  constructor(message: string, options: HubSpotErrorOptions = {}) {
    super(message, options);
    this.name = 'MalformedResponseError';
  }
}

/** The one line naming missing scopes, wherever they are reported: `missing scope a or b`. */
export function missingScopeText(scopes: readonly string[], fallback = '(HubSpot named none)'): string {
  return `missing scope ${scopes.length > 0 ? scopes.join(' or ') : fallback}`;
}
