import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubSpotRecord, PropertyDefinition } from '../../../lib/hubspot/types';
import { openDuckDb, type DuckDb } from '../../../lib/parquet/duckdb';
import { NdjsonSpool } from '../../../lib/parquet/spool';
import { quoteLiteral } from '../../../lib/parquet/sql';
import {
  buildRecordPartSql,
  chooseRecordTyping,
  writeRecordPart,
  type RecordTyping,
} from '../../../lib/schema/write-record-part';
import { buildRecordColumns } from '../../../lib/schema/columns';
import { toSpoolRow } from '../../../lib/schema/spool-row';
import { EDGE_PROPERTIES, makeProperty } from '../../fixtures/schema/properties';
import { compareTypingPaths } from '../../helpers/typing-paths';

const META = { runId: "run 'one'", syncedAt: '2026-03-01T12:00:00.250Z' };
const TYPINGS: RecordTyping[] = ['listwise', 'columnwise'];
const LONG = `${'ab'.repeat(32_767)}\n😀`;

/** Awkward wire texts per property type: each must type exactly as parse-value.ts does. */
const VALUES: Record<string, string[]> = {
  number: [
    '12',
    ' -1.5e3 ',
    '.5',
    '7.',
    '+0.25',
    '-0',
    '-0.0',
    '0',
    '00012',
    '1e308',
    '1e309',
    '1e999',
    '1e-400',
    '2.2250738585072011e-308',
    '123456789012345678901234567890',
    '0.1',
    '4.35',
    '',
    ' ',
    'N/A',
    '12abc',
    '1,000',
    'Infinity',
    '-Infinity',
    'NaN',
    'inf',
    '0x10',
    '1_000',
    '\u00a012\u3000',
    '\ufeff7\u2028',
    '１２',
    '-',
    '+',
    '.',
    'e5',
    '1e',
    '\n5\n',
    '1.2.3',
    '--1',
  ],
  bool: ['true', 'FALSE', ' True ', 'tRuE', '\ttrue\n', '\u00a0false\u2028', '', 'yes', '1', 'truee', 't', 'ｔｒｕｅ'],
  datetime: [
    '2020-02-29T03:30:17.000Z',
    '2020-02-29T03:30:17.123456Z',
    '2020-02-29T03:30:17Z',
    '2020-02-29T05:30:17.5+02:00',
    '2020-02-29T03:30',
    '2020-02-29',
    '1582947017123',
    '0',
    '-86400000',
    '-0',
    '-1',
    '2020-01-01t00:00z',
    '2020-01-01 00:00',
    '0000-01-01',
    '0000-01-01T00:00:00Z',
    '0000-01-01T00:00:00.000Z',
    '0000-01-01T00:30:00+01:00',
    '2020-01-01T00:00:00+99:99',
    '2020-01-01T00:00:00+23:59',
    '2020-01-01T00:00:00-2359',
    '2020-01-01T00:00:00+24:00',
    '9999-12-31T23:59:59.9999Z',
    '9999-12-31T23:59:59.999Z',
    '9999-12-31T23:30:00-01:00',
    '-62167219200000',
    '-62167219200001',
    '253402300799999',
    '253402300800000',
    ' 2020-01-01 ',
    '2020-01-01T00',
    '1582947017123.0',
    '0000000000000001',
    '12345678901234567',
    '2020-02-29T03:30:17.123456789Z',
    '2020-02-29T03:30:17.1234567890Z',
    '2020-13-01',
    '2020-00-10',
    '2020-01-00',
    '2019-02-29',
    '2000-02-29',
    '1900-02-29',
    '2020-04-31',
    '2020-02-30T00:00:00.000Z',
    '2020-01-01T23:59:60Z',
    '2020-01-01T12:60Z',
    '2020-01-01T24:00:00.000Z',
    '2020-02-29T03:30:17.000z',
    '\u00a02020-02-29T03:30:17.000Z',
    '2020-02-29T03:30:17.000Z ',
    '2020-02-29T03:30:17+05:30',
    '2020-02-29T03:30:17.5-0800',
    '1969-12-31T23:59:59.999Z',
    '1960-01-01T00:00:00.001Z',
    '',
    'yesterday',
    '02/29/2020',
    '1e12',
    '2020-02-29T03:30:17.000+00:00',
    '+2020-02-29',
    '20200229',
  ],
  date: [
    '2020-02-29',
    '2020-02-29T00:00:00.000Z',
    '1582934400000',
    '2021-02-29',
    '2020-02-29T03:30:17.000Z',
    '1582947017123',
    '29.02.2020',
    '',
    '0000-01-01',
    '2020-02-29T02:00+02:00',
    '9999-12-31',
    '9999-12-31T00:00:00Z',
    '-86400000',
    '-1',
    '0',
    '-0',
    '253402214400000',
    ' 2020-02-29 ',
    '2020-02-29T00:00:00.0009Z',
    '2020-2-29',
  ],
  multi: ['a;b;c', 'b;a', 'a;;b;', ' a ; b', '', ';', ';;', 'x', 'a; ;b', 'emoji 😀;"q"'],
  text: [LONG, 'line1\nline2 😀 "q"', '', ' padded ', "it's", 'back\\slash', 'null', '\u0001ctl'],
};

