import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PropertyDefinition } from '../../../lib/hubspot/types';
import { LocalTarget } from '../../../lib/store/local-target';
import { readAllDefinitions, storeDefinitions } from '../../../lib/sync/state';

const property = (name: string): PropertyDefinition =>
  ({ name, label: name, type: 'string', fieldType: 'text', groupName: 'g' }) as PropertyDefinition;

describe('Function: storeDefinitions', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'definitions-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('says whether definitions changed, decides once per run, and never goes back to older ones', async () => {
    const target = new LocalTarget(dir);
    const first = { runId: 'run-1', readAt: '2026-03-01T00:00:00.000Z' };
    const second = { runId: 'run-2', readAt: '2026-03-02T00:00:00.000Z' };
    const late = { runId: 'run-0', readAt: '2026-02-28T00:00:00.000Z' };

    expect(await storeDefinitions(target, 'deals', [property('a')], first)).toBe(true);
    // A retried finalize of the same run gets the same answer.
    expect(await storeDefinitions(target, 'deals', [property('a')], first)).toBe(true);
    expect(await storeDefinitions(target, 'deals', [property('a')], second)).toBe(false);
    // A run that read its definitions earlier (a finalize retried late) does not replace newer ones.
    expect(await storeDefinitions(target, 'deals', [property('old')], late)).toBe(false);
    expect(await storeDefinitions(target, 'contacts', [property('b')], second)).toBe(true);

    expect(await readAllDefinitions(target)).toEqual([
      { object: 'contacts', ...second, changedBy: 'run-2', properties: [property('b')] },
      { object: 'deals', ...second, changedBy: 'run-1', properties: [property('a')] },
    ]);
  });
});
