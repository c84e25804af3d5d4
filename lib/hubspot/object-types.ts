/**
 * Settings as data: the standard CRM object types this project exports, with the scopes that
 * grant read access and the property that holds each type's last-modified time.
 */

export interface StandardObjectType {
  /** Name in URLs and in the output layout. */
  readonly name: string;
  /** HubSpot object type id (0-1 contacts, ...). */
  readonly objectTypeId: string;
  /** Any one of these scopes grants read access. The first is the one we ask users to grant. */
  readonly scopes: readonly string[];
  /** Property holding the last-modified time, used by incremental search. */
  readonly lastModifiedProperty: string;
  /** Whether GET /crm/v3/pipelines/{name} applies. */
  readonly hasPipelines: boolean;
}

const OTHER_LAST_MODIFIED = 'hs_lastmodifieddate';

export const STANDARD_OBJECT_TYPES = [
  {
    name: 'contacts',
    objectTypeId: '0-1',
    scopes: ['crm.objects.contacts.read'],
    lastModifiedProperty: 'lastmodifieddate',
    hasPipelines: false,
  },
  {
    name: 'companies',
    objectTypeId: '0-2',
    scopes: ['crm.objects.companies.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'deals',
    objectTypeId: '0-3',
    scopes: ['crm.objects.deals.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: true,
  },
  {
    name: 'tickets',
    objectTypeId: '0-5',
    scopes: ['tickets'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: true,
  },
  {
    name: 'products',
    objectTypeId: '0-7',
    scopes: ['crm.objects.products.read', 'e-commerce'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'line_items',
    objectTypeId: '0-8',
    scopes: ['crm.objects.line_items.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'quotes',
    objectTypeId: '0-14',
    scopes: ['crm.objects.quotes.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'calls',
    objectTypeId: '0-48',
    scopes: ['crm.objects.contacts.read', 'crm.objects.calls.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'emails',
    objectTypeId: '0-49',
    scopes: ['crm.objects.contacts.read', 'crm.objects.emails.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'meetings',
    objectTypeId: '0-47',
    scopes: ['crm.objects.contacts.read', 'crm.objects.meetings.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'notes',
    objectTypeId: '0-46',
    scopes: ['crm.objects.contacts.read', 'crm.objects.notes.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'tasks',
    objectTypeId: '0-27',
    scopes: ['crm.objects.contacts.read', 'crm.objects.tasks.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'communications',
    objectTypeId: '0-18',
    scopes: ['crm.objects.contacts.read', 'crm.objects.communications.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'postal_mail',
    objectTypeId: '0-116',
    scopes: ['crm.objects.contacts.read', 'crm.objects.postal_mail.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'invoices',
    objectTypeId: '0-53',
    scopes: ['crm.objects.invoices.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'orders',
    objectTypeId: '0-123',
    scopes: ['crm.objects.orders.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'carts',
    objectTypeId: '0-142',
    scopes: ['crm.objects.carts.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'subscriptions',
    objectTypeId: '0-69',
    scopes: ['crm.objects.subscriptions.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'users',
    objectTypeId: '0-115',
    scopes: ['crm.objects.users.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'feedback_submissions',
    objectTypeId: '0-19',
    scopes: ['crm.objects.feedback_submissions.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'leads',
    objectTypeId: '0-136',
    scopes: ['crm.objects.leads.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
  {
    name: 'goal_targets',
    objectTypeId: '0-74',
    scopes: ['crm.objects.goals.read'],
    lastModifiedProperty: OTHER_LAST_MODIFIED,
    hasPipelines: false,
  },
] as const satisfies readonly StandardObjectType[];

export type StandardObjectName = (typeof STANDARD_OBJECT_TYPES)[number]['name'];

/** Scope that lists custom object schemas (GET /crm/v3/schemas). */
export const SCHEMAS_SCOPE = 'crm.schemas.custom.read';
/** Custom object records: granted per object in HubSpot; this is the umbrella read scope. */
export const CUSTOM_OBJECTS_SCOPE = 'crm.objects.custom.read';
export const OWNERS_SCOPE = 'crm.objects.owners.read';
/** Last-modified property of custom objects. */
export const CUSTOM_LAST_MODIFIED_PROPERTY = OTHER_LAST_MODIFIED;

const BY_NAME = new Map<string, StandardObjectType>(STANDARD_OBJECT_TYPES.map((t) => [t.name, t]));

/** The standard object type named `name`, or undefined for custom objects and unknown names. */
export function findStandardObjectType(name: string): StandardObjectType | undefined {
  return BY_NAME.get(name);
}

/** Object pairs whose associations a full run exports (from, to), in the order they are read. */
export const DEFAULT_ASSOCIATION_PAIRS = [
  ['contacts', 'companies'],
  ['deals', 'contacts'],
  ['deals', 'companies'],
  ['tickets', 'contacts'],
  ['deals', 'line_items'],
] as const;
