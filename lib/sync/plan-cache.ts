import type { StorageTarget } from '../store/target';
import { readRunPlan } from './state';
import type { RunPlan } from './types';

/** Plans kept: a warm container lives through many scheduled runs, so only the most recent few stay. */
const MAX_CACHED_PLANS = 8;

/**
 * Stored run plans, read once: a warm Lambda or the CLI runs many steps of one run, and plans never change. One per
 * runtime (createSyncRuntime), so nothing is cached across runtimes or tests.
 */
export class PlanCache {
  private readonly plans = new Map<string, Promise<RunPlan>>();

  /** The stored plan of `runId` in `target`. */
  load(target: StorageTarget, runId: string): Promise<RunPlan> {
    const key = `${target.location}#${runId}`;
    let plan = this.plans.get(key);
    if (!plan) {
      plan = readRunPlan(target, runId);
      plan.catch(() => this.plans.delete(key));
      this.plans.set(key, plan);
      if (this.plans.size > MAX_CACHED_PLANS) this.plans.delete(this.plans.keys().next().value as string);
    }
    return plan;
  }
}

/** The stored plan of `runId`, through the runtime's cache when it has one. */
export function loadPlan(deps: { target: StorageTarget; plans?: PlanCache }, runId: string): Promise<RunPlan> {
  return deps.plans ? deps.plans.load(deps.target, runId) : readRunPlan(deps.target, runId);
}
