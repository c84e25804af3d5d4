import { App, Validations } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HubSpotS3SyncStack } from '../../cdk/stack';
import { SECRET_ARN, synthStack as synth, TEST_ENV } from '../helpers/stack';

const HASH_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hubspot/hash-key-XyZ123';
const SETTINGS = {
  excludeProperties: 'contacts.phone, notes.hs_note_body',
  hashProperties: 'contacts.email,contacts.hs_*',
  hashKeySecret: HASH_SECRET_ARN,
};

/** Each function's environment, by entry name (plan, sync-step, finalize). */
function environments(template: Template): Record<string, Record<string, unknown>> {
  const functions = template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs24.x' } });
  return Object.fromEntries(
    Object.entries(functions).map(([id, fn]) => [
      ['plan', 'sync-step', 'finalize'].find((n) => id.startsWith(`Worker${n.replace('-', '')}`)) ?? id,
      fn.Properties.Environment.Variables,
    ]),
  );
}

/** The Secrets Manager resources each role may read, by the role's policy logical id prefix. */
function secretReads(template: Template): Record<string, unknown[]> {
  const reads: Record<string, unknown[]> = {};
  for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
    const fn = /^Worker(plan|syncstep|finalize)ServiceRole/.exec(id)?.[1] ?? id;
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      if ([statement.Action].flat().includes('secretsmanager:GetSecretValue')) {
        (reads[fn] ??= []).push(statement.Resource);
      }
    }
  }
  return reads;
}

describe('Stack: sensitive-property settings', () => {
  const template = synth(SETTINGS);

  it('hands plan the settings, checked and normalized, and plan and sync-step the hash secret ARN only', () => {
    const variables = environments(template);
    const pick = (env: Record<string, unknown>) => [
      env.EXCLUDE_PROPERTIES,
      env.HASH_PROPERTIES,
      env.HASH_KEY_SECRET_ID,
    ];
    expect({
      plan: pick(variables.plan),
      'sync-step': pick(variables['sync-step']),
      finalize: pick(variables.finalize),
    }).toEqual({
      plan: ['contacts.phone,notes.hs_note_body', 'contacts.email,contacts.hs_*', HASH_SECRET_ARN],
      'sync-step': [undefined, undefined, HASH_SECRET_ARN],
      finalize: [undefined, undefined, undefined],
    });
  });

  it('lets plan and sync-step read the hash secret, that secret only, and finalize not at all', () => {
    expect(secretReads(template)).toEqual({
      plan: [SECRET_ARN, HASH_SECRET_ARN],
      syncstep: [SECRET_ARN, HASH_SECRET_ARN],
      finalize: [SECRET_ARN],
    });
    expect(secretReads(synth())).toEqual({ plan: [SECRET_ARN], syncstep: [SECRET_ARN], finalize: [SECRET_ARN] });
  });

  it('imports a hash secret named by name, never by value', () => {
    const named = environments(synth({ ...SETTINGS, hashKeySecret: 'hubspot/hash-key' }));
    expect(JSON.stringify(named.plan.HASH_KEY_SECRET_ID)).toContain('secret:hubspot/hash-key');
  });

  it('sets nothing of it by default', () => {
    const variables = Object.values(environments(synth()));
    expect(variables.flatMap((v) => Object.keys(v)).filter((k) => /PROPERTIES|HASH/.test(k))).toEqual([]);
  });

  it.each([HASH_SECRET_ARN, 'hubspot/hash-key'])('passes the cdk-nag checks with the hash secret %s', (secret) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new HubSpotS3SyncStack(app, 'Nagged', {
      serviceKeySecret: SECRET_ARN,
      env: TEST_ENV,
      ...SETTINGS,
      hashKeySecret: secret,
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it.each([
    [{ excludeProperties: 'contacts' }, 'excludeProperties must be object.property entries separated by commas'],
    [
      { hashProperties: 'contacts.email' },
      'hashProperties needs hashKeySecret: the name or ARN of the Secrets Manager',
    ],
    [{ hashKeySecret: HASH_SECRET_ARN }, 'hashKeySecret is set, but hashProperties names no property to hash'],
    [
      { hashProperties: 'contacts.email', hashKeySecret: 'pat-na1-0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f' },
      'hashKeySecret looks like a HubSpot service key itself',
    ],
  ])('refuses %j at synth, naming the setting', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
