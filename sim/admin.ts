/** Changes during a run: programmatic admin and the HTTP admin API under /_sim/ (no auth, no rate limit, not logged). */
import { settingsCall, type SettingsParts } from './admin-settings';
import type { Dataset } from './data/dataset';
import type { SearchIndex } from './data/search-index';
import type { Faults } from './http/fault-injector';
import type { KeyStore } from './http/key-store';
import type { RequestLogStore } from './http/request-log';
import { json, type SimResponse } from './http/responses';
import { allProperties, requireStore, SimulatorLookupError } from './oracle';
import type { FaultRule, SimulatorAdmin } from './types';
import type { PropertyDefinition } from '../lib/hubspot/types';
import { createdProperty } from './data/property-catalog';
import { PROPERTY_KINDS } from './data/property-kinds';

/** Record changes; each is noted for search, which sees it only once the search lag has passed. */
export function createAdmin(dataset: Dataset, now: () => number, search: SearchIndex): SimulatorAdmin {
  const indexOrThrow = (ref: string, id: string) => {
    const store = requireStore(dataset, ref);
    const i = store.indexOf(id);
    if (i < 0) throw new SimulatorLookupError(`No ${store.type.name} record with id ${id}`);
    return { store, i };
  };
  /** The definition of a property, to be edited in place (the properties API serves it as it is). */
  const definitionOf = (ref: string, name: string): PropertyDefinition => {
    const store = requireStore(dataset, ref);
    const p = store.properties.byName.get(name);
    if (p === undefined) throw new SimulatorLookupError(`No ${store.type.name} property ${name}`);
    return store.properties.list[p].def;
  };
  return {
    createRecord: (ref, properties) => {
      const store = requireStore(dataset, ref);
      const at = now();
      const i = store.create(properties, at);
      search.noteWrite(store, i, null, at);
      return store.record(i, allProperties(store));
    },
    updateRecord: (ref, id, properties) => {
      const { store, i } = indexOrThrow(ref, id);
      const at = now();
      search.noteWrite(store, i, store.stateOf(i), at);
      store.update(i, properties, at);
      return store.record(i, allProperties(store));
    },
    archiveRecord: (ref, id) => {
      const { store, i } = indexOrThrow(ref, id);
      const at = now();
      search.noteWrite(store, i, store.stateOf(i), at);
      store.archive(i, at);
    },
    restoreRecord: (ref, id) => {
      const { store, i } = indexOrThrow(ref, id);
      if (store.archived[i] !== 1)
        throw new SimulatorLookupError(`No archived ${store.type.name} record with id ${id}`);
      const at = now();
      search.noteWrite(store, i, store.stateOf(i), at);
      store.restore(i, at);
      return store.record(i, allProperties(store));
    },
    deleteRecord: (ref, id) => {
      const { store, i } = indexOrThrow(ref, id);
      const at = now();
      search.noteWrite(store, i, store.stateOf(i), at);
      store.remove(i);
    },
    mergeRecords: (ref, primaryId, mergedId) => {
      const primary = indexOrThrow(ref, primaryId);
      const merged = indexOrThrow(ref, mergedId);
      const { store } = primary;
      const at = now();
      const p = store.properties.byName.get('hs_merged_object_ids');
      const before = p === undefined ? null : store.value(primary.i, p);
      const ids = [...(before ? String(before).split(';') : []), mergedId].join(';');
      search.noteWrite(store, merged.i, store.stateOf(merged.i), at);
      store.remove(merged.i);
      search.noteWrite(store, primary.i, store.stateOf(primary.i), at);
      store.update(primary.i, { hs_merged_object_ids: ids }, at);
      return store.record(primary.i, allProperties(store));
    },
    createProperty: (ref, name, kind) => {
      const store = requireStore(dataset, ref);
      if (!(kind in PROPERTY_KINDS)) {
        throw new SimulatorLookupError(`No property kind ${kind}: one of ${Object.keys(PROPERTY_KINDS).join(', ')}`);
      }
      return store.properties.list[store.addProperty(createdProperty(name, kind, store.type))].def;
    },
    defineCustomObject: (name) => dataset.defineCustomObject(name),
    archiveProperty: (ref, name) => {
      definitionOf(ref, name).archived = true;
    },
    changePropertyType: (ref, name, type, fieldType) => {
      const definition = definitionOf(ref, name);
      definition.type = type;
      definition.fieldType = fieldType;
    },
    setAssociation: (fromRef, fromId, toRef, toId, present) => {
      const from = indexOrThrow(fromRef, fromId);
      const to = indexOrThrow(toRef, toId);
      if (!dataset.setAssociation(from.store.type.name, to.store.type.name, from.i, to.i, present)) {
        throw new SimulatorLookupError(`No associations between ${from.store.type.name} and ${to.store.type.name}`);
      }
    },
  };
}

