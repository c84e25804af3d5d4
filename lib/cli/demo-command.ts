import path from 'node:path';
import { startSimulator } from '../../sim';
import { staticKeyProvider } from '../hubspot';
import { openDuckDb } from '../parquet';
import { LOCATION_SCHEME } from '../store/location';
import { quote } from '../sync/run-input';
import { invalidOptions } from './option-values';
import { parseRunOptions } from './options';
import { formatTable, writeLine, type CliIo } from './output';
import { exportAndReport } from './run-command';

export interface RawDemoOptions {
  out?: string;
  json?: boolean;
}

/** The sample query the demo prints and runs: contacts by lifecycle stage in the run it just wrote. */
export function sampleQuery(out: string, runId: string): string {
  const glob = path.join(out, 'snapshots', 'contacts', '*', `run_id=${runId}`, '*.parquet').replace(/'/g, "''");
  return [
    'SELECT lifecyclestage, count(*) AS contacts',
    `FROM read_parquet('${glob}')`,
    'WHERE NOT archived',
    'GROUP BY lifecyclestage',
    'ORDER BY contacts DESC',
    'LIMIT 5',
  ].join('\n');
}

/** `hubspot-s3-sync demo`: a full export of the bundled demo portal, its summary and one DuckDB query over it. */
export async function demoCommand(raw: RawDemoOptions, io: CliIo): Promise<number> {
  // The sample query reads the files back from disk, so a folder only; checked before resolving turns s3://x into ./s3:/x.
  if (raw.out !== undefined && LOCATION_SCHEME.test(raw.out)) {
    throw invalidOptions([{ path: ['out'], message: `demo writes to a local folder, not ${quote(raw.out)}` }]);
  }
  const out = path.resolve(raw.out ?? 'hubspot-data');
  const options = parseRunOptions({ out, mode: 'full', objects: 'all', json: raw.json });
  writeLine(io.stderr, 'starting the HubSpot simulator with the demo portal ...');
  const sim = await startSimulator({ scale: 'demo' });
  try {
    writeLine(io.stderr, `simulator at ${sim.url}; exporting every object to ${out}`);
    const { code, result } = await exportAndReport(
      { ...options, hubspotUrl: sim.url },
      staticKeyProvider(sim.serviceKey, 'the demo simulator'),
      io,
    );
    const contacts = result?.outcomes.find((o) => o.dataset === 'contacts' && o.status === 'completed');
    if (result && contacts && !options.json) {
      const sql = sampleQuery(out, result.runId);
      const db = await openDuckDb();
      try {
        const rows = await db.query<{ lifecyclestage: string | null; contacts: bigint | number }>(sql);
        writeLine(io.stdout, `\nQuery the export with DuckDB (duckdb -c "..."):\n\n${sql};\n`);
        writeLine(
          io.stdout,
          formatTable(
            ['lifecyclestage', 'contacts'],
            rows.map((r) => [r.lifecyclestage ?? '(null)', Number(r.contacts)]),
          ),
        );
      } finally {
        await db.close();
      }
    }
    return code;
  } finally {
    await sim.close();
  }
}
