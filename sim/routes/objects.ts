/** Objects list (GET, id cursor) and batch read (POST), on the v3 and the date-versioned paths. */
import { PAGE_BUFFER_POOL } from '../data/buffer-pool';
import { ByteWriter } from '../../lib/core/byte-writer';
import { singularOf } from '../data/singular';
import type { TypeStore } from '../data/type-store';
import { LIMITS } from '../settings';
import { standardError, unknownObjectType, validationError, type SimResponse } from '../http/responses';
import {
  parseLimit,
  propertyIndexes,
  queryList,
  queryPropertyIndexes,
  typeScopes,
  type Route,
  type RouteContext,
} from '../http/route';
import { associationsJson } from './list-associations';

export const listObjectsRoute: Route = {
  method: 'GET',
  paths: ['/crm/v3/objects/{type}', '/crm/objects/{ver}/{type}'],
  scopes: (ctx) => typeScopes(ctx),
  handle: listObjects,
};

export const batchReadRoute: Route = {
  method: 'POST',
  paths: ['/crm/v3/objects/{type}/batch/read', '/crm/objects/{ver}/{type}/batch/read'],
  scopes: (ctx) => typeScopes(ctx),
  handle: batchRead,
};

const COMMA = 0x2c;

function listObjects(ctx: RouteContext): SimResponse {
  const store = ctx.dataset.store(ctx.params[0]);
  if (!store) return unknownObjectType(ctx.params[0]);
  const limit = parseLimit(ctx.query.get('limit'), LIMITS.listDefault, LIMITS.listMax);
  if (typeof limit === 'string') return validationError(limit);
  const after = ctx.query.get('after');
  if (after !== null && !/^\d+$/.test(after)) return validationError(`after must be a record id, got ${after}`);
  const wantArchived = ctx.query.get('archived') === 'true' ? 1 : 0;
  const props = queryPropertyIndexes(store.properties, ctx.query);
  const assocTypes = queryList(ctx.query, 'associations') ?? [];
  const out = new ByteWriter(PAGE_BUFFER_POOL.acquire());
  out.ascii('{"results":[');
  let written = 0;
  let i = after === null ? 0 : store.lowerBound(Number(after));
  for (; i < store.length && written < limit; i++) {
    if (store.archived[i] !== wantArchived) continue;
    if (written++ > 0) out.byte(COMMA);
    if (assocTypes.length === 0) store.writeRecordJson(out, i, props);
    else out.text(store.recordJson(i, props).slice(0, -1) + associationsJson(ctx, store, i, assocTypes) + '}');
  }
  while (i < store.length && store.archived[i] !== wantArchived) i++;
  out.text(']');
  if (i < store.length) {
    const next = String(store.ids[i]);
    const link = `${ctx.baseUrl}${ctx.path}?after=${next}`;
    out.text(`,"paging":{"next":{"after":"${next}","link":${JSON.stringify(link)}}}`);
  }
  out.text('}');
  return { status: 200, body: out.toBuffer(), onSent: () => PAGE_BUFFER_POOL.release(out.buffer) };
}

interface BatchReadBody {
  inputs?: { id?: unknown }[];
  properties?: unknown;
  idProperty?: unknown;
}

function batchRead(ctx: RouteContext): SimResponse {
  const store = ctx.dataset.store(ctx.params[0]);
  if (!store) return unknownObjectType(ctx.params[0]);
  const body = (ctx.body ?? {}) as BatchReadBody;
  if (!Array.isArray(body.inputs)) return validationError('inputs is required and must be an array');
  if (body.inputs.length > LIMITS.batchReadMax) {
    return validationError(
      `Batch input size limit exceeded: at most ${LIMITS.batchReadMax} inputs, got ${body.inputs.length}`,
    );
  }
  if (body.idProperty !== undefined && body.idProperty !== 'hs_object_id') {
    return validationError(`idProperty ${String(body.idProperty)} is not supported by the simulator`);
  }
  const names = Array.isArray(body.properties) ? body.properties.map(String) : undefined;
  const props = propertyIndexes(store.properties, names);
  const wantArchived = ctx.query.get('archived') === 'true' ? 1 : 0;
  const startedAt = new Date().toISOString();
  const { found, missing } = findInputs(store, body.inputs, wantArchived);
  const results = found.map((i) => store.recordJson(i, props)).join(',');
  const head = `{"status":"COMPLETE","results":[${results}]`;
  const tail = `"startedAt":"${startedAt}","completedAt":"${new Date().toISOString()}"}`;
  if (missing.length === 0) return { status: 200, body: `${head},${tail}` };
  const singular = singularOf(store.type.name).toUpperCase();
  const error = standardError({
    category: 'OBJECT_NOT_FOUND',
    message: `Could not get some ${singular} objects, they may be deleted or not exist. Check that ids are valid.`,
    errors: missing.map((id) => ({ message: `No ${singular} with id ${id}`, context: { ids: [id] } })),
    context: { ids: missing },
  });
  return {
    status: ctx.behaviour.partialFailureStatus,
    body: `${head},"numErrors":1,"errors":${JSON.stringify([error])},${tail}`,
    numErrors: 1,
  };
}

function findInputs(store: TypeStore, inputs: { id?: unknown }[], wantArchived: number) {
  const found: number[] = [];
  const missing: string[] = [];
  const seen = new Set<number>();
  for (const input of inputs) {
    const id = String(input?.id ?? '');
    const i = store.indexOf(id);
    if (i < 0 || store.archived[i] !== wantArchived) missing.push(id);
    else if (!seen.has(i)) {
      seen.add(i);
      found.push(i);
    }
  }
  return { found, missing };
}
