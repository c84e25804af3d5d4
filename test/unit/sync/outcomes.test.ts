import type { Manifest } from '../../../lib/store/manifest';
import { completedOutcome, failedOutcome, NO_COUNTS } from '../../../lib/sync/outcomes';

const MANIFEST: Manifest = {
  runId: '20260301T000000Z-aaaaaa',
  object: 'deals',
  dataset: 'deals.changes',
  mode: 'incremental',
  snapshotDate: '2026-03-01',
  startedAt: '2026-03-01T00:00:00.000Z',
  finishedAt: '2026-03-01T00:05:00.000Z',
  rows: 1200,
  files: 3,
  bytes: 98_765,
  columns: [{ name: 'id', type: 'VARCHAR' }],
  watermark: '2026-03-01T00:00:00.000Z',
  unparsed: 2,
  entries: [],
};

describe('Function: failedOutcome', () => {
  it('reports nothing written, the reason, and the requests spent', () => {
    expect(
      failedOutcome({ object: 'deals', dataset: 'deals.changes', mode: 'incremental' }, 'missing scope x', {
        requests: 7,
        retries: 2,
      }),
    ).toEqual({
      object: 'deals',
      dataset: 'deals.changes',
      status: 'failed',
      mode: 'incremental',
      rows: 0,
      files: 0,
      bytes: 0,
      unparsed: 0,
      requests: 7,
      retries: 2,
      seconds: 0,
      reason: 'missing scope x',
    });
  });

  it('counts nothing by default, and says skipped for an object another run holds', () => {
    const skipped = failedOutcome({ object: 'owners', dataset: 'owners', mode: 'full' }, 'held', NO_COUNTS, 'skipped');

    expect(skipped).toMatchObject({ status: 'skipped', requests: 0, retries: 0, seconds: 0, reason: 'held' });
    expect(failedOutcome({ object: 'owners', dataset: 'owners', mode: 'full' }, 'x')).toMatchObject({
      status: 'failed',
      requests: 0,
      retries: 0,
    });
  });

  it('keeps seconds at 0 even when the counts passed carry some', () => {
    const counts = { requests: 1, retries: 0, seconds: 42 };

    expect(failedOutcome({ object: 'deals', dataset: 'deals', mode: 'full' }, 'x', counts).seconds).toBe(0);
  });
});

describe('Function: completedOutcome', () => {
  it('reports what the manifest says, with the counts and the manifest URL', () => {
    const published = { manifest: MANIFEST, manifestUrl: 's3://lake/_manifests/deals.changes/R.json' };

    expect(completedOutcome(published, { requests: 40, retries: 1, seconds: 300 })).toEqual({
      object: 'deals',
      dataset: 'deals.changes',
      status: 'completed',
      mode: 'incremental',
      rows: 1200,
      files: 3,
      bytes: 98_765,
      unparsed: 2,
      requests: 40,
      retries: 1,
      seconds: 300,
      manifestUrl: 's3://lake/_manifests/deals.changes/R.json',
    });
  });

  it('names the catalog table, or why the catalog refused it, only when there is one', () => {
    const base = { manifest: MANIFEST, manifestUrl: 'u' };

    expect(completedOutcome({ ...base, catalogTable: 'hubspot.deals_changes' })).toMatchObject({
      catalogTable: 'hubspot.deals_changes',
      requests: 0,
      retries: 0,
      seconds: 0,
    });
    expect(completedOutcome({ ...base, catalogError: 'AccessDenied' })).toMatchObject({
      catalogError: 'AccessDenied',
    });
    expect(completedOutcome(base)).not.toHaveProperty('catalogTable');
    expect(completedOutcome(base)).not.toHaveProperty('catalogError');
  });
});
