/** Associations batch read (v4 and the date-versioned path) with per-input paging (offset cursors). */
import { LIMITS } from '../settings';
import {
  standardError,
  unknownObjectType,
  validationError,
  type SimResponse,
  type StandardError,
} from '../http/responses';
import { typeScopes, type Route, type RouteContext } from '../http/route';
import { typesOf } from '../data/associations';
import { singularOf } from '../data/singular';
import type { TypeStore } from '../data/type-store';

export const associationsBatchRoute: Route = {
  method: 'POST',
  paths: ['/crm/v4/associations/{from}/{to}/batch/read', '/crm/associations/{ver}/{from}/{to}/batch/read'],
  tenSecondlyExempt: true,
  scopes: (ctx) => [...typeScopes(ctx, 0), ...typeScopes(ctx, 1)],
  handle: readAssociations,
};

/** HubSpot's finer category for an input without associations (text in ErrorDetail, an object in StandardError). */
export const NO_ASSOCIATIONS_FOUND = 'crm.associations.NO_ASSOCIATIONS_FOUND';

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
  const errors: StandardError[] = [];
  const pageSize = LIMITS.associationsPageSize;
  for (const input of inputs as { id?: unknown; after?: unknown }[]) {
    const id = String(input?.id ?? '');
    const i = from.indexOf(id);
    // Only live records have associations to read: archived and deleted ones are not found.
    if (i < 0 || from.archived[i] !== 0) {
      errors.push(notFound(from, to, id));
      continue;
    }
    if (!index || i >= index.offsets.length - 1 || index.offsets[i] === index.offsets[i + 1]) {
      // Inputs without associations: HubSpot reports each as an error rather than an empty result.
      errors.push(noAssociations(from, to, id));
      continue;
    }
    const start = index.offsets[i];
    const end = index.offsets[i + 1];
    const offset = input.after === undefined ? 0 : Number(input.after);
    if (!Number.isInteger(offset) || offset < 0)
      return validationError(`after must be an offset, got ${String(input.after)}`);
    const targets: unknown[] = [];
    for (let k = start + offset; k < Math.min(end, start + offset + pageSize); k++) {
      targets.push({ toObjectId: String(to.ids[index.targets[k]]), associationTypes: typesOf(index, k) });
    }
    const nextOffset = offset + pageSize;
    // No `paging` on an input's last page, in every version.
    results.push(
      start + nextOffset < end
        ? { from: { id }, to: targets, paging: { next: nextPage(ctx, id, String(nextOffset)) } }
        : { from: { id }, to: targets },
    );
  }
  const body: Record<string, unknown> = { status: 'COMPLETE', results };
  if (errors.length > 0) {
    body.numErrors = errors.length;
    body.errors = errors;
  }
  body.startedAt = startedAt;
  body.completedAt = new Date().toISOString();
  if (errors.length === 0) return { status: 200, body: JSON.stringify(body) };
  return { status: ctx.behaviour.partialFailureStatus, body: JSON.stringify(body), numErrors: errors.length };
}

/** `{after, link}` where the version still has links (the link pages one record's associations), else `{after}`. */
function nextPage(ctx: RouteContext, id: string, after: string): { after: string; link?: string } {
  if (!ctx.behaviour.associationPagingLink) return { after };
  const [from, to] = ctx.params.map(encodeURIComponent);
  const objects = ctx.behaviour.dated ? `/crm/objects/${ctx.version}` : '/crm/v4/objects';
  return { after, link: `${ctx.baseUrl}${objects}/${from}/${id}/associations/${to}?after=${after}` };
}

const lowerSingular = (store: TypeStore) => singularOf(store.type.name);

function errorContext(from: TypeStore, to: TypeStore, id: string): Record<string, string[]> {
  return { fromObjectId: [id], fromObjectType: [lowerSingular(from)], toObjectType: [lowerSingular(to)] };
}

function notFound(from: TypeStore, to: TypeStore, id: string): StandardError {
  const message = `No ${lowerSingular(from).toUpperCase()} with id ${id}`;
  return standardError({
    category: 'OBJECT_NOT_FOUND',
    message,
    errors: [{ message, context: { fromObjectId: [id] } }],
    context: errorContext(from, to, id),
  });
}

function noAssociations(from: TypeStore, to: TypeStore, id: string): StandardError {
  const message = `No ${lowerSingular(to)} is associated with ${lowerSingular(from)} ${id}.`;
  return standardError({
    category: 'OBJECT_NOT_FOUND',
    subCategory: { type: NO_ASSOCIATIONS_FOUND },
    message,
    errors: [{ message, subCategory: NO_ASSOCIATIONS_FOUND, context: { fromObjectId: [id] } }],
    context: errorContext(from, to, id),
  });
}
