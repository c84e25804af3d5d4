import type { SyncRuntime } from '../lib/sync/create-deps';
import { planRun } from '../lib/sync/plan';
import { failingFinally } from '../lib/sync/step-retry';
import { parsePlanEvent } from './events';
import { getRuntime, logger } from './runtime';

/** plan: validate the run input, then plan the run (idempotent per execution); the state machine maps over `items`. */
export const makePlanHandler = (runtime: () => Promise<SyncRuntime>) => (event: unknown) =>
  failingFinally(async () => {
    const { input, runId } = parsePlanEvent(event);
    const { deps } = await runtime();
    const plan = await planRun(deps, input, { runId });
    logger.info('planned', { runId: plan.runId, items: plan.items.length, failures: plan.failures });
    return { runId: plan.runId, items: plan.items, failures: plan.failures };
  });

export const handler = makePlanHandler(getRuntime);
