import type { TableRef } from '../store/layout';
import type { WorkItem } from './types';

/** The table an item writes: snapshots for full runs and side tables, change sets otherwise. */
export function tableOf(item: Pick<WorkItem, 'kind' | 'mode' | 'object'>): TableRef {
  if (item.kind === 'records' && item.mode !== 'full') return { kind: 'changes', object: item.object };
  return { kind: 'snapshot', object: item.object };
}