const PROPERTIES: PropertyDefinition[] = [
  makeProperty('number', 'number', 'number'),
  makeProperty('bool', 'bool', 'booleancheckbox'),
  makeProperty('datetime', 'datetime', 'date'),
  makeProperty('date', 'date', 'date'),
  makeProperty('multi', 'enumeration', 'checkbox'),
  makeProperty('text', 'string', 'textarea'),
  makeProperty('select', 'enumeration', 'select'),
  makeProperty('id', 'number', 'number'),
  makeProperty('ARCHIVED', 'bool', 'booleancheckbox'),
  makeProperty('property_id', 'datetime', 'date'),
  makeProperty('_run_id', 'string', 'text'),
  makeProperty('it\'s "quoted"', 'date', 'date'),
  makeProperty('unknown_kind', 'future_type' as PropertyDefinition['type'], 'text'),
];

/** Record i takes value i of every list (null past its end); collided names reuse other lists. */
function edgeRecords(): HubSpotRecord[] {
  const lengths = Object.values(VALUES).map((v) => v.length);
  return Array.from({ length: Math.max(...lengths) }, (_, i) => {
    const at = (list: string[], k = i) => list[k % (list.length + 3)] ?? null;
    return {
      id: String(1000 + i),
      createdAt: VALUES.datetime[i % VALUES.datetime.length],
      updatedAt: VALUES.datetime[(i + 7) % VALUES.datetime.length],
      archived: i % 3 === 0,
      ...(i % 2 === 0 ? { archivedAt: VALUES.datetime[(i + 13) % VALUES.datetime.length] } : {}),
      properties: {
        number: at(VALUES.number),
        bool: at(VALUES.bool),
        datetime: at(VALUES.datetime),
        date: at(VALUES.date),
        multi: at(VALUES.multi),
        text: at(VALUES.text),
        select: i % 4 === 0 ? null : `option ${i % 5}`,
        id: at(VALUES.number, i + 5),
        ARCHIVED: at(VALUES.bool, i + 2),
        property_id: at(VALUES.datetime, i + 11),
        _run_id: at(VALUES.text, i + 1),
        'it\'s "quoted"': at(VALUES.date, i + 3),
        unknown_kind: at(VALUES.number, i + 1),
      },
    };
  });
}

