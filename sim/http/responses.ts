/** Response values and HubSpot error bodies, exactly as ../shared/HUBSPOT_API.md describes them. */
import { randomUUID } from 'node:crypto';

export interface SimResponse {
  status: number;
  /** Serialised JSON (or empty for 204); large pages come as bytes. */
  body: string | Buffer;
  headers?: Record<string, string>;
  /** Called once the body has been handed to the OS (not after a reset or fault): e.g. returns a pooled buffer. */
  onSent?: () => void;
  /** A batch answer's `numErrors`, for the request log. */
  numErrors?: number;
}

/** One entry of a StandardError's `errors` (the spec's ErrorDetail): `subCategory` is text here. */
export interface ErrorDetail {
  message: string;
  subCategory?: string;
  context?: Record<string, string[]>;
}

/**
 * The spec's StandardError, as batch answers report failed inputs: `status`, `category`, `message`, `errors`,
 * `context` and `links` always present; `subCategory`, when present, an object.
 */
export interface StandardError {
  status: 'error';
  category: string;
  subCategory?: Record<string, string>;
  message: string;
  errors: ErrorDetail[];
  context: Record<string, string[]>;
  links: Record<string, string>;
}

/** A StandardError with `status` and (empty) `links` filled in. */
export function standardError(fields: Omit<StandardError, 'status' | 'links'>): StandardError {
  const { category, subCategory, message, errors, context } = fields;
  return { status: 'error', category, ...(subCategory ? { subCategory } : {}), message, errors, context, links: {} };
}

export function json(status: number, value: unknown): SimResponse {
  return { status, body: JSON.stringify(value) };
}

export function invalidAuthentication(): SimResponse {
  return json(401, {
    status: 'error',
    message:
      'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
    correlationId: randomUUID(),
    category: 'INVALID_AUTHENTICATION',
  });
}

export function expiredAuthentication(): SimResponse {
  return json(401, {
    status: 'error',
    message: 'The OAuth token used to make this call expired.',
    correlationId: randomUUID(),
    category: 'EXPIRED_AUTHENTICATION',
  });
}

export function missingScopes(scopes: readonly string[]): SimResponse {
  return json(403, {
    status: 'error',
    message:
      "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
    correlationId: randomUUID(),
    errors: [
      {
        message: 'One or more of the following scopes are required.',
        context: { requiredGranularScopes: [...scopes] },
      },
    ],
    links: { 'scopes-documentation': 'https://developers.hubspot.com/scopes' },
    category: 'MISSING_SCOPES',
  });
}

export function validationError(message: string): SimResponse {
  return json(400, { status: 'error', message, correlationId: randomUUID(), category: 'VALIDATION_ERROR' });
}

export function objectNotFound(message: string): SimResponse {
  return json(404, { status: 'error', message, correlationId: randomUUID(), category: 'OBJECT_NOT_FOUND' });
}

export type RateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'DAILY' | 'SECONDLY';

const POLICY_MESSAGES: Record<RateLimitPolicy, string> = {
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  DAILY: 'You have reached your daily limit.',
  SECONDLY: 'You have reached your secondly limit.',
};

export function rateLimited(policy: RateLimitPolicy): SimResponse {
  return json(429, {
    status: 'error',
    message: POLICY_MESSAGES[policy],
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName: policy,
  });
}

export function uriTooLong(): SimResponse {
  return {
    status: 414,
    body: '<html><body><h1>414 Request-URI Too Large</h1></body></html>',
    headers: { 'content-type': 'text/html' },
  };
}

export function unknownObjectType(ref: string): SimResponse {
  return validationError(`Unable to infer object type from: ${ref}`);
}
