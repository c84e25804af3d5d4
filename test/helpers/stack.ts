/** The stack as the CDK tests and the state machine test synthesize it, and a bare stack for one construct alone. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { HubSpotS3SyncStack } from '../../cdk/stack';

export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hubspot/service-key-AbCdEf';

/** Account and region of every test stack. */
export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' } as const;

/** JSON the tests read freely (the definition's states are indexed by name). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type FreeJson = any;

type StackProps = ConstructorParameters<typeof HubSpotS3SyncStack>[2];

/** An app that skips bundling: the tests read the template, not the Lambda packages. */
const unbundledApp = (): App => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

/** The stack's template; bundling is skipped (the tests read the template, not the Lambda packages). */
export function synthStack(props: Partial<StackProps> = {}): Template {
  const stack = new HubSpotS3SyncStack(unbundledApp(), 'Test', {
    serviceKeySecret: SECRET_ARN,
    env: TEST_ENV,
    ...props,
  });
  return Template.fromStack(stack);
}

/** The template of a bare stack holding what `build` puts in it: one construct tested alone, bundling skipped. */
export function synthConstruct(build: (stack: Stack) => void): Template {
  const stack = new Stack(unbundledApp(), 'Construct', { env: TEST_ENV });
  build(stack);
  return Template.fromStack(stack);
}

/** ARN of the stand-in function `name` (see fakeFunction). */
export const fakeFunctionArn = (name: string): string => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;

/** A function imported by ARN, standing in for one of Worker's, so a state names which function each task calls. */
export function fakeFunction(stack: Stack, name: string): lambda.IFunction {
  return lambda.Function.fromFunctionAttributes(stack, `Fake-${name}`, {
    functionArn: fakeFunctionArn(name),
    sameEnvironment: true,
  });
}

/** A state machine imported by ARN, standing in for Orchestration's in the constructs that start or watch one. */
export function fakeStateMachine(stack: Stack, name: string): sfn.IStateMachine {
  return sfn.StateMachine.fromStateMachineArn(
    stack,
    `Fake-${name}`,
    `arn:aws:states:eu-west-1:123456789012:stateMachine:${name}`,
  );
}

/**
 * A state machine's definition as deployed (by default the sync's, which starts at `Start`): the template holds it
 * as JSON text, or as a Fn::Join of JSON text and function ARN tokens (which sit inside JSON strings), each token
 * rendered as `arn`.
 */
export function stateMachineDefinition(
  template: Template,
  startAt = 'Start',
  arn = 'arn:aws:lambda:eu-west-1:123456789012:function:x',
): FreeJson {
  const definitions = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).map((machine) => {
    const text = machine.Properties.DefinitionString;
    if (typeof text === 'string') return JSON.parse(text);
    const parts = text['Fn::Join'][1] as unknown[];
    return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : arn)).join(''));
  });
  const found = definitions.find((definition) => definition.StartAt === startAt);
  if (!found) throw new Error(`no state machine starts at ${startAt}`);
  return found;
}
