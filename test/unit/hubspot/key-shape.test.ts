import { looksLikeServiceKey } from '../../../lib/hubspot/key-shape';

const KEY = 'pat-na1-0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f';

describe('Function: looksLikeServiceKey', () => {
  it.each([
    ['a key', KEY],
    ['a key of another region', 'pat-eu1-0C1D2E3F-4A5B-6C7D-8E9F-0A1B2C3D4E5F'],
    ['a key with spaces around', `  ${KEY}\n`],
    ['a quoted key', `"${KEY}"`],
    ['an Authorization value', `Bearer ${KEY}`],
    ['a JSON secret string', `{"serviceKey":"${KEY}"}`],
    ['a key inside a secret path', `hubspot/${KEY}`],
    ['a key inside an ARN', `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${KEY}-AbCdEf`],
  ])('takes %s for a key', (_case, text) => {
    expect(looksLikeServiceKey(text)).toBe(true);
  });

  it.each([
    ['a secret name', 'hubspot/service-key'],
    ['a secret named like a key prefix', 'pat-na1-prod'],
    [
      'the ARN of a secret named like a key prefix',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pat-na1-prod-AbCdEf',
    ],
    ['a secret ARN', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hubspot/service-key-AbCdEf'],
  ])('takes %s for a secret', (_case, text) => {
    expect(looksLikeServiceKey(text)).toBe(false);
  });
});
