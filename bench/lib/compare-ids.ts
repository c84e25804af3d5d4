import path from 'node:path';
import { openDuckDb } from '../../lib/parquet';
import type { SimInfo } from './sim-process';

/**
 * Exported ids per object: how many expected ones are missing, and how many appear more than once; in the snapshot
 * of `runId` when given (a folder holding several runs), else in every snapshot run folder.
 */
export async function compareIds(
  folder: string,
  info: SimInfo,
  objects: readonly string[],
  runId?: string,
): Promise<{ lost: number; duplicated: number; rows: number }> {
  const db = await openDuckDb();
  let lost = 0;
  let duplicated = 0;
  let rows = 0;
  try {
    for (const object of objects) {
      const parts = path.join(folder, 'snapshots', object, '*', runId ? `run_id=${runId}` : '*', '*.parquet');
      const exported = await db.query<{ id: string; n: number }>(
        `SELECT id, count(*)::INTEGER AS n FROM read_parquet('${parts}') GROUP BY id`,
      );
      const seen = new Map(exported.map((r) => [r.id, Number(r.n)]));
      rows += exported.reduce((sum, r) => sum + Number(r.n), 0);
      for (const id of info.ids[object]) if (!seen.has(id)) lost += 1;
      for (const n of seen.values()) if (n > 1) duplicated += n - 1;
      const expected = new Set(info.ids[object]);
      for (const id of seen.keys()) if (!expected.has(id)) duplicated += 1;
    }
  } finally {
    await db.close();
  }
  return { lost, duplicated, rows };
}
