/**
 * CloudWatch metrics of a finished run, as data: finalize's handler publishes them (EMF), the stack alarms on them.
 * Run totals are kept per mode and rows per dataset: about 85 metrics for a portal with every standard object
 * (22 types, their snapshots and change sets).
 */
import type { RunResult } from './finalize';

export const METRICS_NAMESPACE = 'HubSpotS3Sync';

/** Run-level metrics (dimension Mode) and how each sums the run's outcomes. */
export const RUN_METRICS = {
  /** 1 when no dataset of the run failed (skipped ones were another run's), else 0. */
  RunsSucceeded: { unit: 'Count', of: (r: RunResult) => Number(r.outcomes.every((o) => o.status !== 'failed')) },
  DatasetsCompleted: { unit: 'Count', of: (r: RunResult) => r.outcomes.filter((o) => o.status === 'completed').length },
  DatasetsFailed: { unit: 'Count', of: (r: RunResult) => r.outcomes.filter((o) => o.status === 'failed').length },
  /** Objects left to another run that held them. */
  DatasetsSkipped: { unit: 'Count', of: (r: RunResult) => r.outcomes.filter((o) => o.status === 'skipped').length },
  RowsExported: { unit: 'Count', of: (r: RunResult) => sum(r, 'rows') },
  BytesWritten: { unit: 'Bytes', of: (r: RunResult) => sum(r, 'bytes') },
  UnparsedValues: { unit: 'Count', of: (r: RunResult) => sum(r, 'unparsed') },
  HubSpotRequests: { unit: 'Count', of: (r: RunResult) => sum(r, 'requests') },
  HubSpotRetries: { unit: 'Count', of: (r: RunResult) => sum(r, 'retries') },
  CatalogErrors: { unit: 'Count', of: (r: RunResult) => r.outcomes.filter((o) => o.catalogError).length },
  RunSeconds: {
    unit: 'Seconds',
    of: (r: RunResult) => (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000,
  },
} as const satisfies Record<string, { unit: MetricUnitName; of: (result: RunResult) => number }>;

/** Per-dataset metric (dimensions Dataset and Mode): a table whose row count drops shows here first. */
export const DATASET_ROWS_METRIC = 'DatasetRows';

export type MetricUnitName = 'Count' | 'Bytes' | 'Seconds';

export interface MetricPoint {
  name: string;
  unit: MetricUnitName;
  value: number;
  dimensions: Record<string, string>;
}

function sum(result: RunResult, field: 'rows' | 'bytes' | 'unparsed' | 'requests' | 'retries'): number {
  return result.outcomes.reduce((total, o) => total + o[field], 0);
}

/**
 * The metric points of a run: the run totals by mode, then the rows of each published dataset.
 * @example runMetricPoints(result)[0] // { name: 'RunsSucceeded', unit: 'Count', value: 1, dimensions: { Mode: 'full' } }
 */
export function runMetricPoints(result: RunResult): MetricPoint[] {
  const mode = { Mode: result.mode };
  const totals = Object.entries(RUN_METRICS).map(([name, metric]) => ({
    name,
    unit: metric.unit,
    value: metric.of(result),
    dimensions: mode,
  }));
  const rows = result.outcomes
    .filter((o) => o.status === 'completed')
    .map((o) => ({
      name: DATASET_ROWS_METRIC,
      unit: 'Count' as const,
      value: o.rows,
      dimensions: { Dataset: o.dataset, ...mode },
    }));
  return [...totals, ...rows];
}
