import {
  EXPECTED_CONVERSIONS,
  expectedColumns,
  expectedColumnType,
  expectedRow,
  type ExpectedColumnType,
} from '../../helpers/expected-record-table';

/** The oracle's own table, checked against the rows of lib/schema/README.md it restates. */
describe('Function: expectedColumnType', () => {
  it.each([
    ['string', 'text', 'VARCHAR'],
    ['phone_number', 'phonenumber', 'VARCHAR'],
    ['json', 'text', 'VARCHAR'],
    ['object_coordinates', 'text', 'VARCHAR'],
    ['number', 'number', 'DOUBLE'],
    ['number', 'calculation_equation', 'DOUBLE'],
    ['bool', 'booleancheckbox', 'BOOLEAN'],
    ['date', 'date', 'DATE'],
    ['datetime', 'date', 'TIMESTAMP'],
    ['enumeration', 'checkbox', 'VARCHAR[]'],
    ['enumeration', 'select', 'VARCHAR'],
    ['enumeration', 'booleancheckbox', 'VARCHAR'],
    ['something_new', 'text', 'VARCHAR'],
  ])('maps type %s with fieldType %s to %s', (type, fieldType, column) => {
    expect(expectedColumnType({ type, fieldType })).toBe(column);
  });
});

describe('Table: EXPECTED_CONVERSIONS', () => {
  const UNPARSED = undefined;
  it.each<[ExpectedColumnType, string, unknown]>([
    ['VARCHAR', '', ''],
    ['VARCHAR', ' line\none "q" ', ' line\none "q" '],
    ['DOUBLE', '12', 12],
    ['DOUBLE', ' -1.5e3 ', -1500],
    ['DOUBLE', '.5', 0.5],
    ['DOUBLE', '7.', 7],
    ['DOUBLE', '', UNPARSED],
    ['DOUBLE', 'N/A', UNPARSED],
    ['DOUBLE', '12abc', UNPARSED],
    ['DOUBLE', '1,000', UNPARSED],
    ['DOUBLE', 'Infinity', UNPARSED],
    ['DOUBLE', 'NaN', UNPARSED],
    ['DOUBLE', '0x10', UNPARSED],
    ['DOUBLE', '1e999', UNPARSED],
    ['BOOLEAN', 'true', true],
    ['BOOLEAN', ' FALSE ', false],
    ['BOOLEAN', '', UNPARSED],
    ['BOOLEAN', 'yes', UNPARSED],
    ['BOOLEAN', '1', UNPARSED],
    ['TIMESTAMP', '2020-02-29T03:30:17.000Z', Date.UTC(2020, 1, 29, 3, 30, 17)],
    ['TIMESTAMP', '1582947017000', Date.UTC(2020, 1, 29, 3, 30, 17)],
    ['TIMESTAMP', '2020-02-29T05:30:17.123456+02:00', Date.UTC(2020, 1, 29, 3, 30, 17, 123)],
    ['TIMESTAMP', '2020-02-29T03:30', Date.UTC(2020, 1, 29, 3, 30)],
    ['TIMESTAMP', '2020-02-29', Date.UTC(2020, 1, 29)],
    ['TIMESTAMP', '', UNPARSED],
    ['TIMESTAMP', 'yesterday', UNPARSED],
    ['TIMESTAMP', '02/29/2020', UNPARSED],
    ['TIMESTAMP', '2021-02-29T00:00:00Z', UNPARSED],
    ['TIMESTAMP', '2020-01-01T24:00:00Z', UNPARSED],
    ['DATE', '2020-02-29', '2020-02-29'],
    ['DATE', '2020-02-29T00:00:00.000Z', '2020-02-29'],
    ['DATE', '1582934400000', '2020-02-29'],
    ['DATE', '2020-02-29T03:30:17.000Z', UNPARSED],
    ['DATE', '2021-02-29', UNPARSED],
    ['DATE', '', UNPARSED],
    ['VARCHAR[]', 'a;b;c', ['a', 'b', 'c']],
    ['VARCHAR[]', ';a;;b;', ['a', 'b']],
    ['VARCHAR[]', '', []],
  ])('reads %s from %j as %j', (type, raw, expected) => {
    expect(EXPECTED_CONVERSIONS[type](raw)).toEqual(expected);
  });
});

describe('Function: expectedColumns', () => {
  it('puts properties between the fixed columns and prefixes names taken, case-insensitively, until free', () => {
    const properties = ['email', 'ID', 'property_id', 'run_id', 'Snapshot_Date', '_unparsed'].map((name) => ({
      name,
      type: 'string',
      fieldType: 'text',
    }));
    expect(expectedColumns(properties).map((c) => c.name)).toEqual([
      'id',
      'created_at',
      'updated_at',
      'archived',
      'archived_at',
      'email',
      'property_ID',
      'property_property_id',
      'property_run_id',
      'property_Snapshot_Date',
      'property__unparsed',
      '_unparsed',
      '_run_id',
      '_synced_at',
    ]);
  });
});

describe('Function: expectedRow', () => {
  it('keeps the raw text of values that do not parse in _unparsed, in column order, and NULLs their columns', () => {
    const columns = expectedColumns([
      { name: 'amount', type: 'number', fieldType: 'number' },
      { name: 'id', type: 'string', fieldType: 'text' },
      { name: 'optin', type: 'bool', fieldType: 'booleancheckbox' },
    ]);
    const row = expectedRow(
      {
        id: '7',
        createdAt: 'not a time',
        updatedAt: '2024-01-02T03:04:05.006Z',
        archived: false,
        properties: { amount: 'N/A', id: 'own id', optin: null },
      },
      columns,
      'run-1',
    );
    expect(row).toEqual({
      cells: {
        id: '7',
        created_at: null,
        updated_at: Date.UTC(2024, 0, 2, 3, 4, 5, 6),
        archived: false,
        archived_at: null,
        amount: null,
        property_id: 'own id',
        optin: null,
        _unparsed: { createdAt: 'not a time', amount: 'N/A' },
        _run_id: 'run-1',
      },
      unparsed: 2,
    });
  });
});
