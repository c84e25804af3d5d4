import * as lib from '../../../lib/hubspot/object-types';
import { CUSTOM_LAST_MODIFIED_PROPERTY, STANDARD_OBJECT_TYPES } from '../../../sim/data/object-catalog';
import { CUSTOM_OBJECTS_SCOPE, OWNERS_SCOPE, SCHEMAS_SCOPE } from '../../../sim/data/scopes';

/**
 * The simulator keeps its own table of HubSpot's object types and scopes so that a mistake in lib's is not repeated
 * on the side that checks it; the two must still agree. The order of scopes is lib's to choose (it asks users for the
 * first), so scopes compare as sets.
 */
interface Row {
  objectTypeId: string;
  lastModifiedProperty: string;
  hasPipelines: boolean;
  scopes: readonly string[];
}

const rowOf = (t: Row | undefined): Row | 'not in this table' =>
  t
    ? {
        objectTypeId: t.objectTypeId,
        lastModifiedProperty: t.lastModifiedProperty,
        hasPipelines: t.hasPipelines,
        scopes: [...t.scopes].sort(),
      }
    : 'not in this table';

const names = [...new Set([...STANDARD_OBJECT_TYPES, ...lib.STANDARD_OBJECT_TYPES].map((t) => t.name))];

describe('Table: the simulator object types and those of lib/hubspot/object-types.ts', () => {
  it.each(names)('agree on %s', (name) => {
    const sim = STANDARD_OBJECT_TYPES.find((t) => t.name === name);
    const engine = lib.STANDARD_OBJECT_TYPES.find((t) => t.name === name) as Row | undefined;
    expect({ name, simulator: rowOf(sim) }).toEqual({ name, simulator: rowOf(engine) });
  });

  it('lists the 22 standard types HubSpot documents, each once', () => {
    expect(STANDARD_OBJECT_TYPES.map((t) => t.name).sort()).toEqual(
      [...new Set(STANDARD_OBJECT_TYPES.map((t) => t.name))].sort(),
    );
    expect(STANDARD_OBJECT_TYPES).toHaveLength(22);
  });

  it.each([
    ['the schemas scope', SCHEMAS_SCOPE, lib.SCHEMAS_SCOPE],
    ['the custom objects scope', CUSTOM_OBJECTS_SCOPE, lib.CUSTOM_OBJECTS_SCOPE],
    ['the owners scope', OWNERS_SCOPE, lib.OWNERS_SCOPE],
    ["custom objects' last-modified property", CUSTOM_LAST_MODIFIED_PROPERTY, lib.CUSTOM_LAST_MODIFIED_PROPERTY],
  ])('agree on %s', (_what, simulator, engine) => {
    expect(simulator).toBe(engine);
  });
});
