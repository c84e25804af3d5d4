/**
 * Runs one sync through the deployable Lambda packages, as Lambda runs them: plain Node, each function's bundle
 * loaded from its asset folder (its own node_modules, DuckDB's binary included), configured by environment only.
 *   node bundled-run.ts <plan dir> <sync-step dir> <finalize dir> <run input JSON> <result file>
 * Drives plan -> sync-step until done -> finalize as the state machine does, and writes
 * `{plan, results, outcome}` to the result file (stdout is the functions' own JSON logs).
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

type Handler = (event: unknown, context?: unknown) => Promise<Record<string, unknown>>;

async function main(): Promise<void> {
  const [planDir, stepDir, finalizeDir, inputJson, resultFile] = process.argv.slice(2);
  // Node runs this file as an ES module (type stripping), and Lambda loads a CommonJS bundle with require.
  const requireBundle = createRequire(join(planDir, 'index.js'));
  const load = (dir: string) => (requireBundle(join(dir, 'index.js')) as { handler: Handler }).handler;
  const [plan, step, finalize] = [load(planDir), load(stepDir), load(finalizeDir)];
  const context = { getRemainingTimeInMillis: () => 15 * 60_000 };

  const execution = {
    id: 'arn:aws:states:eu-west-1:123456789012:execution:Sync:bundled',
    startTime: new Date().toISOString(),
  };
  const planned = await plan({ input: JSON.parse(inputJson), execution }, context);
  const results = [];
  for (const item of planned.items as unknown[]) {
    let state: Record<string, unknown> = { item, done: false };
    while (!state.done) state = await step({ item: state.item }, context);
    results.push({ object: (item as { object: string }).object, rows: state.rows, failure: state.failure });
  }
  const outcome = await finalize({ runId: planned.runId, results }, context);
  writeFileSync(resultFile, JSON.stringify({ plan: planned, results, outcome }));
}

// Lambda freezes the process after each answer; here the warm runtime's sockets and DuckDB would keep it alive.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
