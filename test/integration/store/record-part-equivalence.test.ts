/**
 * The simulator's tiny contacts (622 properties, active and archived, with its awkward values) written through
 * the SQL typing path (toSpoolRow -> writeRecordPart) and through the reference (convertRecord ->
 * writeParquetFromNdjson) give identical tables and identical unparsed counts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDb, type DuckDb } from '../../../lib/parquet';
import { buildRecordColumns } from '../../../lib/schema/columns';
import { startSimulator, type Simulator } from '../../../sim';
import { compareTypingPaths } from '../../helpers/typing-paths';

describe('Integration: SQL typing equals convertRecord on simulator contacts', () => {
  let sim: Simulator;
  let db: DuckDb;
  let work: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 7, scale: 'tiny' });
    // The writer's default memory: 631 columns need more than 256 MB either way.
    db = await openDuckDb();
    work = await mkdtemp(join(tmpdir(), 'record-part-eq-'));
  });
  afterAll(async () => {
    await db.close();
    await sim.close();
    await rm(work, { recursive: true, force: true });
  });

  it('writes identical tables and unparsed counts for every contact', async () => {
    const properties = sim.oracle.properties('contacts');
    const records = [...sim.oracle.records('contacts'), ...sim.oracle.records('contacts', { archived: true })];
    const columns = buildRecordColumns(properties);

    const result = await compareTypingPaths(db, work, 'contacts', records, columns, {
      runId: 'eq-run',
      syncedAt: '2026-03-01T12:00:00.000Z',
    });

    expect(properties.length).toBe(623);
    expect(result).toMatchObject({ onlyInReference: 0, onlyInSql: 0, negativeZeros: [0, 0] });
    expect(result.sqlRows).toBe(records.length);
    expect(result.referenceRows).toBe(records.length);
    expect(result.sqlUnparsed).toBe(result.referenceUnparsed);
    expect(result.referenceUnparsed).toBeGreaterThan(0);
    expect(result.sqlSchema).toEqual(result.referenceSchema);
  });
});
