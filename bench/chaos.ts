/**
 * The chaos matrix: each scenario a full or incremental run through the engine (the CLI's local driver, the
 * deployed state machine for the Lambda ones, the CLI in a process for the ones that kill it) against the simulator
 * over HTTP, with s3rver as S3, compared with the oracle afterwards.
 *
 *   npm run chaos [-- --only "429,sigkill"]   (scenarios whose names hold any of these)
 *
 * One line per scenario: records expected / exported / lost / duplicated, requests wasted (beyond a clean pass
 * over the same portal through the same driver), passed. The last line is
 * `RESULT {"scenarios":…,"passed":…,"lost":…,"duplicated":…,"wastedRequests":…}`.
 */
import './chaos/quiet';
import { formatResult, summarize } from './chaos/report';
import { runScenario, Baselines, type ScenarioResult } from './chaos/scenario';
import { SCENARIOS, scenariosMatching } from './chaos/scenarios';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);

async function main(): Promise<void> {
  const only = args.get('only');
  const scenarios = only ? scenariosMatching(only.split(',')) : SCENARIOS;
  const baselines = new Baselines();
  const started = Date.now();
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    const result = await runScenario(scenario, baselines);
    results.push(result);
    process.stdout.write(`${formatResult(result)}\n`);
  }
  const summary = summarize(results);
  process.stdout.write(`matrix took ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  process.stdout.write(`RESULT ${JSON.stringify(summary)}\n`);
  // A hung scenario may leave requests pending for ever: end here.
  process.exit(summary.passed === summary.scenarios ? 0 : 1);
}

void main();
