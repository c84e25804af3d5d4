/**
 * HubSpot's access tokens (private app tokens, service keys) start `pat-<region>-`, e.g. `pat-na1-...`. A secret
 * name never needs to, so text of that shape where a secret's name belongs is the key itself, pasted by mistake:
 * it would reach the CloudFormation template, the Lambda environment and every message naming the secret.
 */
const SERVICE_KEY_SHAPE = /^\s*pat-[a-z]{2,3}\d+-/i;

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
