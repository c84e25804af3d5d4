/**
 * The object types the simulator serves: every standard type plus two custom objects. Its own table, written from
 * HubSpot's documentation (../shared/HUBSPOT_API.md "Object types and read scopes", HubSpot's object type ids) and
 * not taken from lib/hubspot/object-types.ts, so a wrong id, scope or last-modified property in the engine meets a
 * simulator that answers as HubSpot does. test/unit/sim/object-catalog.test.ts checks the two agree.
 */
import type { SimObjectType } from '../types';
import { CUSTOM_OBJECTS_SCOPE } from './scopes';

export interface CatalogType extends SimObjectType {
  /** Any one of these scopes grants read access. */
  readonly scopes: readonly string[];
  readonly hasPipelines: boolean;
  /** Singular label used in messages, e.g. CONTACT. */
  readonly upperSingular: string;
}

/** The property holding the last-modified time of every type but contacts (and of custom objects). */
const HS_LASTMODIFIEDDATE = 'hs_lastmodifieddate';
/** Activities: the contacts scope reads them, and so does their own newer granular scope. */
const activity = (name: string) => ['crm.objects.contacts.read', `crm.objects.${name}.read`] as const;

interface StandardTypeRow {
  readonly name: string;
  readonly objectTypeId: string;
  /** Any one of these grants read access. */
  readonly scopes: readonly string[];
  /** Default hs_lastmodifieddate. */
  readonly lastModified?: string;
  /** Whether GET /crm/v3/pipelines/{type} answers; default false. */
  readonly hasPipelines?: boolean;
}

/** Standard object types, in the order the simulator generates them (the order seeds its data). */
const STANDARD_TYPE_ROWS = [
  { name: 'contacts', objectTypeId: '0-1', scopes: ['crm.objects.contacts.read'], lastModified: 'lastmodifieddate' },
  { name: 'companies', objectTypeId: '0-2', scopes: ['crm.objects.companies.read'] },
  { name: 'deals', objectTypeId: '0-3', scopes: ['crm.objects.deals.read'], hasPipelines: true },
  { name: 'tickets', objectTypeId: '0-5', scopes: ['tickets'], hasPipelines: true },
  { name: 'products', objectTypeId: '0-7', scopes: ['crm.objects.products.read', 'e-commerce'] },
  { name: 'line_items', objectTypeId: '0-8', scopes: ['crm.objects.line_items.read'] },
  { name: 'quotes', objectTypeId: '0-14', scopes: ['crm.objects.quotes.read'] },
  { name: 'calls', objectTypeId: '0-48', scopes: activity('calls') },
  { name: 'emails', objectTypeId: '0-49', scopes: activity('emails') },
  { name: 'meetings', objectTypeId: '0-47', scopes: activity('meetings') },
  { name: 'notes', objectTypeId: '0-46', scopes: activity('notes') },
  { name: 'tasks', objectTypeId: '0-27', scopes: activity('tasks') },
  { name: 'communications', objectTypeId: '0-18', scopes: activity('communications') },
  { name: 'postal_mail', objectTypeId: '0-116', scopes: activity('postal_mail') },
  { name: 'invoices', objectTypeId: '0-53', scopes: ['crm.objects.invoices.read'] },
  { name: 'orders', objectTypeId: '0-123', scopes: ['crm.objects.orders.read'] },
  { name: 'carts', objectTypeId: '0-142', scopes: ['crm.objects.carts.read'] },
  { name: 'subscriptions', objectTypeId: '0-69', scopes: ['crm.objects.subscriptions.read'] },
  { name: 'users', objectTypeId: '0-115', scopes: ['crm.objects.users.read'] },
  { name: 'feedback_submissions', objectTypeId: '0-19', scopes: ['crm.objects.feedback_submissions.read'] },
  { name: 'leads', objectTypeId: '0-136', scopes: ['crm.objects.leads.read'] },
  { name: 'goal_targets', objectTypeId: '0-74', scopes: ['crm.objects.goals.read'] },
] as const satisfies readonly StandardTypeRow[];

export const STANDARD_OBJECT_TYPES = (STANDARD_TYPE_ROWS as readonly StandardTypeRow[]).map((t) => ({
  name: t.name,
  objectTypeId: t.objectTypeId,
  scopes: t.scopes,
  lastModifiedProperty: t.lastModified ?? HS_LASTMODIFIEDDATE,
  hasPipelines: t.hasPipelines ?? false,
}));

/** Last-modified property of custom objects. */
export const CUSTOM_LAST_MODIFIED_PROPERTY = HS_LASTMODIFIEDDATE;

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