describe('Function: writeRecordPart', () => {
  let dir: string;
  let db: DuckDb;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "record part it's-"));
    db = await openDuckDb({ memoryLimit: '256MB', threads: 2 });
  });
  afterAll(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const cases: [string, PropertyDefinition[], () => HubSpotRecord[]][] = [
    ['awkward values of every type and colliding names', PROPERTIES, edgeRecords],
    [
      'the edge-property records',
      EDGE_PROPERTIES,
      () =>
        edgeRecords().map(({ properties: p, ...r }) => ({
          ...r,
          properties: {
            ...p,
            amount: p.number,
            flag: p.bool,
            birthday: p.date,
            seen_at: p.datetime,
            colors: p.multi,
            stage: p.select,
          },
        })),
    ],
  ];
  it.each(
    cases.flatMap(([name, properties, records]) => TYPINGS.map((typing) => ({ name, properties, records, typing }))),
  )(
    'writes the same table as convertRecord for $name ($typing typing)',
    async ({ name, properties, records, typing }) => {
      const columns = buildRecordColumns(properties);

      const result = await compareTypingPaths(
        db,
        dir,
        `${name.replace(/\W+/g, '-')}-${typing}`,
        records(),
        columns,
        META,
        typing,
      );

      expect(result).toMatchObject({ onlyInReference: 0, onlyInSql: 0, sqlRows: result.referenceRows });
      expect(result.sqlUnparsed).toBe(result.referenceUnparsed);
      expect(result.negativeZeros).toEqual([0, 0]);
      expect(result.sqlSchema).toEqual(result.referenceSchema);
      expect(result.sqlSchema).toEqual(columns.map((c) => [c.name, c.type]));
    },
  );

  it.each(TYPINGS)(
    'keeps the raw text and wire names in _unparsed and counts each value (%s typing)',
    async (typing) => {
      const columns = buildRecordColumns(EDGE_PROPERTIES);
      const spool = await NdjsonSpool.create(join(dir, `unparsed-${typing}.ndjson`));
      await spool.append(
        toSpoolRow(
          {
            id: '7',
            createdAt: 'garbage',
            updatedAt: '2026-02-01T10:20:30.456Z',
            archived: true,
            archivedAt: '2026-02-02T00:00:00Z',
            properties: { amount: '12abc', flag: '', birthday: '2021-02-29', seen_at: '1582947017123', colors: '' },
          },
          columns,
        ),
      );
      await spool.close();
      const parquetPath = join(dir, `unparsed-${typing}.parquet`);

      const result = await writeRecordPart(db, { ndjsonPath: spool.path, parquetPath, columns, meta: META, typing });

      expect(result).toEqual({ rows: 1, bytes: expect.any(Number), unparsed: 4 });
      expect(
        await db.query(
          `SELECT id, created_at, archived, archived_at, amount, seen_at, colors, _unparsed, _run_id, _synced_at
         FROM read_parquet(${quoteLiteral(parquetPath)})`,
        ),
      ).toEqual([
        {
          id: '7',
          created_at: null,
          archived: true,
          archived_at: '2026-02-02 00:00:00',
          amount: null,
          seen_at: '2020-02-29 03:30:17.123',
          colors: [],
          _unparsed: [
            { key: 'createdAt', value: 'garbage' },
            { key: 'amount', value: '12abc' },
            { key: 'flag', value: '' },
            { key: 'birthday', value: '2021-02-29' },
          ],
          _run_id: "run 'one'",
          _synced_at: '2026-03-01 12:00:00.25',
        },
      ]);
    },
  );

  it('writes an empty part with the full schema and no unparsed values', async () => {
    const spool = await NdjsonSpool.create(join(dir, 'empty.ndjson'));
    await spool.close();
    const columns = buildRecordColumns(EDGE_PROPERTIES);
    const parquetPath = join(dir, 'empty.parquet');

    const result = await writeRecordPart(db, { ndjsonPath: spool.path, parquetPath, columns, meta: META });

    expect(result).toEqual({ rows: 0, bytes: expect.any(Number), unparsed: 0 });
    const described = await db.query<{ column_name: string; column_type: string }>(
      `DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(parquetPath)})`,
    );
    expect(described.map((d) => [d.column_name, d.column_type])).toEqual(columns.map((c) => [c.name, c.type]));
  });

  it.each<[string, Parameters<typeof buildRecordPartSql>[0], string]>([
    [
      'syncedAt is not a datetime',
      { ndjsonPath: '/x', columns: buildRecordColumns([]), meta: { runId: 'r', syncedAt: 'now' } },
      'syncedAt must be',
    ],
    [
      'a column is neither a record field nor a property',
      { ndjsonPath: '/x', columns: [{ name: 'mystery', type: 'VARCHAR' }], meta: META },
      'Unknown record column mystery',
    ],
  ])('throws when %s', (_case, options, message) => {
    expect(() => buildRecordPartSql(options)).toThrow(message);
  });

  it.each<[string, number, number, RecordTyping]>([
    ['a small spool', 30, 59 * 1024 * 1024, 'listwise'],
    ['a spool of at least 2 MiB per typed column', 30, 60 * 1024 * 1024, 'columnwise'],
    ['more than 200 typed columns', 201, 10 * 1024 ** 3, 'listwise'],
  ])('chooses the typing for %s', (_case, typedColumns, spoolBytes, typing) => {
    const properties = Array.from({ length: typedColumns - 3 }, (_, i) => makeProperty(`n${i}`, 'number', 'number'));
    // created_at, updated_at and archived_at are typed too.
    expect(chooseRecordTyping(buildRecordColumns(properties), spoolBytes)).toBe(typing);
  });
});
