import type { Published } from './dataset';
import type { ObjectOutcome } from './types';

/** What an outcome counts of the HubSpot work behind it; only an object's own dataset carries it. */
export type OutcomeCounts = Pick<ObjectOutcome, 'requests' | 'retries' | 'seconds'>;

export const NO_COUNTS: OutcomeCounts = { requests: 0, retries: 0, seconds: 0 };

/** The outcome of a dataset that could not be published (or that another run holds: `skipped`). */
export function failedOutcome(
  of: Pick<ObjectOutcome, 'object' | 'dataset' | 'mode'>,
  reason: string,
  counts: Pick<ObjectOutcome, 'requests' | 'retries'> = NO_COUNTS,
  status: 'failed' | 'skipped' = 'failed',
): ObjectOutcome {
  const { object, dataset, mode } = of;
  return { object, dataset, status, mode, rows: 0, files: 0, bytes: 0, unparsed: 0, ...counts, seconds: 0, reason };
}

/** The outcome a published manifest stands for. */
export function completedOutcome(published: Published, counts: OutcomeCounts = NO_COUNTS): ObjectOutcome {
  const { object, dataset, mode, rows, files, bytes, unparsed } = published.manifest;
  return {
    object,
    dataset,
    status: 'completed',
    mode,
    rows,
    files,
    bytes,
    unparsed,
    ...counts,
    manifestUrl: published.manifestUrl,
    ...(published.catalogTable ? { catalogTable: published.catalogTable } : {}),
    ...(published.catalogError ? { catalogError: published.catalogError } : {}),
  };
}
