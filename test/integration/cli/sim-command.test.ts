import { request } from 'undici';
import { simCommand } from '../../../lib/cli/sim-command';
import { InvalidInputError } from '../../../lib/sync/run-input';
import { captureIo } from '../../helpers/cli-io';

describe('Command: sim', () => {
  it('prints {url, serviceKey} first with --json and serves the API until stopped', async () => {
    const io = captureIo();
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const done = simCommand({ port: '0', seed: '3', scale: 'tiny', json: true }, io, () => stopped);
    while (!io.out().includes('\n')) await new Promise((r) => setTimeout(r, 10));
    const first = JSON.parse(io.out().split('\n')[0]) as { url: string; serviceKey: string };
    const response = await request(`${first.url}/crm/v3/objects/contacts?limit=2`, {
      headers: { authorization: `Bearer ${first.serviceKey}` },
    });
    const body = (await response.body.json()) as { results: unknown[] };
    expect([response.statusCode, body.results.length]).toEqual([200, 2]);
    stop();
    await expect(done).resolves.toBe(0);
  });

  it.each([
    [
      { scale: 'huge' },
      '--scale: must be tiny, demo, large or a number of contacts (a whole number of at least 1), not "huge"',
    ],
    [{ port: '70000' }, '--port: must be a whole number from 0 to 65535, not "70000"'],
    [{ seed: '0x10' }, '--seed: must be a whole number from 0 to 4294967295, not "0x10"'],
  ])('rejects %j', async (options, message) => {
    await expect(simCommand(options, captureIo(), async () => undefined)).rejects.toThrow(InvalidInputError);
    await expect(simCommand(options, captureIo(), async () => undefined)).rejects.toThrow(
      `invalid options: ${message}`,
    );
  });
});
