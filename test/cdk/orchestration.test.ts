import type { CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Orchestration, type OrchestrationProps } from '../../cdk/constructs/orchestration';
import { fakeFunction, fakeFunctionArn, stateMachineDefinition, synthConstruct } from '../helpers/stack';

/** Orchestration alone, its three functions stand-ins named plan, sync-step and finalize; and its machines' ids. */
function synthOrchestration(props: Partial<OrchestrationProps> = {}): {
  template: Template;
  stateMachineId: string;
} {
  let stateMachineId = '';
  const template = synthConstruct((stack) => {
    const orchestration = new Orchestration(stack, 'Orchestration', {
      plan: fakeFunction(stack, 'plan'),
      syncStep: fakeFunction(stack, 'sync-step'),
      finalize: fakeFunction(stack, 'finalize'),
      ...props,
    });
    stateMachineId = stack.getLogicalId(orchestration.stateMachine.node.defaultChild as CfnElement);
  });
  return { template, stateMachineId };
}

describe('Construct: Orchestration', () => {
  const { template, stateMachineId } = synthOrchestration();

  it('orchestrates plan -> Map of looping sync-steps -> finalize, and finalizes after a failed Map', () => {
    const definition = stateMachineDefinition(template);
    const states = definition.States;
    expect([
      definition.StartAt,
      states.Start.Next,
      states.Plan.Next,
      states.SyncObjects.Next,
      states.Finalize.End,
    ]).toEqual(['Start', 'Plan', 'SyncObjects', 'Finalize', true]);
    // Plan reads the execution's own input (the states before it add fields) and the execution that names the run.
    expect(states.Plan.Parameters).toEqual({
      'input.$': '$$.Execution.Input',
      execution: { 'id.$': '$$.Execution.Id', 'startTime.$': '$$.Execution.StartTime' },
    });
    expect(states.Finalize.Parameters).toEqual({ 'runId.$': '$.plan.runId', 'results.$': '$.results' });
    expect(states.SyncObjects.MaxConcurrency).toBe(6);
    expect(states.SyncObjects.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.mapError', Next: 'FinalizeAfterFailure' },
    ]);
    expect(states.FinalizeAfterFailure.Parameters['results.$']).toBe('$.noResults');
    expect(states.FinalizeAfterFailure.Next).toBe('RunFailed');

    const loop = states.SyncObjects.ItemProcessor;
    expect(loop.StartAt).toBe('SyncStep');
    expect(loop.States.SyncStep.Next).toBe('ObjectFinished?');
    expect(loop.States.SyncStep.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ObjectFailed' },
    ]);
    expect(loop.States.SyncStep.Retry.map((r: { ErrorEquals: string[] }) => r.ErrorEquals[0]).slice(1)).toEqual([
      'FinalError',
      'States.ALL',
    ]);
    expect(loop.States['ObjectFinished?']).toMatchObject({
      Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'ObjectDone' }],
      Default: 'SyncStep',
    });
    expect(loop.States.ObjectDone.Parameters).toEqual({
      'object.$': '$.item.object',
      'rows.$': '$.rows',
      'failure.$': '$.failure',
    });
    expect(
      states.Plan.Retry.map((r: { ErrorEquals: string[]; MaxAttempts: number }) => [r.ErrorEquals[0], r.MaxAttempts]),
    ).toEqual([
      ['Lambda.ClientExecutionTimeoutException', 4],
      ['FinalError', 0],
      ['States.ALL', 3],
    ]);
  });

  it('calls each phase on its own function', () => {
    const states = stateMachineDefinition(template).States;
    expect({
      Plan: states.Plan.Resource,
      SyncStep: states.SyncObjects.ItemProcessor.States.SyncStep.Resource,
      Finalize: states.Finalize.Resource,
      FinalizeAfterFailure: states.FinalizeAfterFailure.Resource,
    }).toEqual({
      Plan: fakeFunctionArn('plan'),
      SyncStep: fakeFunctionArn('sync-step'),
      Finalize: fakeFunctionArn('finalize'),
      FinalizeAfterFailure: fakeFunctionArn('finalize'),
    });
  });

  it('syncs as many objects at once as it is told', () => {
    const { template: two } = synthOrchestration({ maxConcurrency: 2 });
    expect(stateMachineDefinition(two).States.SyncObjects.MaxConcurrency).toBe(2);
  });

  it('finalizes an execution that stopped, timed out or failed, 16 minutes after its status event', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['ABORTED', 'TIMED_OUT', 'FAILED'], stateMachineArn: [{ Ref: stateMachineId }] },
      },
      Targets: [
        Match.objectLike({
          InputTransformer: {
            InputPathsMap: {
              'detail-executionArn': '$.detail.executionArn',
              'detail-startDate': '$.detail.startDate',
              'detail-status': '$.detail.status',
            },
            InputTemplate:
              '{"execution":{"id":<detail-executionArn>,"startTime":<detail-startDate>,"status":<detail-status>}}',
          },
          RetryPolicy: { MaximumRetryAttempts: 8 },
        }),
      ],
    });
    // Past the longest Lambda timeout: a stop does not end the invocations the execution had started.
    const delayed = stateMachineDefinition(template, 'WaitForStartedLambdas');
    expect(delayed.States.WaitForStartedLambdas).toEqual({ Type: 'Wait', Seconds: 960, Next: 'FinalizeStopped' });
    expect(delayed.States.FinalizeStopped.Resource).toBe(fakeFunctionArn('finalize'));
    expect(delayed.States.FinalizeStopped.Retry.at(-1).ErrorEquals).toEqual(['States.ALL']);
  });

  it('traces both state machines and logs every transition without payloads, for a month', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
    template.allResourcesProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});
