import type { Context } from 'aws-lambda';
import { runSyncStep } from '../lib/sync/sync-step';
import { parseStepEvent } from './events';
import { getRuntime } from './runtime';

/** sync-step: advance one item until shortly before the Lambda's own time limit; the state machine loops until done. */
export async function handler(event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) {
  const { item } = parseStepEvent(event);
  const runtime = await getRuntime();
  const deps = { ...runtime.deps, client: runtime.newClient() };
  const result = await runSyncStep(deps, item, { deadline: Date.now() + context.getRemainingTimeInMillis() });
  return { item, ...result };
}
