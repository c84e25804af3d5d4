import { readRunPlan } from '../store/state';
import type { SyncDeps } from './deps';
import type { RunPlan } from './types';

// A warm Lambda or the CLI runs many steps of one run: read its plan once. Plans never change.
// A warm container lives through many scheduled runs, so only the most recent few stay.
const plans = new Map<string, Promise<RunPlan>>();
const MAX_CACHED_PLANS = 8;

/** The stored plan of `runId`, cached per target location. */
export function loadPlan(deps: SyncDeps, runId: string): Promise<RunPlan> {
  const key = `${deps.target.location}#${runId}`;
  let plan = plans.get(key);
  if (!plan) {
    plan = readRunPlan(deps.target, runId);
    plan.catch(() => plans.delete(key));
    plans.set(key, plan);
    if (plans.size > MAX_CACHED_PLANS) plans.delete(plans.keys().next().value as string);
  }
  return plan;
}
