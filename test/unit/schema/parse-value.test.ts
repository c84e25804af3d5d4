import { parseValue } from '../../../lib/schema/parse-value';
import type { RecordColumnType as ColumnType } from '../../../lib/schema/type-map';

const LONG = 'x'.repeat(65_536);

describe('Function: parseValue', () => {
  it.each<[ColumnType, string, unknown]>([
    ['VARCHAR', '', ''],
    ['VARCHAR', ' padded \n', ' padded \n'],
    ['VARCHAR', LONG, LONG],
    ['VARCHAR', 'emoji 😀 "q" \'s\'', 'emoji 😀 "q" \'s\''],
    ['DOUBLE', '12', 12],
    ['DOUBLE', ' -1.5e3 ', -1500],
    ['DOUBLE', '.5', 0.5],
    ['DOUBLE', '7.', 7],
    ['DOUBLE', '+0.25', 0.25],
    ['BOOLEAN', 'true', true],
    ['BOOLEAN', 'FALSE', false],
    ['BOOLEAN', ' True ', true],
    ['TIMESTAMP', '2020-02-29T03:30:17.000Z', '2020-02-29 03:30:17.000'],
    ['TIMESTAMP', '2020-02-29T03:30:17.123456Z', '2020-02-29 03:30:17.123'],
    ['TIMESTAMP', '2020-02-29T03:30:17Z', '2020-02-29 03:30:17.000'],
    ['TIMESTAMP', '2020-02-29T05:30:17.5+02:00', '2020-02-29 03:30:17.500'],
    ['TIMESTAMP', '2020-02-29T03:30', '2020-02-29 03:30:00.000'],
    ['TIMESTAMP', '2020-02-29', '2020-02-29 00:00:00.000'],
    ['TIMESTAMP', '1582947017123', '2020-02-29 03:30:17.123'],
    ['TIMESTAMP', '0', '1970-01-01 00:00:00.000'],
    ['TIMESTAMP', '-86400000', '1969-12-31 00:00:00.000'],
    ['DATE', '2020-02-29', '2020-02-29'],
    ['DATE', '2020-02-29T00:00:00.000Z', '2020-02-29'],
    ['DATE', '1582934400000', '2020-02-29'],
    ['VARCHAR[]', 'a;b;c', ['a', 'b', 'c']],
    ['VARCHAR[]', 'b;a', ['b', 'a']],
    ['VARCHAR[]', 'a;;b;', ['a', 'b']],
    ['VARCHAR[]', ' a ; b', [' a ', ' b']],
    ['VARCHAR[]', '', []],
  ])('parses %s %j as %j', (type, text, value) => {
    expect(parseValue(text, type)).toEqual({ ok: true, value });
  });

  it.each<[ColumnType, string]>([
    ['DOUBLE', ''],
    ['DOUBLE', ' '],
    ['DOUBLE', 'N/A'],
    ['DOUBLE', '12abc'],
    ['DOUBLE', '1,000'],
    ['DOUBLE', 'Infinity'],
    ['DOUBLE', 'NaN'],
    ['DOUBLE', '0x10'],
    ['DOUBLE', '1e999'],
    ['BOOLEAN', ''],
    ['BOOLEAN', 'yes'],
    ['BOOLEAN', '1'],
    ['TIMESTAMP', ''],
    ['TIMESTAMP', 'yesterday'],
    ['TIMESTAMP', '2020-02-30T00:00:00Z'],
    ['TIMESTAMP', '2020-02-29T24:00:00Z'],
    ['TIMESTAMP', '02/29/2020'],
    ['TIMESTAMP', '1e12'],
    ['TIMESTAMP', '99999999999999999'],
    ['DATE', ''],
    ['DATE', '2021-02-29'],
    ['DATE', '2020-02-29T03:30:17.000Z'],
    ['DATE', '1582947017123'],
    ['DATE', '29.02.2020'],
    ['MAP(VARCHAR, VARCHAR)', 'a=b'],
  ])('rejects %s %j', (type, text) => {
    expect(parseValue(text, type)).toEqual({ ok: false });
  });
});
