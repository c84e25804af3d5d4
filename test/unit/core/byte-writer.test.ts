import { ByteWriter } from '../../../lib/core/byte-writer';

describe('Class: ByteWriter', () => {
  const everyAscii = Array.from({ length: 128 }, (_, code) => [`a, code ${code}, b`, `a${String.fromCharCode(code)}b`]);
  it.each([
    ...everyAscii,
    ['plain ascii', 'alpha 12'],
    ['empty', ''],
    ['quote', 'say "cheese"'],
    ['backslash', 'back\\slash'],
    ['newline and tab', 'a\nb\tc\r'],
    ['control char', 'x\u0001y'],
    ['DEL and Latin-1', '\u007f\u0080\u00ff'],
    ['unicode', 'Zoë 日本語 Łukasiewicz'],
    ['emoji', 'party 🎉'],
    ['lone high surrogate', 'x\ud800y'],
    ['lone low surrogate', 'x\udfffy'],
    ['line and paragraph separators', '\u2028 and \u2029'],
    ['html', '<p>a &amp; b</p>'],
    ['long text', 'x'.repeat(10_000)],
  ])('writes %s exactly as JSON.stringify', (_, value) => {
    const writer = new ByteWriter(4);
    writer.jsonString(value);
    expect(writer.toString()).toBe(JSON.stringify(value));
  });

  it('copies slices and grows past a given buffer', () => {
    const writer = new ByteWriter(Buffer.alloc(8));
    const source = Buffer.from('0123456789'.repeat(20));
    writer.ascii('[');
    writer.slice(source, 5, 15);
    writer.slice(source, 0, 100);
    writer.byte(0x5d);
    expect(writer.toString()).toBe(`[${'56789012345'.slice(0, 10)}${source.toString().slice(0, 100)}]`);
    expect(writer.buffer.length).toBeGreaterThanOrEqual(112);
  });

  it('grows for UTF-8 text by exactly what a line needs once its worst case does not fit', () => {
    const writer = new ByteWriter(16);
    writer.ascii('[');
    writer.text('日'.repeat(1_000));
    writer.text('é');
    expect(writer.toString()).toBe(`[${'日'.repeat(1_000)}é`);
    expect(writer.length).toBe(1 + 3_000 + 2);

    const exact = new ByteWriter(16);
    exact.text('é'.repeat(1_000));
    expect(exact.buffer.length).toBe(2_000);
  });

  it('copies long byte runs whole and at their place', () => {
    const writer = new ByteWriter(4);
    const long = Buffer.from(Array.from({ length: 200 }, (_, i) => String.fromCharCode(65 + (i % 26))).join(''));
    writer.ascii('<');
    writer.bytes(long);
    writer.slice(long, 3, 150);
    writer.ascii('>');
    expect(writer.toString()).toBe(`<${long.toString()}${long.toString().slice(3, 150)}>`);
  });

  it('counts its bytes and truncates to a length or to nothing, keeping its grown buffer', () => {
    const writer = new ByteWriter(2);
    writer.text('é😀');
    writer.bytes(Buffer.from('x'.repeat(100)));
    expect(writer.length).toBe(2 + 4 + 100);
    const grown = writer.buffer;

    writer.truncate(6);
    writer.ascii('!');
    expect(writer.toString()).toBe('é😀!');
    writer.truncate();
    writer.ascii('ok');

    expect([writer.length, writer.toString()]).toEqual([2, 'ok']);
    expect(writer.buffer).toBe(grown);
    expect(() => writer.truncate(3)).toThrow('Bad length 3');
    expect(() => writer.truncate(-1)).toThrow('Bad length -1');
  });
});
