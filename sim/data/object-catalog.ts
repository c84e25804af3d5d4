/** The object types the simulator serves: every standard type plus two custom objects. */
import {
  CUSTOM_LAST_MODIFIED_PROPERTY,
  CUSTOM_OBJECTS_SCOPE,
  STANDARD_OBJECT_TYPES,
} from '../../lib/hubspot/object-types';
import type { SimObjectType } from '../types';

export interface CatalogType extends SimObjectType {
  /** Any one of these scopes grants read access. */
  readonly scopes: readonly string[];
  readonly hasPipelines: boolean;
  /** Singular label used in messages, e.g. CONTACT. */
  readonly upperSingular: string;
}

export const CUSTOM_OBJECT_TYPES = [
  { name: 'pets', objectTypeId: '2-1001', fullyQualifiedName: 'p1234_pets', singular: 'Pet', plural: 'Pets' },
  {
    name: 'projects',
    objectTypeId: '2-1002',
    fullyQualifiedName: 'p1234_projects',
    singular: 'Project',
    plural: 'Projects',
  },
] as const;

/** Builds the catalog of every served object type. */
export function buildObjectCatalog(): CatalogType[] {
  const standard: CatalogType[] = STANDARD_OBJECT_TYPES.map((t) => ({
    name: t.name,
    objectTypeId: t.objectTypeId,
    custom: false,
    lastModifiedProperty: t.lastModifiedProperty,
    scopes: t.scopes,
    hasPipelines: t.hasPipelines,
    upperSingular: t.name.replace(/s$/, '').toUpperCase(),
  }));
  const custom: CatalogType[] = CUSTOM_OBJECT_TYPES.map((t) => ({
    name: t.name,
    objectTypeId: t.objectTypeId,
    custom: true,
    fullyQualifiedName: t.fullyQualifiedName,
    lastModifiedProperty: CUSTOM_LAST_MODIFIED_PROPERTY,
    scopes: [CUSTOM_OBJECTS_SCOPE],
    hasPipelines: false,
    upperSingular: t.singular.toUpperCase(),
  }));
  return [...standard, ...custom];
}

/** Finds a type by name, objectTypeId or fullyQualifiedName. */
export function resolveObjectType(catalog: readonly CatalogType[], ref: string): CatalogType | undefined {
  const lower = ref.toLowerCase();
  return catalog.find(
    (t) => t.name === lower || t.objectTypeId === ref || t.fullyQualifiedName?.toLowerCase() === lower,
  );
}
