/** The stack as the CDK tests and the state machine test synthesize it. */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HubSpotS3SyncStack } from '../../cdk/stack';

export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hubspot/service-key-AbCdEf';

/** JSON the tests read freely (the definition's states are indexed by name). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type FreeJson = any;

type StackProps = ConstructorParameters<typeof HubSpotS3SyncStack>[2];

/** The stack's template; bundling is skipped (the tests read the template, not the Lambda packages). */
export function synthStack(props: Partial<StackProps> = {}): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new HubSpotS3SyncStack(app, 'Test', {
    serviceKeySecret: SECRET_ARN,
    env: { account: '123456789012', region: 'eu-west-1' },
    ...props,
  });
  return Template.fromStack(stack);
}

/**
 * A state machine's definition as deployed (by default the sync's, which starts at `Start`): the template holds it
 * as a Fn::Join of JSON text and function ARN tokens (which sit inside JSON strings), each token rendered as `arn`.
 */
export function stateMachineDefinition(
  template: Template,
  startAt = 'Start',
  arn = 'arn:aws:lambda:eu-west-1:123456789012:function:x',
): FreeJson {
  const definitions = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).map((machine) => {
    const parts = machine.Properties.DefinitionString['Fn::Join'][1] as unknown[];
    return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : arn)).join(''));
  });
  const found = definitions.find((definition) => definition.StartAt === startAt);
  if (!found) throw new Error(`no state machine starts at ${startAt}`);
  return found;
}
