import { z } from 'zod';
import { startSimulator, type Simulator } from '../../sim';
import { describeIssues, InvalidInputError } from '../sync/run-input';
import { writeLine, type CliIo } from './output';

export interface RawSimOptions {
  port?: string;
  seed?: string;
  scale?: string;
  json?: boolean;
}

const SCALES = ['tiny', 'demo', 'large'] as const;

const SimOptionsSchema = z.object({
  port: z.coerce.number({ message: '--port must be a number' }).int().min(0).max(65535).default(0),
  seed: z.coerce.number({ message: '--seed must be a number' }).int().default(1),
  scale: z
    .string()
    .default('tiny')
    .transform((value, ctx) => {
      if ((SCALES as readonly string[]).includes(value)) return value as (typeof SCALES)[number];
      const count = Number(value);
      if (Number.isInteger(count) && count > 0) return count;
      ctx.addIssue({
        code: 'custom',
        message: `--scale must be ${SCALES.join(', ')} or a record count, not "${value}"`,
      });
      return z.NEVER;
    }),
  json: z.boolean().default(false),
});

/** Resolves when the process is asked to stop. */
const untilSignal = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

/** `hubspot-s3-sync sim`: the simulator alone, until interrupted. */
export async function simCommand(
  raw: RawSimOptions,
  io: CliIo,
  waitForStop: () => Promise<void> = untilSignal,
): Promise<number> {
  const parsed = SimOptionsSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidInputError(`invalid options: ${describeIssues(parsed.error.issues)}`);
  const { port, seed, scale, json } = parsed.data;
  const sim: Simulator = await startSimulator({ port, seed, scale });
  if (json) writeLine(io.stdout, JSON.stringify({ url: sim.url, serviceKey: sim.serviceKey }));
  else {
    writeLine(io.stdout, `HubSpot simulator listening on ${sim.url} (seed ${seed}, scale ${scale})`);
    writeLine(io.stdout, `full-scope service key: ${sim.serviceKey}`);
    writeLine(
      io.stdout,
      `try: HUBSPOT_SERVICE_KEY=<key> hubspot-s3-sync run --hubspot-url ${sim.url} --out ./hubspot-data`,
    );
  }
  await waitForStop();
  await sim.close();
  return 0;
}
