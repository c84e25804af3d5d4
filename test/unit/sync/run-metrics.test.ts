import { DATASET_ROWS_METRIC, runMetricPoints } from '../../../lib/sync/run-metrics';
import type { RunResult } from '../../../lib/sync/finalize';
import type { ObjectOutcome } from '../../../lib/sync/types';

const outcome = (dataset: string, fields: Partial<ObjectOutcome> = {}): ObjectOutcome => ({
  object: dataset,
  dataset,
  status: 'completed',
  mode: 'incremental',
  rows: 10,
  files: 1,
  bytes: 1000,
  unparsed: 1,
  requests: 5,
  retries: 1,
  seconds: 2,
  ...fields,
});

const result = (outcomes: ObjectOutcome[]): RunResult => ({
  runId: 'r1',
  mode: 'incremental',
  snapshotDate: '2026-11-29',
  startedAt: '2026-11-29T12:00:00.000Z',
  finishedAt: '2026-11-29T12:01:30.000Z',
  outcomes,
});

describe('Function: runMetricPoints', () => {
  it('sums the run by mode and gives each published dataset its rows', () => {
    // Prepare: two datasets published (one not in the catalog), one failed.
    const run = result([
      outcome('contacts.changes', { rows: 40, bytes: 5000, unparsed: 3, requests: 20, retries: 2 }),
      outcome('deals.changes', { catalogError: 'AccessDenied' }),
      outcome('tickets.changes', { status: 'failed', rows: 0, bytes: 0, unparsed: 0, requests: 1, retries: 0 }),
    ]);

    // Act
    const points = runMetricPoints(run);

    // Assess
    const mode = { Mode: 'incremental' };
    expect(points).toEqual([
      { name: 'RunsSucceeded', unit: 'Count', value: 0, dimensions: mode },
      { name: 'DatasetsCompleted', unit: 'Count', value: 2, dimensions: mode },
      { name: 'DatasetsFailed', unit: 'Count', value: 1, dimensions: mode },
      { name: 'DatasetsSkipped', unit: 'Count', value: 0, dimensions: mode },
      { name: 'RowsExported', unit: 'Count', value: 50, dimensions: mode },
      { name: 'BytesWritten', unit: 'Bytes', value: 6000, dimensions: mode },
      { name: 'UnparsedValues', unit: 'Count', value: 4, dimensions: mode },
      { name: 'HubSpotRequests', unit: 'Count', value: 26, dimensions: mode },
      { name: 'HubSpotRetries', unit: 'Count', value: 3, dimensions: mode },
      { name: 'CatalogErrors', unit: 'Count', value: 1, dimensions: mode },
      { name: 'RunSeconds', unit: 'Seconds', value: 90, dimensions: mode },
      { name: DATASET_ROWS_METRIC, unit: 'Count', value: 40, dimensions: { Dataset: 'contacts.changes', ...mode } },
      { name: DATASET_ROWS_METRIC, unit: 'Count', value: 10, dimensions: { Dataset: 'deals.changes', ...mode } },
    ]);
  });

  it('counts a run whose every dataset was published as succeeded', () => {
    const [succeeded] = runMetricPoints(result([outcome('a'), outcome('b')]));
    expect(succeeded).toEqual({ name: 'RunsSucceeded', unit: 'Count', value: 1, dimensions: { Mode: 'incremental' } });
  });
});
