import type { HubSpotRecord } from '../../../lib/hubspot/types';
import { buildRecordColumns } from '../../../lib/schema/columns';
import { ByteWriter } from '../../../lib/core/byte-writer';
import { createSpoolWriter, spoolKey, toSpoolRow } from '../../../lib/schema/spool-row';
import { EDGE_PROPERTIES, makeProperty } from '../../fixtures/schema/properties';

const COLUMNS = buildRecordColumns([...EDGE_PROPERTIES, makeProperty('id', 'number', 'number')]);

const RECORDS: [string, HubSpotRecord, Record<string, unknown>][] = [
  [
    'raw text kept, nulls and unknown properties left out, collided names renamed',
    {
      id: '7',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: 'garbage',
      archived: false,
      properties: { amount: ' 12 ', flag: null, colors: '', text: 'a\n"b" 😀', id: '9', not_a_column: 'x' },
    },
    {
      id: '7',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: 'garbage',
      archived: false,
      amount: ' 12 ',
      colors: '',
      text: 'a\n"b" 😀',
      property_id: '9',
    },
  ],
  [
    'numbers and booleans where HubSpot sends text (a numeric id, property values not strings) as their text',
    {
      id: 9 as unknown as string,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      archived: false,
      properties: { amount: 12.5, flag: true, text: 0 } as unknown as HubSpotRecord['properties'],
    },
    {
      id: '9',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      archived: false,
      amount: '12.5',
      flag: 'true',
      text: '0',
    },
  ],
  [
    'an archived record with archivedAt and a quoted property name',
    {
      id: '8',
      createdAt: '1582947017123',
      updatedAt: '2026-01-01T00:00:00Z',
      archived: true,
      archivedAt: '2026-02-01T00:00:00Z',
      properties: { 'it\'s "quoted"': "'" },
    },
    {
      id: '8',
      created_at: '1582947017123',
      updated_at: '2026-01-01T00:00:00Z',
      archived: true,
      archived_at: '2026-02-01T00:00:00Z',
      'it\'s "quoted"': "'",
    },
  ],
];

/** A row keyed by column name, rekeyed by spool key (the column's position in base 36). */
function bySpoolKey(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([name, value]) => {
      const position = COLUMNS.findIndex((c) => c.name === name);
      if (position < 0) throw new Error(`No column ${name}`);
      return [spoolKey(position), value];
    }),
  );
}

describe('Function: spoolKey', () => {
  it('is the position in base 36', () => {
    expect([0, 9, 10, 35, 36, 640].map(spoolKey)).toEqual(['0', '9', 'a', 'z', '10', 'hs']);
  });
});

describe('Function: toSpoolRow', () => {
  it('reads own property values only: no value for a property named like an Object method', () => {
    const columns = buildRecordColumns([makeProperty('constructor', 'string', 'text')]);
    const record: HubSpotRecord = { id: '1', createdAt: 'x', updatedAt: 'y', archived: false, properties: {} };

    const row = toSpoolRow(record, columns);

    expect(Object.keys(row)).toEqual(['0', '1', '2', '3']);
  });

  it.each(RECORDS)('spools %s', (_case, record, expected) => {
    expect(toSpoolRow(record, COLUMNS)).toEqual(bySpoolKey(expected));
  });

  it('refuses columns without the leading record columns', () => {
    expect(() => toSpoolRow(RECORDS[0][1], COLUMNS.slice(1))).toThrow('Record columns lack the id column');
  });
});

/** createSpoolWriter as a function of one record: the line it writes, as text. */
function lineWriter(): (record: HubSpotRecord) => string {
  const write = createSpoolWriter(COLUMNS);
  const out = new ByteWriter(16);
  return (record) => {
    out.truncate();
    write(record, out);
    return out.toString();
  };
}

describe('Function: createSpoolWriter', () => {
  it.each(RECORDS)('writes the JSON of toSpoolRow for %s', (_case, record, expected) => {
    const lineOf = lineWriter();

    const line = lineOf(record);

    expect(JSON.parse(line)).toEqual(bySpoolKey(expected));
    expect(line).not.toContain('\n');
  });
  it('keeps every value under its own key when one writer sees properties in changing orders', () => {
    // Prepare: the writer remembers the last order; these records reorder, drop and add properties.
    const lineOf = lineWriter();
    const base = { id: '1', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', archived: false };
    const orders: HubSpotRecord['properties'][] = [
      { amount: '1', text: 't1', colors: 'red' },
      { amount: '2', text: 't2', colors: 'blue' },
      { text: 't3', amount: '3', colors: null },
      { amount: '4', colors: 'green' },
      { not_a_column: 'x', amount: '5', text: 't5', id: '55' },
      { amount: '6', text: 't6', colors: 'red' },
    ];

    // Act
    const lines = orders.map((properties) => lineOf({ ...base, properties }));

    // Assess
    expect(lines.map((line) => JSON.parse(line))).toEqual(
      orders.map((properties) => toSpoolRow({ ...base, properties }, COLUMNS)),
    );
  });
});

/** Deterministic pseudo-random numbers (mulberry32), so a failing case can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Function: createSpoolWriter against toSpoolRow', () => {
  /** Text that takes every path of JSON escaping and UTF-8: controls, quotes, DEL, Latin-1, BMP, astral, lone surrogates. */
  const PIECES = [
    'a',
    'Z',
    '0',
    ' ',
    '"',
    '\\',
    '/',
    '\n',
    '\u0000',
    '\u001f',
    '\u007f',
    'é',
    'ÿ',
    '日',
    '\u2028',
    '😀',
    '\ud800',
    '\udfff',
    '\ufeff',
  ];
  it.each([1, 2, 3])('writes the row of toSpoolRow for 2,000 random records (seed %d)', (seed) => {
    const random = seededRandom(seed);
    const text = () =>
      Array.from({ length: Math.floor(random() * 12) }, () => PIECES[Math.floor(random() * PIECES.length)]).join('');
    const names = COLUMNS.flatMap((c) => (c.property ? [c.property.name] : [])).concat(['not_a_column']);
    const lineOf = lineWriter();

    for (let i = 0; i < 2_000; i += 1) {
      const properties: HubSpotRecord['properties'] = {};
      for (const name of names) if (random() < 0.7) properties[name] = random() < 0.2 ? null : text();
      const record: HubSpotRecord = {
        id: text(),
        createdAt: text(),
        updatedAt: text(),
        archived: random() < 0.5,
        ...(random() < 0.3 ? { archivedAt: text() } : {}),
        properties,
      };

      expect(JSON.parse(lineOf(record))).toEqual(toSpoolRow(record, COLUMNS));
    }
  });
});
