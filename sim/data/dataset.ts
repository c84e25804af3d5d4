/** Everything the simulator serves: object stores, owners, pipelines, schemas and associations. */
import type { Pipeline } from '../../lib/hubspot/types';
import { DATA_START_MS, DEFAULT_SAME_MILLISECOND } from '../settings';
import type { SimObjectSchema, SimOwner, SimulatorOptions } from '../types';
import { ASSOCIATION_PAIRS, buildPairIndexes, changeAssociation, type AssociationIndex } from './associations';
import { buildObjectCatalog, CUSTOM_OBJECT_TYPES, resolveObjectType, type CatalogType } from './object-catalog';
import { generateOwners, generatePipelines } from './owners-pipelines';
import { buildTypeProperties } from './property-catalog';
import { resolveCounts, resolveOwnerCount } from './scale';
import { TypeStore } from './type-store';

export class Dataset {
  readonly catalog: CatalogType[];
  readonly stores = new Map<string, TypeStore>();
  readonly owners: SimOwner[];
  readonly seed: number;
  private readonly associationCache = new Map<string, AssociationIndex>();
  /** Custom object types the portal does not define yet (defineCustomObject adds them): HubSpot knows no such type. */
  private readonly undefinedTypes: Set<string>;

  constructor(
    options: Pick<
      SimulatorOptions,
      'seed' | 'scale' | 'sameMillisecond' | 'counts' | 'customProperties' | 'customObjectsDefinedLater'
    > = {},
  ) {
    this.seed = options.seed ?? 1;
    const scale = options.scale ?? 'tiny';
    this.catalog = buildObjectCatalog();
    this.undefinedTypes = new Set(options.customObjectsDefinedLater ?? []);
    for (const name of this.undefinedTypes) {
      if (!CUSTOM_OBJECT_TYPES.some((c) => c.name === name)) {
        throw new Error(`customObjectsDefinedLater: ${name} is not one of the custom objects (pets, projects)`);
      }
    }
    this.owners = generateOwners(this.seed, resolveOwnerCount(scale));
    const ownerIds = this.owners.filter((o) => !o.archived).map((o) => o.id);
    const counts = resolveCounts(scale, this.catalog, options.counts);
    const same = options.sameMillisecond ?? (scale === 'tiny' ? undefined : DEFAULT_SAME_MILLISECOND);
    const sameType = same ? resolveObjectType(this.catalog, same.objectType)?.name : undefined;
    for (const type of this.catalog) {
      const store = new TypeStore({
        type,
        properties: buildTypeProperties(type, options.customProperties?.[type.name]),
        count: counts.get(type.name) ?? 0,
        seed: this.seed,
        sameMillisecondCount: same && sameType === type.name ? same.count : 0,
        ownerIds,
      });
      this.stores.set(type.name, store);
    }
  }

  /** Store of a type given by name, objectTypeId or fullyQualifiedName. */
  store(ref: string): TypeStore | undefined {
    const type = resolveObjectType(this.catalog, ref);
    return type && !this.undefinedTypes.has(type.name) ? this.stores.get(type.name) : undefined;
  }

  /** The object types the portal defines now. */
  definedTypes(): CatalogType[] {
    return this.catalog.filter((t) => !this.undefinedTypes.has(t.name));
  }

  /**
   * Defines a custom object the portal did not have (customObjectsDefinedLater), with its records as generated:
   * an object type created and imported between runs.
   */
  defineCustomObject(name: string): void {
    if (!this.undefinedTypes.delete(name)) throw new Error(`${name} is not a custom object waiting to be defined`);
  }

  pipelines(typeName: string): Pipeline[] {
    return generatePipelines(typeName);
  }

  schemas(): SimObjectSchema[] {
    const at = new Date(DATA_START_MS).toISOString();
    return CUSTOM_OBJECT_TYPES.filter((c) => !this.undefinedTypes.has(c.name)).map((c) => {
      const store = this.stores.get(c.name) as TypeStore;
      const primary = store.properties.list[store.properties.defaults[0]].def.name;
      return {
        id: c.objectTypeId.split('-')[1],
        objectTypeId: c.objectTypeId,
        name: c.name,
        fullyQualifiedName: c.fullyQualifiedName,
        labels: { singular: c.singular, plural: c.plural },
        primaryDisplayProperty: primary,
        requiredProperties: [primary],
        properties: store.properties.list.map((p) => p.def),
        associations: [
          {
            fromObjectTypeId: c.objectTypeId,
            toObjectTypeId: '0-1',
            id: String(1000 + Number(c.objectTypeId.slice(2))),
          },
        ],
        createdAt: at,
        updatedAt: at,
        archived: false,
      };
    });
  }

  /** Association index from `from` to `to` (type names), built on first use; undefined if the pair has none. */
  associations(from: string, to: string): AssociationIndex | undefined {
    const key = `${from}/${to}`;
    const cached = this.associationCache.get(key);
    if (cached) return cached;
    const pair = ASSOCIATION_PAIRS.find((p) => (p.from === from && p.to === to) || (p.from === to && p.to === from));
    if (!pair) return undefined;
    const [forward, reverse] = buildPairIndexes(
      pair,
      this.stores.get(pair.from) as TypeStore,
      this.stores.get(pair.to) as TypeStore,
      this.seed,
    );
    this.associationCache.set(`${pair.from}/${pair.to}`, forward);
    this.associationCache.set(`${pair.to}/${pair.from}`, reverse);
    return this.associationCache.get(key);
  }

  /**
   * Associates record `i` of `from` with record `t` of `to` (type names), or removes their association, in both
   * directions; false when the pair has no associations at all.
   */
  setAssociation(from: string, to: string, i: number, t: number, present: boolean): boolean {
    const forward = this.associations(from, to);
    const reverse = this.associations(to, from);
    if (!forward || !reverse) return false;
    const [changed, inverted] = changeAssociation([forward, reverse], i, t, present);
    this.associationCache.set(`${from}/${to}`, changed);
    this.associationCache.set(`${to}/${from}`, inverted);
    return true;
  }
}
