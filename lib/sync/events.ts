import type { ObjectOutcome } from './types';

/** EventBridge source of every event this project emits or reacts to. */
export const EVENT_SOURCE = 'hubspot-s3-sync';

export const DETAIL_TYPES = {
  completed: 'Snapshot Completed',
  failed: 'Snapshot Failed',
  backfillRequested: 'Backfill Requested',
} as const;

/**
 * Step Functions execution statuses after which a run may have ended without a finalize that held: the stack's
 * FinalizeStoppedRuns rule matches them, and finalize accepts them in the event it hands over.
 */
export const STOPPED_STATUSES = ['ABORTED', 'TIMED_OUT', 'FAILED'] as const;

export interface CompletionEvent {
  source: typeof EVENT_SOURCE;
  detailType: (typeof DETAIL_TYPES)['completed' | 'failed'];
  detail: {
    object: string;
    dataset: string;
    runId: string;
    mode: string;
    snapshotDate: string;
    rows: number;
    files: number;
    bytes: number;
    manifestUrl: string | null;
    reason?: string;
    /** `database.table` of the dataset in Glue, when the stack registers tables. */
    catalogTable?: string;
  };
}

/** Sends completion events: EventBridge in AWS, nothing (or a log line) locally. */
export type EventPublisher = (events: CompletionEvent[]) => Promise<void>;

/** The completion event of one object's outcome, which warehouse loads trigger on. */
export function completionEvent(outcome: ObjectOutcome, runId: string, snapshotDate: string): CompletionEvent {
  const completed = outcome.status === 'completed';
  return {
    source: EVENT_SOURCE,
    detailType: completed ? DETAIL_TYPES.completed : DETAIL_TYPES.failed,
    detail: {
      object: outcome.object,
      dataset: outcome.dataset,
      runId,
      mode: outcome.mode,
      snapshotDate,
      rows: outcome.rows,
      files: outcome.files,
      bytes: outcome.bytes,
      manifestUrl: outcome.manifestUrl ?? null,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...(outcome.catalogTable ? { catalogTable: outcome.catalogTable } : {}),
    },
  };
}
