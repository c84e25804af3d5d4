import type { Context } from 'aws-lambda';
import { classify } from '../lib/core/errors';
import type { SyncRuntime } from '../lib/sync/create-deps';
import { failingFinally } from '../lib/sync/step-retry';
import { runSyncStep } from '../lib/sync/sync-step';
import { parseStepEvent } from './events';
import { getRuntime, logger } from './runtime';

const MESSAGE_LIMIT = 300;

/**
 * sync-step: advance one item until shortly before the Lambda's own time limit; the state machine
 * loops until done. Errors a retry can help (classify) are thrown for the state machine to retry (the step resumes
 * from its checkpoint); the others end the item with `failure` set to their one-line reason.
 */
export const makeSyncStepHandler =
  (runtime: () => Promise<SyncRuntime>) =>
  async (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    // An event that is not a step's (a hand-started invocation) fails for good, before anything is touched.
    const { item } = await failingFinally(async () => parseStepEvent(event));
    const { deps, newClient } = await runtime();
    try {
      const deadline = Date.now() + context.getRemainingTimeInMillis();
      const result = await runSyncStep({ ...deps, client: newClient() }, item, { deadline });
      return { item, ...result, failure: null };
    } catch (error) {
      const { retryable, name, reason } = classify(error);
      if (retryable) throw error;
      logger.warn('item failed for good', { object: item.object, error: name, message: reason });
      return {
        item,
        done: true,
        rows: 0,
        parts: 0,
        failure: { error: name, message: reason.slice(0, MESSAGE_LIMIT) },
      };
    }
  };

export const handler = makeSyncStepHandler(getRuntime);