export interface AdminHttpParts extends SettingsParts {
  readonly admin: SimulatorAdmin;
  readonly keys: KeyStore;
  readonly faults: Faults;
  readonly log: RequestLogStore;
}

interface AdminBody {
  properties?: Record<string, string | null>;
  scopes?: string[];
  expiresAt?: number;
  rotate?: string;
  revoke?: string;
  expireOldAfterMs?: number;
  match?: { method?: string; path?: string; pathRegex?: string };
}

/** Handles one /_sim/ call. */
export function handleAdminRequest(parts: AdminHttpParts, method: string, path: string, raw: unknown): SimResponse {
  const body = (typeof raw === 'object' && raw !== null ? raw : {}) as AdminBody;
  const segments = path.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
  try {
    return route(parts, method, segments, body);
  } catch (error) {
    // Lookup errors name a missing type or record; the rest (SimulatorSettingError, bad fault rules) a bad body.
    const status = error instanceof SimulatorLookupError ? 404 : 400;
    return json(status, { status: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}

function route(parts: AdminHttpParts, method: string, segments: string[], body: AdminBody): SimResponse {
  const [resource, type, id] = segments;
  if (segments.length === 1) {
    const settings = settingsCall(parts, method, resource, body);
    if (settings) return settings;
  }
  // PUT (associate) or DELETE /_sim/associations/{from}/{fromId}/{to}/{toId}
  if (resource === 'associations' && segments.length === 5 && (method === 'PUT' || method === 'DELETE')) {
    parts.admin.setAssociation(type, id, segments[3], segments[4], method === 'PUT');
    return { status: 204, body: '' };
  }
  const call = `${method} ${resource}${segments.length > 2 ? '/id' : segments.length > 1 ? '/type' : ''}`;
  switch (call) {
    case 'POST objects/type':
      return json(201, parts.admin.createRecord(type, body.properties ?? {}));
    case 'PATCH objects/id':
      return json(200, parts.admin.updateRecord(type, id, body.properties ?? {}));
    case 'DELETE objects/id':
      parts.admin.archiveRecord(type, id);
      return { status: 204, body: '' };
    case 'POST restore/id':
      return json(200, parts.admin.restoreRecord(type, id));
    case 'POST gdpr-delete/id':
      parts.admin.deleteRecord(type, id);
      return { status: 204, body: '' };
    case 'POST merge/id':
      return json(200, parts.admin.mergeRecords(type, id, String((body as { mergedId?: unknown }).mergedId ?? '')));
    case 'GET log':
      return json(200, { entries: parts.log.entries(), counts: parts.log.counts(), total: parts.log.total() });
    case 'DELETE log':
      parts.log.reset();
      return { status: 204, body: '' };
    case 'POST faults':
      parts.faults.add(toFaultRule(body));
      return { status: 204, body: '' };
    case 'DELETE faults':
      parts.faults.clear();
      return { status: 204, body: '' };
    case 'POST keys':
      return keysCall(parts.keys, body);
    default:
      return json(404, { status: 'error', message: `Unknown admin call ${method} /_sim/${segments.join('/')}` });
  }
}

function keysCall(keys: KeyStore, body: AdminBody): SimResponse {
  if (body.revoke) {
    keys.revoke(body.revoke);
    return { status: 204, body: '' };
  }
  if (body.rotate) return json(201, { key: keys.rotate(body.rotate, { expireOldAfterMs: body.expireOldAfterMs }) });
  return json(201, { key: keys.create({ scopes: body.scopes, expiresAt: body.expiresAt }) });
}

/** A FaultRule from JSON: `match.pathRegex` becomes a RegExp. */
function toFaultRule(body: AdminBody): FaultRule {
  const rule = { ...(body as unknown as FaultRule) };
  if (body.match?.pathRegex) rule.match = { method: body.match.method, path: new RegExp(body.match.pathRegex) };
  if (rule.kind === undefined) throw new Error('A fault needs a kind, e.g. {"kind":503}');
  return rule;
}
