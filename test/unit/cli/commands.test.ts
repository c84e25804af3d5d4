import type { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { backfillCommand } from '../../../lib/cli/backfill-command';
import { main } from '../../../lib/cli/main';
import { InvalidInputError } from '../../../lib/sync/run-input';
import { captureIo } from '../../helpers/cli-io';

// Step Functions cannot run here: a recorder stands in for SFNClient.send, through the command's own door.
const recorder = () => {
  const sent: StartExecutionCommand[] = [];
  return {
    sent,
    send: async (command: StartExecutionCommand) => (
      sent.push(command),
      { executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:sync:abc' }
    ),
  };
};
const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:HubSpotSync';

describe('Command: backfill', () => {
  it('starts the state machine with validated run input', async () => {
    const sfn = recorder();
    const io = captureIo();
    const code = await backfillCommand(
      { stateMachine: ARN, objects: 'deals,tickets', since: '2026-01-01', until: '2026-02-01' },
      io,
      sfn,
    );
    expect(code).toBe(0);
    expect(sfn.sent.map((c) => c.input)).toEqual([
      {
        stateMachineArn: ARN,
        input: JSON.stringify({
          mode: 'backfill',
          objects: ['deals', 'tickets'],
          since: '2026-01-01T00:00:00.000Z',
          until: '2026-02-01T00:00:00.000Z',
        }),
      },
    ]);
    expect(io.out()).toContain('started backfill arn:aws:states:eu-west-1:123456789012:execution:sync:abc');
  });

  it.each([
    [
      { stateMachine: 'HubSpotSync', since: '2026-01-01' },
      '--state-machine must be a Step Functions state machine ARN, not "HubSpotSync"',
    ],
    [{ stateMachine: ARN }, 'since: a backfill needs since'],
    [
      { stateMachine: ARN, since: '2026-03-01', until: '2026-01-01' },
      'invalid run input: until: until (2026-01-01T00:00:00.000Z) must be after since (2026-03-01T00:00:00.000Z)',
    ],
  ])('refuses %j before calling AWS', async (options, message) => {
    const sfn = recorder();
    const attempt = backfillCommand(options, captureIo(), sfn);
    await expect(attempt).rejects.toThrow(InvalidInputError);
    await expect(backfillCommand(options, captureIo(), sfn)).rejects.toThrow(message);
    expect(sfn.sent).toEqual([]);
  });
});

describe('Function: main', () => {
  const cli = async (...args: string[]) => {
    const io = captureIo();
    const code = await main(['node', 'hubspot-s3-sync', ...args], io);
    return { code, out: io.out(), err: io.err() };
  };

  it('prints its version', async () => {
    expect(await cli('--version')).toEqual({ code: 0, out: '0.1.0\n', err: '' });
  });

  it.each([
    [['run'], "error: required option '--out <dir|s3://bucket/prefix>' not specified"],
    [['frobnicate'], "error: unknown command 'frobnicate'"],
  ])('exits 2 on %j with the reason', async (args, message) => {
    const result = await cli(...args);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });
});
