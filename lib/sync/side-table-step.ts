import { resumeCheckpoint, saveCheckpoint, countRequests } from './checkpoint';
import type { SyncDeps } from './deps';
import { tableOf } from './tables';
import { PartNumbers, scratchDir, uploadRows } from './parts';
import { pipelineObjectsOf, readOwnerRows, readPipelineRows, type SideTableRows } from './side-tables';
import type { StepResult, WorkItem } from './types';
import type { RowMeta } from '../schema/columns';
import type { HubSpotClient } from '../hubspot';

const READERS: Record<
  'owners' | 'pipelines',
  (client: HubSpotClient, meta: RowMeta, item: WorkItem) => Promise<SideTableRows>
> = {
  owners: readOwnerRows,
  pipelines: (client, meta, item) => readPipelineRows(client, meta, pipelineObjectsOf(item)),
};

/** sync-step for owners and pipelines: small tables read whole and written as one part. */
export async function runSideTableStep(deps: SyncDeps, item: WorkItem): Promise<StepResult> {
  const resumed = await resumeCheckpoint(deps, item);
  const { checkpoint } = resumed;
  if (checkpoint.phase !== 'done') {
    const counted = { requests: deps.client.stats.requests, retries: deps.client.stats.retries };
    const read = READERS[item.kind as 'owners' | 'pipelines'];
    const meta = { runId: item.runId, syncedAt: deps.now().toISOString() };
    const { rows, columns, notes } = await read(deps.client, meta, item);
    const table = tableOf(item);
    const dir = await scratchDir(deps, item.runId, item.object);
    const numbers = await PartNumbers.start(deps, item, resumed, [table]);
    await numbers.reserve(1);
    const index = numbers.take();
    const part = await uploadRows(deps, rows, dir, {
      table,
      date: item.snapshotDate,
      runId: item.runId,
      index,
      columns,
    });
    checkpoint.parts.push(part);
    checkpoint.rows = part.rows;
    checkpoint.pages += 1;
    checkpoint.notes = notes;
    checkpoint.phase = 'done';
    countRequests(deps, checkpoint, counted);
    await saveCheckpoint(deps, item, resumed);
    deps.onProgress?.({
      object: item.object,
      phase: 'done',
      rows: part.rows,
      pages: 1,
      requests: checkpoint.requests,
      done: true,
    });
  }
  return { done: true, rows: checkpoint.rows, parts: checkpoint.parts.length };
}
