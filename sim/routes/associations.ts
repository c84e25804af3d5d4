/** POST /crm/v4/associations/{from}/{to}/batch/read with per-input paging (offset cursors). */
import { LIMITS } from '../settings';
import { unknownObjectType, validationError, type SimResponse } from '../http/responses';
import { typeScopes, type Route, type RouteContext } from '../http/route';
import { typesOf } from '../data/associations';

export const associationsBatchRoute: Route = {
  method: 'POST',
  pattern: /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/read$/,
  route: '/crm/v4/associations/{from}/{to}/batch/read',
  tenSecondlyExempt: true,
  scopes: (ctx) => [...typeScopes(ctx, 0), ...typeScopes(ctx, 1)],
  handle: readAssociations,
};

function readAssociations(ctx: RouteContext): SimResponse {
  const from = ctx.dataset.store(ctx.params[0]);
  const to = ctx.dataset.store(ctx.params[1]);
  if (!from) return unknownObjectType(ctx.params[0]);
  if (!to) return unknownObjectType(ctx.params[1]);
  const inputs = (ctx.body as { inputs?: unknown } | undefined)?.inputs;
  if (!Array.isArray(inputs)) return validationError('inputs is required and must be an array');
  if (inputs.length > LIMITS.associationsBatchMax) {
    return validationError(
      `Batch input size limit exceeded: at most ${LIMITS.associationsBatchMax} inputs, got ${inputs.length}`,
    );
  }
  const index = ctx.dataset.associations(from.type.name, to.type.name);
  const startedAt = new Date().toISOString();
  const results: unknown[] = [];
  const missing: string[] = [];
  /** Inputs without associations: HubSpot reports each as an error rather than an empty result. */
  const unassociated: string[] = [];
  const pageSize = LIMITS.associationsPageSize;
  for (const input of inputs as { id?: unknown; after?: unknown }[]) {
    const id = String(input?.id ?? '');
    const i = from.indexOf(id);
    if (i < 0 || from.archived[i] === 1) {
      missing.push(id);
      continue;
    }
    if (!index || i >= index.offsets.length - 1 || index.offsets[i] === index.offsets[i + 1]) {
      unassociated.push(id);
      continue;
    }
    const start = index.offsets[i];
    const end = index.offsets[i + 1];
    const offset = input.after === undefined ? 0 : Number(input.after);
    if (!Number.isInteger(offset) || offset < 0)
      return validationError(`after must be an offset, got ${String(input.after)}`);
    const to_: unknown[] = [];
    for (let k = start + offset; k < Math.min(end, start + offset + pageSize); k++) {
      to_.push({ toObjectId: String(to.ids[index.targets[k]]), associationTypes: typesOf(index, k) });
    }
    const nextOffset = offset + pageSize;
    results.push(
      start + nextOffset < end
        ? { from: { id }, to: to_, paging: { next: { after: String(nextOffset), link: null } } }
        : { from: { id }, to: to_ },
    );
  }
  const body: Record<string, unknown> = { status: 'COMPLETE', results };
  const errors = [
    ...missing.map((id) => ({
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
      message: `No ${from.type.upperSingular} with id ${id}`,
      context: { fromObjectId: [id] },
    })),
    ...unassociated.map((id) => ({
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
      subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
      message: `No ${to.type.upperSingular.toLowerCase()} is associated with ${from.type.upperSingular.toLowerCase()} ${id}.`,
      context: { fromObjectId: [id] },
    })),
  ];
  if (errors.length > 0) {
    body.numErrors = errors.length;
    body.errors = errors;
  }
  body.startedAt = startedAt;
  body.completedAt = new Date().toISOString();
  return { status: errors.length > 0 ? 207 : 200, body: JSON.stringify(body) };
}
