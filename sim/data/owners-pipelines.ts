/** Owners and pipelines: small, fully materialised lists. */
import type { Pipeline } from '../../lib/hubspot/types';
import type { SimOwner } from '../types';
import { DATA_START_MS } from '../settings';
import { hash3 } from './hash';
import { OPTION_SETS } from './property-kinds';

const FIRST = ['Ava', 'Ben', 'Chloé', 'Dmitri', 'Elif', 'Femi', 'Gus', 'Hana'];
const LAST = ['Ng', 'Ortiz', 'Park', 'Quinn', 'Rossi', 'Singh', 'Tanaka'];

/** Generates `count` owners (every 9th archived, every 5th a queue), ascending numeric id. */
export function generateOwners(seed: number, count: number): SimOwner[] {
  const owners: SimOwner[] = [];
  let id = 70_000_000;
  for (let k = 0; k < count; k++) {
    const h = hash3(seed, k, 0x0e);
    id += 1 + (h % 50);
    const first = FIRST[h % FIRST.length];
    const last = LAST[(h >>> 8) % LAST.length];
    const at = new Date(DATA_START_MS + k * 86_400_000).toISOString();
    owners.push({
      id: String(id),
      email: `${first
        .toLowerCase()
        .normalize('NFD')
        .replace(/[^a-z]/g, '')}.${last.toLowerCase()}${k}@example.com`,
      firstName: first,
      lastName: last,
      userId: 9_000_000 + k,
      type: k % 5 === 2 ? 'QUEUE' : 'PERSON',
      createdAt: at,
      updatedAt: at,
      archived: k % 9 === 8,
      teams: k % 3 === 0 ? [{ id: String(100 + (k % 2)), name: k % 2 ? 'EMEA' : 'Americas', primary: true }] : [],
    });
  }
  return owners;
}

const PIPELINE_TABLE: Record<string, readonly { id: string; label: string; stages: readonly string[] }[]> = {
  deals: [
    { id: OPTION_SETS.dealPipeline[0], label: 'Sales Pipeline', stages: OPTION_SETS.dealStage },
    { id: OPTION_SETS.dealPipeline[1], label: 'Enterprise', stages: ['ent_discovery', 'ent_proposal', 'ent_closed'] },
  ],
  tickets: [
    { id: OPTION_SETS.ticketPipeline[0], label: 'Support Pipeline', stages: OPTION_SETS.ticketStage },
    { id: OPTION_SETS.ticketPipeline[1], label: 'Escalations', stages: ['101', '102'] },
  ],
};

/** Pipelines of a type that has them (deals, tickets), else an empty list. */
export function generatePipelines(typeName: string): Pipeline[] {
  const at = new Date(DATA_START_MS).toISOString();
  return (PIPELINE_TABLE[typeName] ?? []).map((p, order) => ({
    id: p.id,
    label: p.label,
    displayOrder: order,
    createdAt: at,
    updatedAt: at,
    archived: false,
    stages: p.stages.map((stage, index) => ({
      id: stage,
      label: stage.replace(/_/g, ' '),
      displayOrder: index,
      metadata: (typeName === 'deals'
        ? { isClosed: String(/closed/.test(stage)), probability: String(Math.min(1, index / 5)) }
        : { ticketState: index === p.stages.length - 1 ? 'CLOSED' : 'OPEN' }) as Record<string, string>,
      createdAt: at,
      updatedAt: at,
      archived: false,
    })),
  }));
}
