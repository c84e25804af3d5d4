import { executionRunId, makeRunId, snapshotDateOf } from '../../../lib/sync/run-id';

describe('Function: makeRunId', () => {
  it('stamps the UTC start to the second, then 24 random bits in hex', () => {
    const runId = makeRunId(new Date('2026-11-29T08:45:12.987Z'), () => Buffer.from([0x3f, 0x9a, 0x1c]));

    expect(runId).toBe('20261129T084512Z-3f9a1c');
  });

  it('sorts by start time', () => {
    const random = () => Buffer.from([0xff, 0xff, 0xff]);
    const earlier = makeRunId(new Date('2026-11-29T08:45:12Z'), random);
    const later = makeRunId(new Date('2026-11-29T08:45:13Z'), () => Buffer.from([0, 0, 0]));

    expect([later, earlier].sort()).toEqual([earlier, later]);
  });
});

describe('Function: executionRunId', () => {
  it('takes its 24 bits from the execution id’s hash', () => {
    const at = new Date('2026-11-29T08:45:12.345Z');

    expect(executionRunId('a', at)).toBe('20261129T084512Z-ca9781');
  });
});

describe('Function: snapshotDateOf', () => {
  it('files a run under its UTC date', () => {
    expect(snapshotDateOf(new Date('2026-03-01T23:30:00-02:00'))).toBe('2026-03-02');
  });
});
