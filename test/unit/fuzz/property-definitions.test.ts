import fc from 'fast-check';
import type { HubSpotRecord, PropertyDefinition } from '../../../lib/hubspot/types';
import {
  buildRecordColumns,
  COLLISION_PREFIX,
  convertRecord,
  LEADING_COLUMNS,
  TRAILING_COLUMNS,
  UNPARSED_COLUMN,
} from '../../../lib/schema/columns';
import { FIELD_TYPE_OVERRIDES, PROPERTY_TYPE_COLUMNS } from '../../../lib/schema/type-map';
import { PARTITION_COLUMNS } from '../../../lib/store/layout';
import { RUNS } from './arbitraries';

const FIXED = [...LEADING_COLUMNS, ...TRAILING_COLUMNS].map((c) => c.name);
/** Every column type a property can map to. */
const COLUMN_TYPES = new Set<string>([
  ...Object.values(PROPERTY_TYPE_COLUMNS),
  ...FIELD_TYPE_OVERRIDES.map((o) => o.column),
]);

/** Property names as portals have them, and names that collide with fixed columns or partition folders in any case. */
const propertyName = fc.oneof(
  fc.constantFrom(...FIXED, ...PARTITION_COLUMNS, 'ID', 'Archived', 'property_id', 'property_property_id'),
  // Not __proto__: HubSpot names start with a letter, and convertRecord's row (a plain object) would drop its value.
  fc.constantFrom('constructor', 'toString', 'hasOwnProperty', 'valueOf'),
  fc.stringMatching(/^[a-z][a-z0-9_]{0,14}$/),
  fc.string({ minLength: 1, maxLength: 10 }).filter((name) => name !== '__proto__'),
);

const definition: fc.Arbitrary<PropertyDefinition> = fc.record({
  name: propertyName,
  label: fc.string({ maxLength: 8 }),
  type: fc.oneof(
    fc.constantFrom(...(Object.keys(PROPERTY_TYPE_COLUMNS) as PropertyDefinition['type'][])),
    // HubSpot adds types now and then, and a type may be named like an Object.prototype member.
    fc
      .oneof(fc.stringMatching(/^[a-z_]{1,12}$/), fc.constantFrom('constructor', '__proto__', 'toString'))
      .map((type) => type as PropertyDefinition['type']),
  ),
  fieldType: fc.constantFrom('text', 'textarea', 'number', 'checkbox', 'booleancheckbox', 'select', 'date', 'radio'),
  groupName: fc.constant('g'),
  options: fc.constant([]),
});

/** A portal's definitions: names unique, as HubSpot keeps them (though they may differ only in case). */
const definitions = fc.uniqueArray(definition, { selector: (d) => d.name, maxLength: 12 });

describe('Fuzz: property definitions -> columns', () => {
  it('gives each property one column, in order, named apart from every other column in any case', () => {
    fc.assert(
      fc.property(definitions, (properties) => {
        const columns = buildRecordColumns(properties);

        expect(columns).toHaveLength(FIXED.length + properties.length);
        expect(columns.slice(0, LEADING_COLUMNS.length).map((c) => c.name)).toEqual(LEADING_COLUMNS.map((c) => c.name));
        expect(columns.slice(-TRAILING_COLUMNS.length).map((c) => c.name)).toEqual(TRAILING_COLUMNS.map((c) => c.name));
        const propertyColumns = columns.slice(LEADING_COLUMNS.length, LEADING_COLUMNS.length + properties.length);
        propertyColumns.forEach((column, i) => {
          expect(column.property).toBe(properties[i]);
          // Renamed only by prefixes, so a reader can tell which property it is.
          expect(column.name.endsWith(properties[i].name)).toBe(true);
          expect(column.name.slice(0, -properties[i].name.length || undefined)).toMatch(
            new RegExp(`^(${COLLISION_PREFIX})*$`),
          );
          expect(COLUMN_TYPES).toContain(column.type);
        });
        const lower = columns.map((c) => c.name.toLowerCase());
        expect(new Set(lower).size).toBe(columns.length);
        for (const partition of PARTITION_COLUMNS) {
          expect(propertyColumns.map((c) => c.name.toLowerCase())).not.toContain(partition.toLowerCase());
        }
      }),
      RUNS,
    );
  });
});

/** Wire values: text that parses as some type, text that parses as none, numbers, booleans and nulls. */
const wireValue = fc.oneof(
  fc.constantFrom(
    '12.5',
    '-3',
    '1e3',
    'true',
    'FALSE',
    '2026-03-01',
    '2026-03-01T10:00:00.000Z',
    '1772000000000',
    'a;b',
    '',
  ),
  fc.string({ maxLength: 10 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);

const META = { runId: '20260301T000000Z-aaaaaa', syncedAt: '2026-03-01T00:00:00.000Z' };

describe('Fuzz: records -> rows', () => {
  it('puts every value in its column or, unparsed, in _unparsed under its property name, and counts those', () => {
    const cases = definitions.chain((properties) =>
      fc.record({
        properties: fc.constant(properties),
        values: fc.tuple(...properties.map(() => fc.option(wireValue, { nil: undefined }))),
      }),
    );
    fc.assert(
      fc.property(cases, ({ properties, values }) => {
        const columns = buildRecordColumns(properties);
        const wire = Object.fromEntries(
          properties.flatMap((p, i) => (values[i] === undefined ? [] : [[p.name, values[i]]])),
        ) as HubSpotRecord['properties'];
        const record: HubSpotRecord = {
          id: '42',
          properties: wire,
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-02T00:00:00.000Z',
          archived: false,
        };

        const { row, unparsed } = convertRecord(record, columns, META);

        const leftOver = (row[UNPARSED_COLUMN] ?? {}) as Record<string, string>;
        expect(Object.keys(leftOver)).toHaveLength(unparsed);
        for (const column of columns.filter((c) => c.property)) {
          const raw = Object.hasOwn(wire, column.property!.name) ? wire[column.property!.name] : undefined;
          const placed = Object.hasOwn(row, column.name);
          const kept = Object.hasOwn(leftOver, column.property!.name);
          if (raw === null || raw === undefined) expect([placed, kept]).toEqual([false, false]);
          else {
            expect(placed !== kept).toBe(true);
            if (kept) expect(leftOver[column.property!.name]).toBe(String(raw));
          }
        }
        expect(Object.keys(row).every((key) => columns.some((c) => c.name === key))).toBe(true);
      }),
      RUNS,
    );
  });
});
