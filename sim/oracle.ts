/** Ground truth read straight from the dataset, for tests to compare exports against. */
import type { Dataset } from './data/dataset';
import { typesOf } from './data/associations';
import { DELETED, type TypeStore } from './data/type-store';
import type { Oracle, SimObjectType } from './types';

/** Error for a type or record the simulator does not have. */
export class SimulatorLookupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SimulatorLookupError';
  }
}

/** The store of `ref` (name, objectTypeId or fullyQualifiedName) or a SimulatorLookupError. */
export function requireStore(dataset: Dataset, ref: string): TypeStore {
  const store = dataset.store(ref);
  if (!store)
    throw new SimulatorLookupError(`Unknown object type ${ref}: use a name, objectTypeId or fullyQualifiedName`);
  return store;
}

/** Every property index of a store. */
/** Indexes of the properties records show: every one not archived (deleted) since. */
export function allProperties(store: TypeStore): number[] {
  return store.properties.list.flatMap((property, p) => (property.def.archived ? [] : [p]));
}

export function createOracle(dataset: Dataset): Oracle {
  return {
    objectTypes: (): SimObjectType[] =>
      dataset.definedTypes().map((t) => ({
        name: t.name,
        objectTypeId: t.objectTypeId,
        custom: t.custom,
        lastModifiedProperty: t.lastModifiedProperty,
        ...(t.fullyQualifiedName ? { fullyQualifiedName: t.fullyQualifiedName } : {}),
      })),
    properties: (ref) =>
      requireStore(dataset, ref)
        .properties.list.filter((p) => !p.def.archived)
        .map((p) => p.def),
    records: (ref, opts = {}) => {
      const store = requireStore(dataset, ref);
      const props = allProperties(store);
      const wanted = opts.archived ? 1 : 0;
      const records = [];
      for (let i = 0; i < store.length; i++) if (store.archived[i] === wanted) records.push(store.record(i, props));
      return records;
    },
    ids: (ref, opts = {}) => {
      const store = requireStore(dataset, ref);
      const wanted = opts.archived ? 1 : 0;
      const ids: string[] = [];
      for (let i = 0; i < store.length; i++) if (store.archived[i] === wanted) ids.push(String(store.ids[i]));
      return ids;
    },
    count: (ref, opts = {}) => {
      const store = requireStore(dataset, ref);
      const wanted = opts.archived ? 1 : 0;
      let n = 0;
      for (let i = 0; i < store.length; i++) if (store.archived[i] === wanted) n++;
      return n;
    },
    changed: (ref, { from, to }) => {
      const store = requireStore(dataset, ref);
      const props = allProperties(store);
      const records = [];
      for (let i = 0; i < store.length; i++) {
        const archived = store.archived[i];
        const at = archived === 1 ? store.archivedAtOf(i) : archived === 0 ? store.updatedAt[i] : NaN;
        if (at >= from && at <= to) records.push(store.record(i, props));
      }
      return records;
    },
    record: (ref, id) => {
      const store = requireStore(dataset, ref);
      const i = store.indexOf(id);
      // A record deleted for good (GDPR, merged away) is no record at all.
      return i < 0 || store.archived[i] === DELETED ? undefined : store.record(i, allProperties(store));
    },
    schemas: () => dataset.schemas(),
    owners: (opts = {}) => dataset.owners.filter((o) => o.archived === (opts.archived ?? false)),
    pipelines: (ref) => dataset.pipelines(requireStore(dataset, ref).type.name),
    associations: (fromRef, toRef) => {
      const from = requireStore(dataset, fromRef);
      const to = requireStore(dataset, toRef);
      const index = dataset.associations(from.type.name, to.type.name);
      if (!index) return [];
      const pairs = [];
      for (let i = 0; i + 1 < index.offsets.length; i++) {
        for (let k = index.offsets[i]; k < index.offsets[i + 1]; k++) {
          pairs.push({ fromId: String(from.ids[i]), toId: String(to.ids[index.targets[k]]), types: typesOf(index, k) });
        }
      }
      return pairs;
    },
  };
}
