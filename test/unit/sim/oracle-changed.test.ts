import { startSimulator, type Simulator } from '../../../sim';

describe('Simulator oracle: changed(type, window)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 4, scale: 'tiny' });
  });
  afterAll(() => sim.close());

  it('holds exactly the records modified or archived in the window, live by last-modified, archived by archivedAt', async () => {
    const [updated, archived, untouched] = sim.oracle.records('contacts');
    const from = Date.now();
    sim.admin.updateRecord('contacts', updated.id, { firstname: 'In the window' });
    sim.admin.archiveRecord('contacts', archived.id);
    const created = sim.admin.createRecord('contacts', { firstname: 'New' });
    const to = Date.now() + 1_000;

    const changed = sim.oracle.changed('contacts', { from, to });

    expect(changed.map((r) => [r.id, r.archived, r.properties.firstname])).toEqual(
      [
        [updated.id, false, 'In the window'],
        [archived.id, true, archived.properties.firstname],
        [created.id, false, 'New'],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    expect(changed.some((r) => r.id === untouched.id)).toBe(false);
    expect(sim.oracle.changed('contacts', { from: to + 1, to: to + 2 })).toEqual([]);
  });
});
