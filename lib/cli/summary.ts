import type { RunResult } from '../sync/finalize';
import { formatBytes, formatTable } from './output';

/** The `--json` summary: one object per dataset with rows, files, bytes, requests, retries, seconds. */
export function jsonSummary(result: RunResult): Record<string, unknown> {
  return {
    runId: result.runId,
    mode: result.mode,
    snapshotDate: result.snapshotDate,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    ok: result.outcomes.every((o) => o.status === 'completed'),
    objects: result.outcomes.map((o) => ({
      object: o.object,
      dataset: o.dataset,
      status: o.status,
      mode: o.mode,
      rows: o.rows,
      files: o.files,
      bytes: o.bytes,
      unparsed: o.unparsed,
      requests: o.requests,
      retries: o.retries,
      seconds: Math.round(o.seconds * 10) / 10,
      ...(o.manifestUrl ? { manifest: o.manifestUrl } : {}),
      ...(o.reason ? { reason: o.reason } : {}),
      ...(o.catalogTable ? { catalogTable: o.catalogTable } : {}),
      ...(o.catalogError ? { catalogError: o.catalogError } : {}),
    })),
  };
}

const STATUS_WORDS = { completed: 'ok', failed: 'FAILED', skipped: 'skipped' } as const;

/** A human table of the run, one line per dataset. */
export function textSummary(result: RunResult): string {
  const rows = result.outcomes.map((o) => [
    o.dataset,
    STATUS_WORDS[o.status],
    o.rows,
    o.files,
    formatBytes(o.bytes),
    o.requests,
    o.retries,
    Number(o.seconds.toFixed(1)),
  ]);
  const table = formatTable(['dataset', 'status', 'rows', 'files', 'size', 'requests', 'retries', 'seconds'], rows);
  return `run ${result.runId} (${result.mode}, snapshot ${result.snapshotDate})\n${table}`;
}

/**
 * One line per object this run did not export, with its reason: what the exit code stands for. An object another
 * run holds is not this run's failure, but it was asked for and not exported here.
 */
export const failureLines = (result: RunResult): string[] =>
  result.outcomes
    .filter((o) => o.status !== 'completed')
    .map((o) => `error: ${o.object} not exported: ${o.status === 'skipped' ? 'skipped, ' : ''}${o.reason}`);
