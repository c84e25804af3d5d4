import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { quote, type InputIssue } from '../sync/run-input';
import { invalidOptions } from './option-values';
import { checkRunInputOptions } from './options';
import { writeLine, type CliIo } from './output';

export interface RawBackfillOptions {
  stateMachine?: string;
  objects?: string;
  since?: string;
  until?: string;
}

/** The part of SFNClient `backfill` uses; tests pass a recorder (Step Functions cannot run here). */
export interface ExecutionStarter {
  send(command: StartExecutionCommand): Promise<{ executionArn?: string }>;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/;

/**
 * `hubspot-s3-sync backfill`: validates the run input (against this machine's clock; the plan checks again
 * against its own) and starts the deployed state machine with it.
 */
export async function backfillCommand(
  raw: RawBackfillOptions,
  io: CliIo,
  sfn: ExecutionStarter = new SFNClient({}),
): Promise<number> {
  const arn = raw.stateMachine ?? '';
  const arnIssues: InputIssue[] = STATE_MACHINE_ARN.test(arn)
    ? []
    : [{ path: ['stateMachine'], message: `must be a Step Functions state machine ARN, not ${quote(arn)}` }];
  const { input, issues } = checkRunInputOptions('backfill', raw, new Date());
  if (!input || arnIssues.length) throw invalidOptions([...arnIssues, ...issues]);
  const out = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: raw.stateMachine, input: JSON.stringify(input) }),
  );
  writeLine(
    io.stdout,
    `started backfill ${out.executionArn ?? '(no execution ARN returned)'} with ${JSON.stringify(input)}`,
  );
  return 0;
}
