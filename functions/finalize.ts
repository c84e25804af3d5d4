import type { SyncRuntime } from '../lib/sync/create-deps';
import type { EventPublisher } from '../lib/sync/events';
import { finalizeRun, holdsAnyLease } from '../lib/sync/finalize';
import { runMetricPoints } from '../lib/sync/run-metrics';
import { parseFinalizeEvent } from './events';
import { emfMetricsPublisher, eventBridgePublisher, getRuntime, logger, type MetricsPublisher } from './runtime';

/**
 * finalize: publish manifests and _latest, advance watermarks, emit completion events and the run's metrics. Run by
 * the state machine, or 16 minutes after an execution aborted, timed out or failed (the FinalizeStoppedRuns rule).
 */
export const makeFinalizeHandler =
  (
    runtime: () => Promise<SyncRuntime>,
    publisher: () => EventPublisher,
    publishMetrics: MetricsPublisher = emfMetricsPublisher(),
  ) =>
  async (event: unknown) => {
    const { runId, failedItems, stopped } = parseFinalizeEvent(event);
    const { deps } = await runtime();
    // A run stopped before its plan was stored holds nothing (a failed plan releases its leases); one whose own
    // finalize got through (a FAILED execution ends after FinalizeAfterFailure) holds no lease any more.
    if (stopped && !(await holdsAnyLease(deps, runId))) {
      logger.info('stopped execution holds no lease: nothing to finalize', { runId, status: stopped });
      return { runId, ok: false, outcomes: [] };
    }
    if (stopped) logger.warn('finalizing a run whose execution stopped before finalize', { runId, status: stopped });
    const result = await finalizeRun(deps, runId, { failedItems, publishEvents: publisher() });
    try {
      publishMetrics(runMetricPoints(result));
    } catch (error) {
      // Everything is published by now: a metric that cannot be written must not make Step Functions retry that.
      logger.warn('run metrics not published', { error: error instanceof Error ? error.message : String(error) });
    }
    const failed = result.outcomes.filter((o) => o.status === 'failed');
    logger.info('finalized', {
      runId,
      datasets: result.outcomes.length,
      failed: failed.map((o) => `${o.object}: ${o.reason}`),
    });
    return { runId, ok: failed.length === 0, outcomes: result.outcomes };
  };

export const handler = makeFinalizeHandler(getRuntime, () => eventBridgePublisher());
