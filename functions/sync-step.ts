import type { Context } from 'aws-lambda';
import type { SyncRuntime } from '../lib/sync/create-deps';
import { runSyncStep } from '../lib/sync/sync-step';
import { parseStepEvent } from './events';
import { getRuntime } from './runtime';

/** sync-step: advance one item until shortly before the Lambda's own time limit; the state machine loops until done. */
export const makeSyncStepHandler =
  (runtime: () => Promise<SyncRuntime>) =>
  async (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const { item } = parseStepEvent(event);
    const { deps, newClient } = await runtime();
    const result = await runSyncStep({ ...deps, client: newClient() }, item, {
      deadline: Date.now() + context.getRemainingTimeInMillis(),
    });
    return { item, ...result };
  };

export const handler = makeSyncStepHandler(getRuntime);
