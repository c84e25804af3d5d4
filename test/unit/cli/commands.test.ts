import { existsSync } from 'node:fs';
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
      '--state-machine: must be a Step Functions state machine ARN, not "HubSpotSync"',
    ],
    [{ stateMachine: ARN }, '--since: a backfill needs since (the start of its window)'],
    [{ stateMachine: ARN, since: '2026-02-30' }, '--since: "2026-02-30" is not a real date or time'],
    [
      { stateMachine: ARN, since: '2026-03-01', until: '2026-01-01' },
      '--until: until (2026-01-01T00:00:00.000Z) must be after since (2026-03-01T00:00:00.000Z)',
    ],
    [
      { stateMachine: ARN, since: '2026-01-01', until: '2999-01-01' },
      '--until: 2999-01-01T00:00:00.000Z is in the future; leave it out to mean now',
    ],
    [
      { stateMachine: 'arn', since: '1' },
      '--state-machine: must be a Step Functions state machine ARN, not "arn"; --since: must be an ISO 8601 date ' +
        '(2026-01-31) or date-time with Z or an offset (2026-01-31T09:30:00Z, 2026-01-31T10:30+01:00), not "1"',
    ],
  ])('refuses %j before calling AWS', async (options, message) => {
    const sfn = recorder();
    const attempt = backfillCommand(options, captureIo(), sfn);
    await expect(attempt).rejects.toThrow(InvalidInputError);
    await expect(backfillCommand(options, captureIo(), sfn)).rejects.toThrow(`invalid options: ${message}`);
    expect(sfn.sent).toEqual([]);
  });

  it('refuses a since in the future before calling AWS', async () => {
    const sfn = recorder();
    const attempt = backfillCommand({ stateMachine: ARN, since: '2999-01-01T00:00+02:00' }, captureIo(), sfn);
    await expect(attempt).rejects.toThrow(/^invalid options: --since: 2998-12-31T22:00:00\.000Z is not before now \(/);
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
    [['sim', '--port', '99999'], 'error: invalid options: --port: must be a whole number from 0 to 65535, not "99999"'],
    [['sim', '--port', ''], 'error: invalid options: --port: must be a whole number from 0 to 65535, not ""'],
    [['sim', '--seed', '-1'], 'error: invalid options: --seed: must be a whole number from 0 to 4294967295, not "-1"'],
    [
      ['sim', '--scale', '1e3'],
      'error: invalid options: --scale: must be tiny, demo, large or a number of contacts ' +
        '(a whole number of at least 1), not "1e3"',
    ],
    [['demo', '--out', 's3://lake'], 'error: invalid options: --out: demo writes to a local folder, not "s3://lake"'],
    [
      ['backfill', '--state-machine', ARN, '--since', '2002'],
      'error: invalid options: --since: must be an ISO 8601 date (2026-01-31) or date-time with Z or an offset ' +
        '(2026-01-31T09:30:00Z, 2026-01-31T10:30+01:00), not "2002"',
    ],
  ])('exits 2 on %j with the reason', async (args, message) => {
    const result = await cli(...args);
    expect(result).toEqual({ code: 2, out: '', err: `${message}\n` });
  });

  it('writes nothing for a demo --out that is not a folder', async () => {
    expect((await cli('demo', '--out', 'http://x/y')).code).toBe(2);
    expect(existsSync('http:')).toBe(false);
  });
});
