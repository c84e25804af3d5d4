import type { HubSpotRecord } from '../../../lib/hubspot/types';
import { buildRecordColumns, convertRecord } from '../../../lib/schema/columns';
import { EDGE_PROPERTIES, makeProperty } from '../../fixtures/schema/properties';

const META = { runId: 'run-1', syncedAt: '2026-03-01T12:00:00.250Z' };

function record(properties: HubSpotRecord['properties'], extra: Partial<HubSpotRecord> = {}): HubSpotRecord {
  return {
    id: '101',
    properties,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-02-01T10:20:30.456Z',
    archived: false,
    ...extra,
  };
}

const FIXED_OUT = {
  id: '101',
  created_at: '2026-01-01 00:00:00.000',
  updated_at: '2026-02-01 10:20:30.456',
  archived: false,
  _run_id: 'run-1',
  _synced_at: '2026-03-01 12:00:00.250',
};

describe('Function: buildRecordColumns', () => {
  it('puts fixed columns around the properties in definition order', () => {
    expect(buildRecordColumns(EDGE_PROPERTIES).map((c) => [c.name, c.type, c.property?.name])).toEqual([
      ['id', 'VARCHAR', undefined],
      ['created_at', 'TIMESTAMP', undefined],
      ['updated_at', 'TIMESTAMP', undefined],
      ['archived', 'BOOLEAN', undefined],
      ['archived_at', 'TIMESTAMP', undefined],
      ['text', 'VARCHAR', 'text'],
      ['amount', 'DOUBLE', 'amount'],
      ['flag', 'BOOLEAN', 'flag'],
      ['birthday', 'DATE', 'birthday'],
      ['seen_at', 'TIMESTAMP', 'seen_at'],
      ['colors', 'VARCHAR[]', 'colors'],
      ['stage', 'VARCHAR', 'stage'],
      ['it\'s "quoted"', 'VARCHAR', 'it\'s "quoted"'],
      ['_unparsed', 'MAP(VARCHAR, VARCHAR)', undefined],
      ['_run_id', 'VARCHAR', undefined],
      ['_synced_at', 'TIMESTAMP', undefined],
    ]);
  });

  it('renames properties that collide with fixed columns deterministically', () => {
    const properties = [
      makeProperty('id', 'string', 'text'),
      makeProperty('property_id', 'string', 'text'),
      makeProperty('ARCHIVED', 'bool', 'booleancheckbox'),
      makeProperty('_run_id', 'string', 'text'),
    ];
    expect(
      buildRecordColumns(properties)
        .filter((c) => c.property)
        .map((c) => [c.property?.name, c.name]),
    ).toEqual([
      ['id', 'property_id'],
      ['property_id', 'property_property_id'],
      ['ARCHIVED', 'property_ARCHIVED'],
      ['_run_id', 'property__run_id'],
    ]);
  });

  it('renames properties named like a partition folder, which hive-partitioned reads would show instead', () => {
    const properties = ['run_id', 'Snapshot_Date', 'change_date'].map((name) => makeProperty(name, 'string', 'text'));
    expect(buildRecordColumns(properties).flatMap((c) => (c.property ? [c.name] : []))).toEqual([
      'property_run_id',
      'property_Snapshot_Date',
      'property_change_date',
    ]);
  });
});

describe('Function: convertRecord', () => {
  const columns = buildRecordColumns(EDGE_PROPERTIES);

  it.each<[string, HubSpotRecord['properties'], Record<string, unknown>, number]>([
    [
      'all values parse',
      {
        text: 'line1\nline2 😀 "q"',
        amount: '12.5',
        flag: 'TRUE',
        birthday: '1990-05-17',
        seen_at: '1582947017123',
        colors: 'red;blue',
        stage: 'won',
        'it\'s "quoted"': "'",
      },
      {
        text: 'line1\nline2 😀 "q"',
        amount: 12.5,
        flag: true,
        birthday: '1990-05-17',
        seen_at: '2020-02-29 03:30:17.123',
        colors: ['red', 'blue'],
        stage: 'won',
        'it\'s "quoted"': "'",
      },
      0,
    ],
    ['nulls and absent properties stay out of the row', { text: null, amount: null }, {}, 0],
    [
      'empty strings: kept for strings, [] for multi-select, unparsed otherwise',
      {
        text: '',
        amount: '',
        flag: '',
        birthday: '',
        seen_at: '',
        colors: '',
      },
      {
        text: '',
        colors: [],
        _unparsed: { amount: '', flag: '', birthday: '', seen_at: '' },
      },
      4,
    ],
    [
      'bad values go to _unparsed with their raw text',
      {
        amount: '12abc',
        flag: 'yes',
        birthday: '2021-02-29',
        seen_at: 'N/A',
        stage: 'N/A',
      },
      {
        stage: 'N/A',
        _unparsed: { amount: '12abc', flag: 'yes', birthday: '2021-02-29', seen_at: 'N/A' },
      },
      4,
    ],
  ])('converts when %s', (_case, properties, expected, unparsed) => {
    expect(convertRecord(record(properties), columns, META)).toEqual({ row: { ...FIXED_OUT, ...expected }, unparsed });
  });

  it('fills archived_at and keeps an unparseable record timestamp under its wire name', () => {
    const archived = record({}, { archived: true, archivedAt: '2026-02-02T00:00:00Z', createdAt: 'garbage' });
    expect(convertRecord(archived, columns, META)).toEqual({
      row: {
        id: '101',
        updated_at: '2026-02-01 10:20:30.456',
        archived: true,
        archived_at: '2026-02-02 00:00:00.000',
        _unparsed: { createdAt: 'garbage' },
        _run_id: 'run-1',
        _synced_at: '2026-03-01 12:00:00.250',
      },
      unparsed: 1,
    });
  });

  it('reads a renamed column from its property name', () => {
    const renamed = buildRecordColumns([makeProperty('id', 'number', 'number')]);
    expect(convertRecord(record({ id: '7' }), renamed, META).row.property_id).toBe(7);
  });

  it('throws when syncedAt is not a datetime', () => {
    expect(() => convertRecord(record({}), columns, { runId: 'r', syncedAt: 'now' })).toThrow('syncedAt must be');
  });
});
