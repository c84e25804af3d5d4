import { z } from 'zod';
import { SETTING_LIMITS, startSimulator, type Simulator } from '../../sim';
import { quote } from '../sync/run-input';
import { describeLimits, invalidOptions, NUMBER_OPTIONS, readWholeNumber, wholeNumber } from './option-values';
import { writeLine, type CliIo } from './output';

export interface RawSimOptions {
  port?: string;
  seed?: string;
  scale?: string;
  latencyMs?: string;
  latencyPerKbMs?: string;
  latencyJitter?: string;
  searchLagMs?: string;
  json?: boolean;
}

const SCALES = ['tiny', 'demo', 'large'] as const;

/** A decimal option (`250`, `0.3`) within the simulator's limits for the setting, which it names in messages. */
function decimal(setting: keyof typeof SETTING_LIMITS) {
  const limits = SETTING_LIMITS[setting];
  const message = (input: unknown) => `must be a number ${describeLimits(limits)}, not ${quote(input)}`;
  return z.string({ error: (issue) => message(issue.input) }).transform((text, ctx) => {
    const value = Number(text);
    if (/^\d+(\.\d+)?$/.test(text) && value >= limits.min && value <= limits.max) return value;
    ctx.addIssue({ code: 'custom', message: message(text) });
    return z.NEVER;
  });
}

const SimOptionsSchema = z.object({
  port: wholeNumber(NUMBER_OPTIONS.port).default(0),
  seed: wholeNumber(NUMBER_OPTIONS.seed).default(1),
  scale: z
    .string()
    .default('tiny')
    .transform((value, ctx) => {
      if ((SCALES as readonly string[]).includes(value)) return value as (typeof SCALES)[number];
      const count = readWholeNumber(value, NUMBER_OPTIONS.scaleContacts);
      if (count !== undefined) return count;
      ctx.addIssue({
        code: 'custom',
        message: `must be ${SCALES.join(', ')} or a number of contacts (a whole number ${describeLimits(NUMBER_OPTIONS.scaleContacts)}), not ${quote(value)}`,
      });
      return z.NEVER;
    }),
  latencyMs: decimal('baseMs').default(0),
  latencyPerKbMs: decimal('perKbMs').default(0),
  latencyJitter: decimal('jitter').default(0),
  searchLagMs: decimal('searchLagMs').default(0),
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
  if (!parsed.success) throw invalidOptions(parsed.error.issues);
  const { port, seed, scale, latencyMs, latencyPerKbMs, latencyJitter, searchLagMs, json } = parsed.data;
  const latency = { baseMs: latencyMs, perKbMs: latencyPerKbMs, jitter: latencyJitter };
  const sim: Simulator = await startSimulator({ port, seed, scale, latency, searchLagMs });
  if (json) writeLine(io.stdout, JSON.stringify({ url: sim.url, serviceKey: sim.serviceKey }));
  else {
    writeLine(io.stdout, `HubSpot simulator listening on ${sim.url} (seed ${seed}, scale ${scale})`);
    if (latencyMs + latencyPerKbMs > 0 || searchLagMs > 0) {
      writeLine(
        io.stdout,
        `latency ${latencyMs} ms + ${latencyPerKbMs} ms/KB, jitter ±${Number((latencyJitter * 100).toFixed(4))}%; search lag ${searchLagMs} ms ` +
          `(change at run time: POST ${sim.url}/_sim/latency, /_sim/search-lag)`,
      );
    }
    writeLine(io.stdout, `full-scope service key: ${sim.serviceKey}`);
    writeLine(
      io.stdout,
      `try: HUBSPOT_SERVICE_KEY=<key> hubspot-s3-sync run --hubspot-url ${sim.url} --out ./hubspot-data`,
    );
    writeLine(
      io.stdout,
      `a key with fewer scopes: curl -X POST ${sim.url}/_sim/keys -d '{"scopes":["crm.objects.contacts.read"]}'`,
    );
  }
  await waitForStop();
  await sim.close();
  return 0;
}
