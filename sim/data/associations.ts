/** Associations between objects (standard ones and a custom one), generated once per pair and indexed both ways (CSR arrays). */
import type { AssociationType } from '../../lib/hubspot/types';
import { hash3, hashString } from './hash';
import type { TypeStore } from './type-store';

interface PairDefinition {
  readonly from: string;
  readonly to: string;
  /** Unlabelled type ids: [from->to, to->from]. */
  readonly typeIds: readonly [number, number];
  /** Category of the unlabelled types; default HUBSPOT_DEFINED. */
  readonly category?: string;
  readonly label?: { readonly typeIds: readonly [number, number]; readonly label: string; readonly category: string };
}

export const ASSOCIATION_PAIRS: readonly PairDefinition[] = [
  {
    from: 'contacts',
    to: 'companies',
    typeIds: [279, 280],
    label: { typeIds: [1, 2], label: 'Primary', category: 'HUBSPOT_DEFINED' },
  },
  {
    from: 'deals',
    to: 'contacts',
    typeIds: [3, 4],
    label: { typeIds: [101, 102], label: 'Decision maker', category: 'USER_DEFINED' },
  },
  {
    from: 'deals',
    to: 'companies',
    typeIds: [341, 342],
    label: { typeIds: [5, 6], label: 'Primary', category: 'HUBSPOT_DEFINED' },
  },
  {
    from: 'tickets',
    to: 'contacts',
    typeIds: [16, 15],
    label: { typeIds: [103, 104], label: 'Requester', category: 'USER_DEFINED' },
  },
  { from: 'deals', to: 'line_items', typeIds: [19, 20] },
  // A custom object: HubSpot gives its association types portal-specific ids (pets -> contacts is the one its
  // schema lists, 2001).
  { from: 'contacts', to: 'pets', typeIds: [2101, 2001], category: 'USER_DEFINED' },
];

/** Records that get more associations than one page holds, so per-input paging happens. */
const MANY_ASSOCIATIONS = { records: 3, count: 25 } as const;

export interface AssociationIndex {
  /** targets[offsets[i] .. offsets[i+1]) are the associated record indexes of record i, ascending. */
  readonly offsets: Uint32Array;
  readonly targets: Uint32Array;
  readonly labelled: Uint8Array;
  readonly unlabelledType: AssociationType;
  readonly labelledType?: AssociationType;
}

/** Builds both directions of one pair. */
export function buildPairIndexes(
  pair: PairDefinition,
  from: TypeStore,
  to: TypeStore,
  seed: number,
): [AssociationIndex, AssociationIndex] {
  const salt = hash3(seed, hashString(pair.from), hashString(pair.to));
  const nFrom = from.baseCount;
  const nTo = to.baseCount;
  const offsets = new Uint32Array(nFrom + 1);
  const targets: number[] = [];
  const labelled: number[] = [];
  let many = 0;
  for (let i = 0; i < nFrom; i++) {
    offsets[i] = targets.length;
    if (from.archived[i] === 1 || nTo === 0) continue;
    const h = hash3(salt, i, 1);
    const isMany = many < MANY_ASSOCIATIONS.records;
    if (isMany) many++;
    const wanted = isMany ? Math.min(MANY_ASSOCIATIONS.count, nTo) : h % 4;
    const chosen = new Set<number>();
    for (let k = 0; chosen.size < wanted && k < wanted * 4; k++) {
      const t = hash3(salt, i, k + 2) % nTo;
      if (to.archived[t] === 0) chosen.add(t);
    }
    for (const t of [...chosen].sort((a, b) => a - b)) {
      targets.push(t);
      labelled.push(pair.label && hash3(salt, i, t) % 5 === 0 ? 1 : 0);
    }
  }
  offsets[nFrom] = targets.length;
  const forward: AssociationIndex = {
    offsets,
    targets: Uint32Array.from(targets),
    labelled: Uint8Array.from(labelled),
    ...typesFor(pair, 0),
  };
  return [forward, invert(forward, nTo, typesFor(pair, 1))];
}

/** The association types an index of one direction carries. */
type IndexTypes = Pick<AssociationIndex, 'unlabelledType' | 'labelledType'>;

function typesFor(pair: PairDefinition, direction: 0 | 1): IndexTypes {
  return {
    unlabelledType: { category: pair.category ?? 'HUBSPOT_DEFINED', typeId: pair.typeIds[direction], label: null },
    labelledType: pair.label
      ? { category: pair.label.category, typeId: pair.label.typeIds[direction], label: pair.label.label }
      : undefined,
  };
}

/** Reverse CSR by counting sort: sources come out ascending because the forward index is walked in order. */
function invert(forward: AssociationIndex, nTo: number, types: IndexTypes): AssociationIndex {
  const counts = new Uint32Array(nTo + 1);
  for (let k = 0; k < forward.targets.length; k++) counts[forward.targets[k] + 1]++;
  for (let t = 0; t < nTo; t++) counts[t + 1] += counts[t];
  const offsets = Uint32Array.from(counts);
  const cursor = Uint32Array.from(counts);
  const targets = new Uint32Array(forward.targets.length);
  const labelled = new Uint8Array(forward.targets.length);
  for (let i = 0; i + 1 < forward.offsets.length; i++) {
    for (let k = forward.offsets[i]; k < forward.offsets[i + 1]; k++) {
      const slot = cursor[forward.targets[k]]++;
      targets[slot] = i;
      labelled[slot] = forward.labelled[k];
    }
  }
  return { offsets, targets, labelled, ...types };
}

/**
 * Both directions of a pair after record `i` (of the forward side) gains the unlabelled association to record `t`
 * (`present`) or loses every association to it. Records created since the index was built get their rows here.
 */
export function changeAssociation(
  [forward, reverse]: readonly [AssociationIndex, AssociationIndex],
  i: number,
  t: number,
  present: boolean,
): [AssociationIndex, AssociationIndex] {
  const rows = Math.max(forward.offsets.length - 1, i + 1);
  const edges: { i: number; t: number; labelled: number }[] = [];
  for (let r = 0; r + 1 < forward.offsets.length; r++) {
    for (let k = forward.offsets[r]; k < forward.offsets[r + 1]; k++) {
      const edge = { i: r, t: forward.targets[k], labelled: forward.labelled[k] };
      if (r !== i || edge.t !== t) edges.push(edge);
      // Already associated: nothing to add.
      else if (present) return [forward, reverse];
    }
  }
  if (present) edges.push({ i, t, labelled: 0 });
  edges.sort((a, b) => a.i - b.i || a.t - b.t);
  const offsets = new Uint32Array(rows + 1);
  for (const edge of edges) offsets[edge.i + 1]++;
  for (let r = 0; r < rows; r++) offsets[r + 1] += offsets[r];
  const changed: AssociationIndex = {
    offsets,
    targets: Uint32Array.from(edges, (e) => e.t),
    labelled: Uint8Array.from(edges, (e) => e.labelled),
    unlabelledType: forward.unlabelledType,
    labelledType: forward.labelledType,
  };
  const nTo = Math.max(reverse.offsets.length - 1, t + 1);
  return [
    changed,
    invert(changed, nTo, { unlabelledType: reverse.unlabelledType, labelledType: reverse.labelledType }),
  ];
}

/** Association types of edge k of an index. */
export function typesOf(index: AssociationIndex, k: number): AssociationType[] {
  return index.labelled[k] === 1 && index.labelledType
    ? [index.labelledType, index.unlabelledType]
    : [index.unlabelledType];
}
