/**
 * Wire shapes of the HubSpot CRM API as this project reads them (see ../shared/HUBSPOT_API.md).
 * The simulator serves these shapes and the client parses into them: one definition for both.
 */

/** A property value on the wire is always a string or null. */
export type PropertyValue = string | null;

export type PropertyType =
  'bool' | 'enumeration' | 'date' | 'datetime' | 'string' | 'number' | 'phone_number' | 'json' | 'object_coordinates';

export type FieldType =
  | 'booleancheckbox'
  | 'calculation_equation'
  | 'checkbox'
  | 'radio'
  | 'select'
  | 'date'
  | 'text'
  | 'textarea'
  | 'html'
  | 'file'
  | 'phonenumber'
  | 'number';

export interface PropertyOption {
  label: string;
  value: string;
  displayOrder?: number;
  hidden?: boolean;
}

/** GET /crm/v3/properties/{objectType} -> results[] */
export interface PropertyDefinition {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: FieldType;
  groupName: string;
  description?: string;
  options: PropertyOption[];
  calculated?: boolean;
  hasUniqueValue?: boolean;
  hidden?: boolean;
  hubspotDefined?: boolean;
  archived?: boolean;
}

export interface AssociationType {
  category: string;
  typeId: number;
  label: string | null;
}

/** One CRM record as returned by list, batch read and search. */
export interface HubSpotRecord {
  id: string;
  properties: Record<string, PropertyValue>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

export interface Paging {
  next?: { after: string; link?: string };
}

export interface ListResponse<T> {
  results: T[];
  paging?: Paging;
}

export interface SearchResponse<T> extends ListResponse<T> {
  total: number;
}

export interface BatchReadResponse<T> {
  status: string;
  results: T[];
  startedAt?: string;
  completedAt?: string;
  numErrors?: number;
  errors?: HubSpotErrorBody[];
}

/** GET /crm/v3/schemas -> results[] (custom objects). */
export interface ObjectSchema {
  id?: string;
  objectTypeId: string;
  name: string;
  fullyQualifiedName: string;
  labels?: { singular?: string; plural?: string };
  primaryDisplayProperty?: string;
  properties: PropertyDefinition[];
  associations?: { fromObjectTypeId: string; toObjectTypeId: string; id: string; name?: string }[];
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
}

/** GET /crm/v3/owners -> results[] */
export interface Owner {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  userId: number | null;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  teams?: { id: string; name: string; primary?: boolean }[];
}

export interface PipelineStage {
  id: string;
  label: string;
  displayOrder: number;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** GET /crm/v3/pipelines/{objectType} -> results[] */
export interface Pipeline {
  id: string;
  label: string;
  displayOrder: number;
  stages: PipelineStage[];
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** POST /crm/v4/associations/{from}/{to}/batch/read -> results[] */
export interface AssociationResult {
  from: { id: string };
  to: { toObjectId: string | number; associationTypes: AssociationType[] }[];
  paging?: Paging;
}

/** HubSpot error body; every field is optional on the wire. */
export interface HubSpotErrorBody {
  status?: string;
  message?: string;
  category?: string;
  /** A finer category: text such as `crm.associations.NO_ASSOCIATIONS_FOUND`, or (published spec) an object. */
  subCategory?: string | Record<string, unknown>;
  errorType?: string;
  policyName?: string;
  correlationId?: string;
  errors?: { message?: string; context?: Record<string, string[]> }[];
  context?: Record<string, string[]>;
}
