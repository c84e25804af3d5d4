import { InternalError } from '../../../lib/core/errors';
import { assertColumnType, columnsStruct, quoteIdentifier, quoteLiteral } from '../../../lib/parquet/sql';

describe('Module: sql', () => {
  it.each([
    ['plain', '"plain"'],
    ['a"b', '"a""b"'],
    ["it's", '"it\'s"'],
  ])('quotes identifier %j as %s', (name, quoted) => {
    expect(quoteIdentifier(name)).toBe(quoted);
  });

  it.each([
    ['/tmp/a.parquet', "'/tmp/a.parquet'"],
    ["/tmp/it's/a", "'/tmp/it''s/a'"],
  ])('quotes literal %j as %s', (text, quoted) => {
    expect(quoteLiteral(text)).toBe(quoted);
  });

  it('builds the read_json columns struct', () => {
    expect(
      columnsStruct([
        { name: "a'b", type: 'VARCHAR[]' },
        { name: 'm', type: 'MAP(VARCHAR, VARCHAR)' },
      ]),
    ).toBe("{'a''b': 'VARCHAR[]', 'm': 'MAP(VARCHAR, VARCHAR)'}");
  });

  it.each(["VARCHAR'); DROP TABLE x; --", 'VARCHAR; SELECT 1', ''])('rejects column type %j', (type) => {
    expect(() => assertColumnType(type)).toThrow(InternalError);
  });

  it('rejects NUL in literals', () => {
    expect(() => quoteLiteral('a\0b')).toThrow('NUL');
  });
});
