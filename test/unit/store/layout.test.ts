import { InvalidKeyError } from '../../../lib/store/errors';
import {
  datasetName,
  latestKey,
  manifestKey,
  partKey,
  runPrefix,
  stateKey,
  type TableRef,
} from '../../../lib/store/layout';

const RUN = '20260301T120000Z-abc123';
const DATE = '2026-03-01';

describe('Module: layout', () => {
  it.each<[TableRef, string, string, string]>([
    [
      { kind: 'snapshot', object: 'contacts' },
      `snapshots/contacts/snapshot_date=${DATE}/run_id=${RUN}/part-00000.parquet`,
      'contacts',
      'contacts',
    ],
    [
      { kind: 'changes', object: 'line_items' },
      `changes/line_items/change_date=${DATE}/run_id=${RUN}/part-00000.parquet`,
      'line_items.changes',
      'line_items.changes',
    ],
    [
      { kind: 'associations', from: 'contacts', to: 'companies' },
      `associations/contacts__companies/snapshot_date=${DATE}/run_id=${RUN}/part-00000.parquet`,
      'associations.contacts__companies',
      'associations.contacts__companies',
    ],
    [
      { kind: 'properties' },
      `metadata/properties/snapshot_date=${DATE}/run_id=${RUN}/part-00000.parquet`,
      'metadata.properties',
      'metadata.properties',
    ],
  ])('lays out %j', (table, part, dataset, folder) => {
    expect(partKey(table, DATE, RUN, 0)).toBe(part);
    expect(runPrefix(table, DATE, RUN)).toBe(part.replace('part-00000.parquet', ''));
    expect(datasetName(table)).toBe(dataset);
    expect(manifestKey(table, RUN)).toBe(`_manifests/${folder}/${RUN}.json`);
    expect(latestKey(table)).toBe(`_latest/${folder}.json`);
  });

  it('pads part numbers to five digits', () => {
    expect(partKey({ kind: 'snapshot', object: 'p_custom-1' }, DATE, 'r', 123)).toBe(
      `snapshots/p_custom-1/snapshot_date=${DATE}/run_id=r/part-00123.parquet`,
    );
  });

  it.each(['contacts', 'runs/R/plan', 'contacts.lock'])('builds the state key of %j', (name) => {
    expect(stateKey(name)).toBe(`_state/${name}.json`);
  });

  it.each<[() => unknown, string]>([
    [() => partKey({ kind: 'snapshot', object: '../etc' }, DATE, RUN, 0), 'Bad object name "../etc"'],
    [() => partKey({ kind: 'snapshot', object: 'con tacts' }, DATE, RUN, 0), 'Bad object name "con tacts"'],
    [() => partKey({ kind: 'snapshot', object: '' }, DATE, RUN, 0), 'Bad object name ""'],
    [() => datasetName({ kind: 'associations', from: 'a/b', to: 'c' }), 'Bad association from "a/b"'],
    [() => datasetName({ kind: 'associations', from: 'a', to: 'c.d' }), 'Bad association to "c.d"'],
    [() => partKey({ kind: 'snapshot', object: 'contacts' }, DATE, 'a/b', 0), 'Bad run id "a/b"'],
    [() => manifestKey({ kind: 'snapshot', object: 'contacts' }, '..'), 'Bad run id ".."'],
    [() => partKey({ kind: 'snapshot', object: 'contacts' }, '2026-02-30', RUN, 0), 'Bad date "2026-02-30"'],
    [() => partKey({ kind: 'snapshot', object: 'contacts' }, DATE, RUN, -1), 'Bad part index -1'],
    [() => stateKey('../x'), 'Bad state name "../x"'],
    [() => stateKey(''), 'Bad state name ""'],
  ])('throws InvalidKeyError naming the bad value (%#)', (act, message) => {
    expect(act).toThrow(InvalidKeyError);
    expect(act).toThrow(message);
  });
});
