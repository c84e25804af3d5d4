import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ByteSink } from '../../../lib/core/byte-writer';
import { NdjsonSpool, SPOOL_BUFFER_BYTES } from '../../../lib/parquet/spool';

describe('Class: NdjsonSpool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spool-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one JSON line per row and counts rows and bytes when many chunks are flushed', async () => {
    const spool = await NdjsonSpool.create(join(dir, 'nested', 'a.ndjson'));
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ i, text: `row ${i} é😀\n"` }));
    for (const row of rows) await spool.append(row);
    await spool.close();

    const text = await readFile(spool.path, 'utf8');
    expect(
      text
        .split('\n')
        .slice(0, -1)
        .map((line) => JSON.parse(line)),
    ).toEqual(rows);
    expect(spool.rows).toBe(20_000);
    expect(spool.bytes).toBe((await stat(spool.path)).size);
  });

  it('writes lines longer than its buffer whole and in order between short ones', async () => {
    const spool = await NdjsonSpool.create(join(dir, 'long.ndjson'));
    const long = 'é'.repeat(SPOOL_BUFFER_BYTES);
    const rows = [{ i: 0 }, { i: 1, long }, { i: 2 }, { i: 3, long: `${long}😀` }];
    for (const row of rows) await spool.append(row);
    await spool.close();

    const lines = (await readFile(spool.path, 'utf8')).split('\n');
    expect(lines.slice(0, -1).map((line) => JSON.parse(line))).toEqual(rows);
    expect(spool.bytes).toBe((await stat(spool.path)).size);
  });

  it('appends a batch of items through a line writer, across buffer writes, after single rows', async () => {
    const spool = await NdjsonSpool.create(join(dir, 'batch.ndjson'));
    const items = Array.from({ length: 30_000 }, (_, i) => ({ i, text: `item ${i} ü` }));
    await spool.append({ first: true });
    await spool.appendAll(items, (item, out) => out.text(JSON.stringify(item)));
    await spool.appendAll([], () => {
      throw new Error('never called');
    });
    await spool.close();

    const lines = (await readFile(spool.path, 'utf8')).split('\n').slice(0, -1);
    expect(lines.map((line) => JSON.parse(line))).toEqual([{ first: true }, ...items]);
    expect(spool.rows).toBe(30_001);
    expect(spool.bytes).toBe((await stat(spool.path)).size);
  });

  it('leaves nothing of a line whose writer threw, and goes on appending after it', async () => {
    const spool = await NdjsonSpool.create(join(dir, 'throw.ndjson'));
    const items = [{ i: 0 }, { i: 1, bad: true }, { i: 2 }];
    const write = (item: { i: number; bad?: boolean }, out: ByteSink) => {
      out.ascii(`{"i":${item.i}`);
      if (item.bad) throw new Error(`item ${item.i} cannot be written`);
      out.ascii('}');
    };

    await expect(spool.appendAll(items, write)).rejects.toThrow('item 1 cannot be written');
    await spool.appendAll([{ i: 3 }], write);
    await spool.close();

    expect(await readFile(spool.path, 'utf8')).toBe('{"i":0}\n{"i":3}\n');
    expect(spool.rows).toBe(2);
  });

  it('creates an empty file when nothing is appended and closes twice safely', async () => {
    const spool = await NdjsonSpool.create(join(dir, 'empty.ndjson'));
    await spool.close();
    await spool.close();
    expect(await readFile(spool.path, 'utf8')).toBe('');
    expect([spool.rows, spool.bytes]).toEqual([0, 0]);
  });

  it('keeps a failed write: every later append and close rethrows it, and the file is closed', async () => {
    // Writes to /dev/full fail with ENOSPC.
    const spool = await NdjsonSpool.create('/dev/full');
    const big = 'x'.repeat(SPOOL_BUFFER_BYTES);

    await spool.append({ small: 0 });
    await expect(spool.append({ big })).rejects.toThrow(/ENOSPC/);
    await expect(spool.append({ small: 1 })).rejects.toThrow(/ENOSPC/);
    await expect(spool.close()).rejects.toThrow(/ENOSPC/);
    await expect(spool.close()).rejects.toThrow(/ENOSPC/);
    expect([spool.rows, spool.bytes]).toEqual([1, 0]);
  });

  it('refuses an append or close while an earlier append is still writing', async () => {
    const spool = await NdjsonSpool.create(join(dir, 'overlap.ndjson'));
    const rows = Array.from({ length: 2_000 }, (_, i) => ({ i, text: 'y'.repeat(1_000) }));

    const first = spool.appendAll(rows, (row, out) => out.text(JSON.stringify(row)));
    await expect(spool.append({ late: true })).rejects.toThrow('is busy');
    await expect(spool.close()).rejects.toThrow('is busy');
    await first;
    await spool.close();

    const lines = (await readFile(spool.path, 'utf8')).split('\n').slice(0, -1);
    expect(lines).toHaveLength(2_000);
  });

  it('refuses appends after close', async () => {
    const spool = await NdjsonSpool.create(join(dir, 'closed.ndjson'));
    await spool.close();
    await expect(spool.append({ a: 1 })).rejects.toThrow('is closed');
  });
});
