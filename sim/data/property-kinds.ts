/** Property kinds: each maps to a HubSpot type/fieldType pair and a value generator. */
import type { FieldType, PropertyOption, PropertyType } from '../../lib/hubspot/types';

export type GeneratorName =
  | 'system'
  | 'word'
  | 'firstname'
  | 'lastname'
  | 'email'
  | 'sentence'
  | 'html'
  | 'url'
  | 'phone'
  | 'number'
  | 'money'
  | 'bool'
  | 'option'
  | 'multi'
  | 'date'
  | 'datetime'
  | 'owner';

export interface PropertyKind {
  readonly type: PropertyType;
  readonly fieldType: FieldType;
  readonly generator: GeneratorName;
}

export const PROPERTY_KINDS = {
  text: { type: 'string', fieldType: 'text', generator: 'word' },
  firstname: { type: 'string', fieldType: 'text', generator: 'firstname' },
  lastname: { type: 'string', fieldType: 'text', generator: 'lastname' },
  email: { type: 'string', fieldType: 'text', generator: 'email' },
  textarea: { type: 'string', fieldType: 'textarea', generator: 'sentence' },
  html: { type: 'string', fieldType: 'html', generator: 'html' },
  file: { type: 'string', fieldType: 'file', generator: 'url' },
  url: { type: 'string', fieldType: 'text', generator: 'url' },
  phone: { type: 'string', fieldType: 'phonenumber', generator: 'phone' },
  phoneNumber: { type: 'phone_number', fieldType: 'phonenumber', generator: 'phone' },
  calcString: { type: 'string', fieldType: 'calculation_equation', generator: 'word' },
  number: { type: 'number', fieldType: 'number', generator: 'number' },
  calcNumber: { type: 'number', fieldType: 'calculation_equation', generator: 'number' },
  money: { type: 'number', fieldType: 'number', generator: 'money' },
  bool: { type: 'bool', fieldType: 'booleancheckbox', generator: 'bool' },
  calcBool: { type: 'bool', fieldType: 'calculation_equation', generator: 'bool' },
  select: { type: 'enumeration', fieldType: 'select', generator: 'option' },
  radio: { type: 'enumeration', fieldType: 'radio', generator: 'option' },
  multi: { type: 'enumeration', fieldType: 'checkbox', generator: 'multi' },
  enumBool: { type: 'enumeration', fieldType: 'booleancheckbox', generator: 'option' },
  calcEnum: { type: 'enumeration', fieldType: 'calculation_equation', generator: 'option' },
  date: { type: 'date', fieldType: 'date', generator: 'date' },
  datetime: { type: 'datetime', fieldType: 'date', generator: 'datetime' },
  owner: { type: 'enumeration', fieldType: 'select', generator: 'owner' },
  id: { type: 'number', fieldType: 'number', generator: 'system' },
  systemDatetime: { type: 'datetime', fieldType: 'date', generator: 'system' },
} as const satisfies Record<string, PropertyKind>;

export type KindName = keyof typeof PROPERTY_KINDS;

/** Named option sets; enumeration properties not listed in a table get GENERIC. */
export const OPTION_SETS = {
  lifecyclestage: [
    'subscriber',
    'lead',
    'marketingqualifiedlead',
    'salesqualifiedlead',
    'opportunity',
    'customer',
    'evangelist',
    'other',
  ],
  leadStatus: ['NEW', 'OPEN', 'IN_PROGRESS', 'OPEN_DEAL', 'UNQUALIFIED', 'ATTEMPTED_TO_CONTACT', 'CONNECTED'],
  abc: ['a', 'b', 'c', 'd'],
  trueFalse: ['true', 'false'],
  priority: ['LOW', 'MEDIUM', 'HIGH'],
  industry: ['ACCOUNTING', 'AIRLINES_AVIATION', 'BANKING', 'COMPUTER_SOFTWARE', 'HOSPITAL_HEALTH_CARE', 'RETAIL'],
  generic: ['option_one', 'option_two', 'option_three', 'option_four', 'option_five'],
  species: ['dog', 'cat', 'rabbit', 'parrot', 'axolotl'],
  status: ['planned', 'active', 'on_hold', 'done', 'cancelled'],
  dealPipeline: ['default', 'enterprise'],
  dealStage: [
    'appointmentscheduled',
    'qualifiedtobuy',
    'presentationscheduled',
    'contractsent',
    'closedwon',
    'closedlost',
  ],
  ticketPipeline: ['0', '1'],
  ticketStage: ['1', '2', '3', '4'],
} as const;

export type OptionSetName = keyof typeof OPTION_SETS;

/** Options with human labels, as the properties API returns them. */
export function buildOptions(set: OptionSetName): PropertyOption[] {
  return OPTION_SETS[set].map((value, index) => ({
    label: value
      .toLowerCase()
      .split('_')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(' '),
    value,
    displayOrder: index,
    hidden: false,
  }));
}
