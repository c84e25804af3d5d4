/** Property tables per object type: [name, kind, fill per mille, option set]. Custom fields are added by the catalog. */
import type { KindName, OptionSetName } from './property-kinds';

export type PropertyRow = readonly [name: string, kind: KindName, fill: number, options?: OptionSetName];

/** Every type has these; the last-modified property is added per type. */
export const COMMON_PROPERTIES: readonly PropertyRow[] = [
  ['hs_object_id', 'id', 1000],
  ['createdate', 'systemDatetime', 1000],
  ['hubspot_owner_id', 'owner', 600],
  ['hs_created_by_user_id', 'number', 500],
  ['hs_tags', 'multi', 300, 'abc'],
  ['hs_long_notes', 'textarea', 100],
  ['hs_record_source_detail', 'calcString', 400],
  ['hs_external_score', 'number', 400],
  ['hs_is_verified', 'bool', 500],
  ['hs_last_activity_date', 'datetime', 500],
  ['hs_review_date', 'date', 300],
  // Set by merges only: the ids merged into this record, `;`-separated.
  ['hs_merged_object_ids', 'multi', 0],
];

export const TYPE_PROPERTIES: Readonly<Record<string, readonly PropertyRow[]>> = {
  contacts: [
    ['firstname', 'firstname', 950],
    ['lastname', 'lastname', 950],
    ['email', 'email', 900],
    ['phone', 'phone', 600],
    ['mobilephone', 'phoneNumber', 400],
    ['company', 'text', 700],
    ['jobtitle', 'text', 600],
    ['website', 'url', 400],
    ['address', 'text', 500],
    ['city', 'text', 600],
    ['state', 'text', 500],
    ['zip', 'text', 500],
    ['country', 'text', 600],
    ['lifecyclestage', 'radio', 900, 'lifecyclestage'],
    ['hs_lead_status', 'select', 600, 'leadStatus'],
    ['hs_buying_role', 'multi', 300, 'abc'],
    ['hs_marketable_status', 'enumBool', 800, 'trueFalse'],
    ['hs_predictivescoringtier', 'calcEnum', 500, 'priority'],
    ['hs_email_optout', 'bool', 700],
    ['hs_is_unworked', 'calcBool', 800],
    ['num_associated_deals', 'calcNumber', 700],
    ['hs_analytics_num_visits', 'number', 800],
    ['annualrevenue', 'money', 300],
    ['date_of_birth', 'date', 300],
    ['hs_email_last_open_date', 'datetime', 500],
    ['notes_last_updated', 'datetime', 500],
    ['message', 'textarea', 300],
    ['hs_content_membership_notes', 'html', 200],
    ['hs_avatar_filemanager_key', 'file', 200],
    ['hs_calculated_full_name', 'calcString', 900],
  ],
  companies: [
    ['name', 'text', 980],
    ['domain', 'url', 900],
    ['industry', 'select', 700, 'industry'],
    ['numberofemployees', 'number', 700],
    ['annualrevenue', 'money', 600],
    ['city', 'text', 700],
    ['country', 'text', 700],
    ['phone', 'phone', 600],
    ['lifecyclestage', 'radio', 800, 'lifecyclestage'],
    ['is_public', 'bool', 600],
    ['description', 'textarea', 500],
    ['founded_year', 'text', 400],
  ],
  deals: [
    ['dealname', 'text', 990],
    ['amount', 'money', 900],
    ['dealstage', 'select', 990, 'dealStage'],
    ['pipeline', 'select', 990, 'dealPipeline'],
    ['closedate', 'datetime', 800],
    ['dealtype', 'radio', 700, 'generic'],
    ['hs_priority', 'select', 600, 'priority'],
    ['hs_is_closed', 'calcBool', 990],
    ['hs_deal_stage_probability', 'calcNumber', 900],
    ['description', 'textarea', 400],
  ],
  tickets: [
    ['subject', 'text', 990],
    ['content', 'textarea', 900],
    ['hs_pipeline', 'select', 990, 'ticketPipeline'],
    ['hs_pipeline_stage', 'select', 990, 'ticketStage'],
    ['hs_ticket_priority', 'select', 800, 'priority'],
    ['hs_ticket_category', 'multi', 500, 'abc'],
    ['closed_date', 'datetime', 500],
    ['time_to_close', 'calcNumber', 500],
  ],
  products: [
    ['name', 'text', 990],
    ['price', 'money', 950],
    ['hs_sku', 'text', 800],
    ['description', 'textarea', 600],
    ['hs_recurring_billing_period', 'text', 300],
  ],
  line_items: [
    ['name', 'text', 990],
    ['quantity', 'number', 990],
    ['price', 'money', 990],
    ['amount', 'calcNumber', 990],
    ['hs_product_id', 'number', 800],
    ['discount', 'money', 200],
  ],
  pets: [
    ['pet_name', 'text', 990],
    ['species', 'select', 950, 'species'],
    ['birthday', 'date', 700],
    ['weight_kg', 'number', 800],
    ['vaccinated', 'bool', 800],
    ['owner_notes', 'textarea', 400],
  ],
  projects: [
    ['project_name', 'text', 990],
    ['status', 'radio', 950, 'status'],
    ['budget', 'money', 800],
    ['start_date', 'date', 800],
    ['due_at', 'datetime', 700],
    ['brief', 'html', 300],
  ],
};

/** Primary name-like property per type, returned among the default properties. */
export const PRIMARY_PROPERTY: Readonly<Record<string, string>> = {
  contacts: 'firstname',
  companies: 'name',
  deals: 'dealname',
  tickets: 'subject',
  products: 'name',
  line_items: 'name',
  pets: 'pet_name',
  projects: 'project_name',
};

/** Fallback rows for types without a table (engagements, quotes, leads, ...). */
export const GENERIC_PROPERTIES: readonly PropertyRow[] = [
  ['hs_title', 'text', 950],
  ['hs_body_preview', 'textarea', 700],
  ['hs_timestamp', 'datetime', 950],
  ['hs_status', 'select', 800, 'status'],
  ['hs_priority', 'radio', 500, 'priority'],
  ['hs_amount', 'money', 300],
  ['hs_duration', 'number', 500],
  ['hs_is_done', 'bool', 600],
];

/** Words for custom property names: contacts get hundreds of long names so that one URL overflows 16,000 chars. */
export const CUSTOM_NAME_PARTS = {
  areas: ['marketing', 'sales', 'support', 'finance', 'product', 'partner', 'legal', 'success'],
  subjects: ['attribution', 'campaign', 'renewal', 'onboarding', 'qualification', 'territory', 'contract'],
  details: ['source_detail', 'last_touch_date', 'score_value', 'owner_flag', 'segment_code', 'notes_summary'],
} as const;

/** Kinds cycled through by custom properties, so every type/fieldType combination appears. */
export const CUSTOM_KIND_CYCLE: readonly KindName[] = [
  'text',
  'number',
  'select',
  'datetime',
  'bool',
  'textarea',
  'multi',
  'date',
  'radio',
  'money',
  'phone',
  'calcNumber',
  'html',
  'enumBool',
  'file',
  'calcBool',
  'calcEnum',
  'phoneNumber',
  'calcString',
];

export const CUSTOM_PROPERTY_COUNT = { contacts: 580, others: 14 } as const;
