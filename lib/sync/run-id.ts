import { randomBytes } from 'node:crypto';

/** A sortable, unique run id such as `20261129T084512Z-3f9a1c`: UTC start time plus 24 random bits. */
export function makeRunId(now: Date, random: () => Buffer = () => randomBytes(3)): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `${stamp}-${random().toString('hex')}`;
}

/** The UTC calendar date (YYYY-MM-DD) a run files its snapshots under. */
export const snapshotDateOf = (startedAt: Date): string => startedAt.toISOString().slice(0, 10);
