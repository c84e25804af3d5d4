/**
 * Turns a HubSpot error response (status + body text) into the matching typed error.
 * Pure: no I/O, tested alone against the bodies documented in ../shared/HUBSPOT_API.md.
 */
import {
  HubSpotError,
  MissingScopesError,
  NotFoundError,
  TransientError,
  UnauthorizedError,
  UnknownObjectTypeError,
  UriTooLongError,
  ValidationError,
} from './errors';
import type { HubSpotErrorBody } from './types';

/** Parses an error body; anything that is not a JSON object becomes `{}` (every field is optional). */
export function parseErrorBody(text: string): HubSpotErrorBody {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as HubSpotErrorBody) : {};
  } catch {
    return {};
  }
}

/** Scopes named by a 403 body: `requiredGranularScopes` (current) or `requiredScopes` (older), deduplicated. */
export function extractScopes(body: HubSpotErrorBody): string[] {
  const contexts = [body.context, ...(body.errors ?? []).map((e) => e?.context)];
  const scopes = new Set<string>();
  for (const context of contexts) {
    for (const field of ['requiredGranularScopes', 'requiredScopes'] as const) {
      const value = context?.[field];
      if (Array.isArray(value)) value.filter((s) => typeof s === 'string').forEach((s) => scopes.add(s));
    }
  }
  return [...scopes];
}

/** Distinct errors a summary names; HubSpot's messages hold ids, so a 1,000-input answer can differ in each. */
const SUMMARIZED_ERRORS = 3;

/**
 * The distinct `category: message` of a 207 answer's errors, `; `-joined, the first three and how many more:
 * what a failure names as its cause.
 */
export function summarizeErrors(errors: readonly HubSpotErrorBody[]): string {
  const distinct = [...new Set(errors.map((e) => `${e.category ?? 'error'}: ${e.message ?? ''}`))];
  const more = distinct.length - SUMMARIZED_ERRORS;
  return distinct.slice(0, SUMMARIZED_ERRORS).join('; ') + (more > 0 ? `; and ${more} more` : '');
}

export interface ErrorContext {
  method: string;
  /** Path without the query string (the query can be 15,000 characters of property names). */
  path: string;
  /** Where the key came from, for 401 messages. */
  keySource: string;
  /** The API's base URL when it is not HubSpot's own (a simulator, a proxy, a mistyped --hubspot-url). */
  origin?: string;
}

/** HubSpot's answer for an object type the portal does not have. */
const UNKNOWN_TYPE_MESSAGE = /unable to infer object type/i;

/** The typed error for a non-retryable (or no longer retryable) HTTP status. */
export function toHubSpotError(status: number, body: HubSpotErrorBody, context: ErrorContext): HubSpotError {
  const request = `${context.method} ${context.path}${context.origin ? ` at ${context.origin}` : ''}`;
  const options = { status, category: body.category, correlationId: body.correlationId };
  // HubSpot's messages end with a period; each message below adds its own sentence after the detail.
  const detail = body.message ? `: ${truncate(body.message.replace(/[.\s]+$/, ''), 300)}` : '';
  const category = body.category ? ` ${body.category}` : '';
  switch (status) {
    case 400:
      if (UNKNOWN_TYPE_MESSAGE.test(body.message ?? '')) {
        return new UnknownObjectTypeError(
          `HubSpot does not know the object type of ${request} in this portal (400${category})${detail}. ` +
            'Check the name, or leave the type out.',
          options,
        );
      }
      return new ValidationError(
        `HubSpot refused ${request} as invalid (400${category})${detail}. Fix the request parameters.`,
        options,
      );
    case 401:
      return new UnauthorizedError(
        `HubSpot rejected the service key from ${context.keySource} (${body.category ?? 'INVALID_AUTHENTICATION'}) ` +
          `for ${request}, also after re-reading it. Put a valid, unexpired service key in ${context.keySource}.`,
        { ...options, source: context.keySource },
      );
    case 403: {
      const scopes = extractScopes(body);
      const named = scopes.length > 0 ? scopes.join(' or ') : 'unknown (HubSpot named none)';
      return new MissingScopesError(
        `The service key lacks scope ${named} needed for ${request}${detail}. ` +
          'Grant the scope to the service key in HubSpot (Development > Keys > Service keys).',
        { ...options, scopes },
      );
    }
    case 404:
      return new NotFoundError(
        `HubSpot found nothing at ${request} (404${category})${detail}. Check the object type or id.`,
        options,
      );
    case 414:
      return new UriTooLongError(
        `HubSpot refused ${request}: URI too long (414). Send fewer properties per request or use batch read.`,
        options,
      );
    default:
      if (status >= 500 || status === 423) {
        return new TransientError(
          `HubSpot kept failing ${request} with ${status}${category}${detail}; retries ran out. Try again later.`,
          options,
        );
      }
      return new HubSpotError(`HubSpot answered ${request} with ${status}${category}${detail}.`, options);
  }
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
