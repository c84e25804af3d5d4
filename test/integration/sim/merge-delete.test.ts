import { startSimulator } from '../../../sim';
import { call, pageAll } from './sim-http';

describe('Simulator: merges, deletions for good and restores', () => {
  it('serves a merge as HubSpot does: the merged record gone from every list, the primary modified', async () => {
    // Prepare
    const sim = await startSimulator({ rateLimit: { maxPerWindow: 100_000 } });
    try {
      const [primary, merged, other] = sim.oracle.ids('deals');
      const before = sim.oracle.record('deals', primary);
      // Act
      const first = await call(`${sim.url}/_sim/merge/deals/${primary}`, undefined, { body: { mergedId: merged } });
      sim.admin.mergeRecords('deals', primary, other);
      // Assess
      expect(first.status).toBe(200);
      const after = sim.oracle.record('deals', primary);
      expect(after?.properties.hs_merged_object_ids).toBe(`${merged};${other}`);
      expect(Date.parse(after?.updatedAt ?? '')).toBeGreaterThan(Date.parse(before?.updatedAt ?? ''));
      const live = await pageAll(sim.url, sim.serviceKey, '/crm/v3/objects/deals?limit=100');
      const archived = await pageAll(sim.url, sim.serviceKey, '/crm/v3/objects/deals?limit=100&archived=true');
      const listed = new Set([...live.records, ...archived.records].map((r) => String(r.id)));
      expect([listed.has(primary), listed.has(merged), listed.has(other)]).toEqual([true, false, false]);
      expect(sim.oracle.ids('deals')).not.toContain(merged);
      expect(sim.oracle.ids('deals', { archived: true })).not.toContain(merged);
    } finally {
      await sim.close();
    }
  });

  it('deletes a record for good (GDPR) and restores an archived one with a new last-modified time', async () => {
    const sim = await startSimulator();
    try {
      const [gone] = sim.oracle.ids('contacts');
      const [archived] = sim.oracle.ids('contacts', { archived: true });
      const wasModified = sim.oracle.record('contacts', archived)?.updatedAt;
      expect((await call(`${sim.url}/_sim/gdpr-delete/contacts/${gone}`, undefined, { body: {} })).status).toBe(204);
      const restored = await call(`${sim.url}/_sim/restore/contacts/${archived}`, undefined, { body: {} });
      expect(restored.status).toBe(200);
      expect(sim.oracle.ids('contacts')).not.toContain(gone);
      expect(sim.oracle.ids('contacts', { archived: true })).not.toContain(gone);
      expect(sim.oracle.ids('contacts')).toContain(archived);
      expect(Date.parse(sim.oracle.record('contacts', archived)?.updatedAt ?? '')).toBeGreaterThan(
        Date.parse(wasModified ?? ''),
      );
      const read = await call(`${sim.url}/crm/v3/objects/contacts/batch/read`, sim.serviceKey, {
        body: { inputs: [{ id: gone }], properties: [], propertiesWithHistory: [] },
      });
      expect(read.status).toBe(207);
      expect((await call(`${sim.url}/_sim/restore/contacts/${gone}`, undefined, { body: {} })).status).toBe(404);
    } finally {
      await sim.close();
    }
  });

  it('builds as many custom properties as asked for a type', async () => {
    const sim = await startSimulator({ customProperties: { contacts: 958 } });
    try {
      const names = sim.oracle.properties('contacts').map((p) => p.name);
      expect(names.filter((n) => n.startsWith('custom_'))).toHaveLength(958);
      expect(new Set(names).size).toBe(names.length);
    } finally {
      await sim.close();
    }
  });
});
