import { createHash, randomBytes } from 'node:crypto';

/** A sortable, unique run id such as `20261129T084512Z-3f9a1c`: UTC start time plus 24 random bits. */
export function makeRunId(now: Date, random: () => Buffer = () => randomBytes(3)): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `${stamp}-${random().toString('hex')}`;
}

/**
 * The run id of a state machine execution: its start time plus 24 bits of its id's hash, the same for every attempt
 * of its plan, so a retried plan takes back its own leases instead of finding them held by a run that never ran.
 */
export const executionRunId = (executionId: string, startTime: Date): string =>
  makeRunId(startTime, () => createHash('sha256').update(executionId).digest().subarray(0, 3));

/** The UTC calendar date (YYYY-MM-DD) a run files its snapshots under. */
export const snapshotDateOf = (startedAt: Date): string => startedAt.toISOString().slice(0, 10);
