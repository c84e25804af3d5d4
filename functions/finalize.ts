import type { SyncRuntime } from '../lib/sync/create-deps';
import type { EventPublisher } from '../lib/sync/events';
import { finalizeRun } from '../lib/sync/finalize';
import { runMetricPoints } from '../lib/sync/run-metrics';
import { parseFinalizeEvent } from './events';
import { emfMetricsPublisher, eventBridgePublisher, getRuntime, logger, type MetricsPublisher } from './runtime';

/** finalize: publish manifests and _latest, advance watermarks, emit completion events and the run's metrics. */
export const makeFinalizeHandler =
  (
    runtime: () => Promise<SyncRuntime>,
    publisher: () => EventPublisher,
    publishMetrics: MetricsPublisher = emfMetricsPublisher(),
  ) =>
  async (event: unknown) => {
    const { runId, failedItems } = parseFinalizeEvent(event);
    const { deps } = await runtime();
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
