import type { SyncDeps } from './deps';
import { runRecordStep, type StepOptions } from './record-step';
import { runSideTableStep } from './side-table-step';
import type { StepResult, WorkItem } from './types';

export type { StepOptions };

/**
 * sync-step: advances one work item as far as its time budget allows and checkpoints.
 * Call it again with the same item until `done`.
 * @example while (!(await runSyncStep(deps, item, { deadline })).done) {}
 */
export function runSyncStep(deps: SyncDeps, item: WorkItem, options: StepOptions = {}): Promise<StepResult> {
  // A warm Lambda's next run may be on another day: its daily count is asked again (RateBudget.beginRun).
  deps.client.budget.beginRun(item.runId);
  return item.kind === 'records' ? runRecordStep(deps, item, options) : runSideTableStep(deps, item);
}
