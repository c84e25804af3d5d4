import { main } from '../../../lib/cli/main';
import { simCommand, type RawSimOptions } from '../../../lib/cli/sim-command';
import { InvalidInputError } from '../../../lib/sync/run-input';
import { captureIo } from '../../helpers/cli-io';
import { call } from './sim-http';

/** Starts `sim` with `options`; resolves its URL and key, and a stop function that resolves the exit code. */
async function startSimCommand(options: RawSimOptions) {
  const io = captureIo();
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const done = simCommand({ port: '0', seed: '1', scale: 'tiny', ...options }, io, () => stopped);
  while (!io.out().includes('\n')) await new Promise((r) => setTimeout(r, 10));
  return { io, stop: () => (stop(), done) };
}

describe('Command: sim, latency and search-lag flags', () => {
  it('starts the simulator with the latency and search lag the flags give', async () => {
    const { io, stop } = await startSimCommand({
      json: true,
      latencyMs: '80',
      latencyPerKbMs: '0.5',
      latencyJitter: '0.25',
      searchLagMs: '1500',
    });
    const { url, serviceKey } = JSON.parse(io.out().split('\n')[0]) as { url: string; serviceKey: string };
    const started = performance.now();
    const list = await call(`${url}/crm/v3/objects/contacts?limit=1`, serviceKey);
    const elapsed = performance.now() - started;
    const [latency, lag] = [
      await call(`${url}/_sim/latency`, undefined),
      await call(`${url}/_sim/search-lag`, undefined),
    ];
    expect([list.status, elapsed >= 0.75 * 80 - 1, latency.json, lag.json]).toEqual([
      200,
      true,
      { baseMs: 80, perKbMs: 0.5, jitter: 0.25 },
      { ms: 1500 },
    ]);
    await expect(stop()).resolves.toBe(0);
  });

  it('says what latency it runs with, and how to change it, in the plain output', async () => {
    const { io, stop } = await startSimCommand({ latencyMs: '250', latencyPerKbMs: '0.3', latencyJitter: '0.25' });
    await expect(stop()).resolves.toBe(0);
    const url = /listening on (\S+)/.exec(io.out())![1];
    expect(io.out().split('\n')[1]).toBe(
      `latency 250 ms + 0.3 ms/KB, jitter ±25%; search lag 0 ms (change at run time: POST ${url}/_sim/latency, /_sim/search-lag)`,
    );
  });

  it.each([
    [{ latencyJitter: '1.5' }, '--latency-jitter: must be a number from 0 to 1, not "1.5"'],
    [{ latencyMs: '-5' }, '--latency-ms: must be a number from 0 to 600000, not "-5"'],
    [{ latencyMs: '1e3' }, '--latency-ms: must be a number from 0 to 600000, not "1e3"'],
    [{ latencyPerKbMs: '0.3ms' }, '--latency-per-kb-ms: must be a number from 0 to 60000, not "0.3ms"'],
    [{ searchLagMs: '3600001' }, '--search-lag-ms: must be a number from 0 to 3600000, not "3600001"'],
  ])('rejects %j naming the flag and the value', async (options, message) => {
    const run = simCommand(options, captureIo(), async () => undefined);
    await expect(run).rejects.toThrow(new InvalidInputError(`invalid options: ${message}`));
  });

  it('exits 2 on a bad flag through main', async () => {
    const io = captureIo();
    const code = await main(['node', 'hubspot-s3-sync', 'sim', '--latency-jitter', '2'], io);
    expect([code, io.out(), io.err()]).toEqual([
      2,
      '',
      'error: invalid options: --latency-jitter: must be a number from 0 to 1, not "2"\n',
    ]);
  });
});
