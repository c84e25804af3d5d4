import type { Context } from 'aws-lambda';
import {
  DailyBudgetExhaustedError,
  MissingScopesError,
  NotFoundError,
  UnauthorizedError,
  UriTooLongError,
  ValidationError,
} from '../lib/hubspot';
import { ObjectLockedError } from '../lib/store/lock';
import type { SyncRuntime } from '../lib/sync/create-deps';
import { runSyncStep } from '../lib/sync/sync-step';
import { parseStepEvent } from './events';
import { getRuntime, logger } from './runtime';

/** Errors a retry cannot fix: the item ends, with a short reason for finalize instead of a stack trace. */
const PERMANENT_ERRORS = [
  MissingScopesError,
  UnauthorizedError,
  ValidationError,
  NotFoundError,
  UriTooLongError,
  DailyBudgetExhaustedError,
  ObjectLockedError,
];

const MESSAGE_LIMIT = 300;

/**
 * sync-step: advance one item until shortly before the Lambda's own time limit; the state machine
 * loops until done. Transient errors are thrown for the state machine to retry (the step resumes
 * from its checkpoint); permanent ones end the item with `failure` set.
 */
export const makeSyncStepHandler =
  (runtime: () => Promise<SyncRuntime>) =>
  async (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const { item } = parseStepEvent(event);
    const { deps, newClient } = await runtime();
    try {
      const deadline = Date.now() + context.getRemainingTimeInMillis();
      const result = await runSyncStep({ ...deps, client: newClient() }, item, { deadline });
      return { item, ...result, failure: null };
    } catch (error) {
      if (!PERMANENT_ERRORS.some((type) => error instanceof type)) throw error;
      const { name, message } = error as Error;
      logger.warn('item failed for good', { object: item.object, error: name, message });
      return {
        item,
        done: true,
        rows: 0,
        parts: 0,
        failure: { error: name, message: message.slice(0, MESSAGE_LIMIT) },
      };
    }
  };

export const handler = makeSyncStepHandler(getRuntime);
