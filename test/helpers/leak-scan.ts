/**
 * Looks for clear values in what a run wrote: every byte of every file (spools and local Parquet parts copied just
 * before the engine removes them, the output folder or bucket, what is left in the scratch folder), and each Parquet
 * file's decoded rows too, since its pages are compressed and a value need not show in the raw bytes.
 */
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DuckDb } from '../../lib/parquet';

/** Every file under `dir`, recursively (none when it does not exist). */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((entry) =>
      entry.isDirectory() ? filesUnder(join(dir, entry.name)) : Promise.resolve([join(dir, entry.name)]),
    ),
  );
  return nested.flat();
}

/** Copies of the scratch files a run removes, kept in `dir`: pass `hook` as SyncHooks.beforeScratchRemoved. */
export function keepScratch(dir: string): { hook: (path: string) => Promise<void>; files: () => string[] } {
  const kept: string[] = [];
  return {
    async hook(path) {
      await mkdir(dir, { recursive: true });
      const copy = join(dir, `${kept.length}-${basename(path)}`);
      await copyFile(path, copy);
      kept.push(copy);
    },
    files: () => [...kept],
  };
}

const PARQUET_MAGIC = Buffer.from('PAR1');

/** The text a file holds: its bytes, and for a Parquet file every row as JSON as well. */
async function textsOf(db: DuckDb, file: string): Promise<string[]> {
  const bytes = await readFile(file);
  const texts = [bytes.toString('latin1'), bytes.toString('utf8')];
  // A Parquet file the run removed before finishing it (a step stopped mid-part) has no footer to decode by:
  // its bytes are all there is.
  if (bytes.subarray(0, 4).equals(PARQUET_MAGIC) && bytes.subarray(-4).equals(PARQUET_MAGIC)) {
    const rows = await db.query<{ row: string }>(
      `SELECT to_json(t)::VARCHAR AS row FROM read_parquet('${file.replace(/'/g, "''")}') t`,
    );
    texts.push(rows.map((r) => r.row).join('\n'));
  }
  return texts;
}

/** The files (of `files`) in which `pattern` occurs, raw or decoded. */
export async function filesHolding(db: DuckDb, files: readonly string[], pattern: RegExp): Promise<string[]> {
  const found: string[] = [];
  for (const file of files) {
    if ((await textsOf(db, file)).some((text) => pattern.test(text))) found.push(file);
  }
  return found;
}
