/**
 * One process's compare-and-swap on a LocalTarget, for tests racing processes:
 *   tsx swap-child.ts <folder> <key> <tag> <body> <startAtEpochMs>
 * Waits until startAtEpochMs (so the racers start together), swaps, and prints `swapped` or `changed`.
 */
import { ObjectChangedError } from '../../lib/store/errors';
import { LocalTarget } from '../../lib/store/local-target';

async function main(): Promise<void> {
  const [folder, key, tag, body, startAt] = process.argv.slice(2);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
  try {
    await new LocalTarget(folder).putObject(key, body, { ifMatch: tag });
    process.stdout.write('swapped\n');
  } catch (error) {
    if (!(error instanceof ObjectChangedError)) throw error;
    process.stdout.write('changed\n');
  }
}

void main();
