/**
 * HubSpot's access tokens (private app tokens, service keys) are `pat-<region>-<uuid>`, e.g.
 * `pat-na1-0c1d2e3f-4a5b-...`. Text holding one where a secret's name belongs is the key itself, pasted by mistake
 * (alone, quoted, after `Bearer`, inside a JSON secret string or an ARN): it would reach the CloudFormation
 * template, the Lambda environment and every message naming the secret. A name such as `pat-na1-prod` is not one.
 */
const SERVICE_KEY_SHAPE = /pat-[a-z]{2,3}\d+-[0-9a-f]{8}-[0-9a-f]{4}-/i;

/** What to say when a secret's name or ARN is a service key (the value itself is never repeated). */
export const KEY_AS_SECRET_MESSAGE =
  'looks like a HubSpot service key itself: give the name or ARN of the Secrets Manager secret that holds it';

/**
 * Whether `text` has the shape of a HubSpot service key.
 * @example looksLikeServiceKey('pat-na1-0c1d...') // true; looksLikeServiceKey('hubspot/service-key') // false
 */
export function looksLikeServiceKey(text: string): boolean {
  return SERVICE_KEY_SHAPE.test(text);
}
