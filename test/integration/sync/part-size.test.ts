import { fetchPublished, parquetList, startHarness, type Harness } from '../../helpers/sync-harness';

/** Rows of each part, largest first. */
async function partRows(h: Harness, files: string[]): Promise<number[]> {
  const rows = await h.db.query<{ n: number }>(
    `SELECT count(*)::INTEGER AS n FROM read_parquet(${parquetList(files)}, filename = true) GROUP BY filename ORDER BY n DESC`,
  );
  return rows.map((r) => Number(r.n));
}

describe('Sync engine: parts sized by cells, so wide objects get shorter parts', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('cuts a wide object into parts of at most partCells cells, where partRows alone would cut them at 1,000 rows', async () => {
    // Prepare: a cell budget of 250 rows of contacts' columns, and 1,000-row parts otherwise.
    h = await startHarness({ sim: { scale: 1_500 }, deps: { settings: { partRows: 1_000 } } });
    const probe = await h.run({ mode: 'full', objects: ['contacts'] });
    expect(probe.outcomes.every((o) => o.status === 'completed')).toBe(true);
    const first = await fetchPublished(h, { kind: 'snapshot', object: 'contacts' });
    const firstParts = await partRows(h, first.files);
    await h.close();
    h = await startHarness({
      sim: { scale: 1_500 },
      deps: { settings: { partRows: 1_000, partCells: first.manifest.columns.length * 250 } },
    });

    // Act
    await h.run({ mode: 'full', objects: ['contacts'] });

    // Assess: a part closes at the first page boundary past 250 rows (a page holds up to a few hundred records of
    // id ranges read side by side), so none nears the 1,000 rows of the first run's parts.
    const contacts = await fetchPublished(h, { kind: 'snapshot', object: 'contacts' });
    const parts = await partRows(h, contacts.files);
    expect(contacts.manifest.rows).toBeGreaterThan(1_000);
    expect(Math.max(...parts)).toBeLessThanOrEqual(500);
    expect(parts.filter((n) => n < 250).length).toBeLessThanOrEqual(2);
    expect(parts.length).toBeGreaterThanOrEqual(Math.ceil(contacts.manifest.rows / 500));
    expect(parts.reduce((a, b) => a + b, 0)).toBe(contacts.manifest.rows);
    expect(Math.max(...firstParts)).toBeGreaterThanOrEqual(1_000);
  });
});
