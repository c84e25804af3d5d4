/** The optional `associations` block of list results: {"associations":{"companies":{"results":[{id,type}]}}}. */
import type { TypeStore } from '../data/type-store';
import type { RouteContext } from '../http/route';

export function associationsJson(ctx: RouteContext, store: TypeStore, i: number, refs: readonly string[]): string {
  const blocks: string[] = [];
  for (const ref of refs) {
    const to = ctx.dataset.store(ref);
    if (!to) continue;
    const index = ctx.dataset.associations(store.type.name, to.type.name);
    if (!index || i >= index.offsets.length - 1) continue;
    const results: string[] = [];
    const typeLabel = `${store.type.name.replace(/s$/, '')}_to_${to.type.name.replace(/s$/, '')}`;
    for (let k = index.offsets[i]; k < index.offsets[i + 1]; k++) {
      results.push(`{"id":"${to.ids[index.targets[k]]}","type":"${typeLabel}"}`);
    }
    if (results.length > 0) blocks.push(`"${to.type.name}":{"results":[${results.join(',')}]}`);
  }
  return blocks.length > 0 ? `,"associations":{${blocks.join(',')}}` : '';
}
