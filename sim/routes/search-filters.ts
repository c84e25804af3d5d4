/**
 * Compiles search filterGroups into a predicate over record indexes (numeric comparison for numbers and times),
 * reading records as search sees them (SearchSource: with the search lag, some as they were before a write).
 */
import type { PropertyValue } from '../../lib/hubspot/types';
import type { SearchSource } from '../data/search-index';
import { LIMITS } from '../settings';

export interface SearchFilter {
  propertyName?: unknown;
  operator?: unknown;
  value?: unknown;
  values?: unknown;
  highValue?: unknown;
}

export type IndexPredicate = (i: number) => boolean;

const OPERATORS = [
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
] as const;

/** Parses a number, an epoch-ms string or an ISO date/time; NaN when none fits. */
export function parseNumeric(value: string | null): number {
  if (value === null || value.trim() === '') return NaN;
  const n = Number(value);
  if (Number.isFinite(n)) return n;
  return /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
}

/** Reader of property `p` as search sees it. */
export function valueReader({ store, stale }: SearchSource, p: number): (i: number) => PropertyValue {
  if (!stale) return (i) => store.value(i, p);
  return (i) => {
    const state = stale.get(i);
    return state ? store.valueIn(state, i, p) : store.value(i, p);
  };
}

/** Numeric reader for property `p`, with typed-array fast paths for id and times. */
export function numericReader(source: SearchSource, p: number): (i: number) => number {
  const { store, stale } = source;
  const name = store.properties.list[p].def.name;
  if (name === 'hs_object_id') return (i) => store.ids[i];
  if (name === store.type.lastModifiedProperty) {
    if (stale) return (i) => stale.get(i)?.updatedAt ?? store.updatedAt[i];
    return (i) => store.updatedAt[i];
  }
  if (name === 'createdate') return (i) => store.createdAtOf(i);
  const read = valueReader(source, p);
  return (i) => parseNumeric(read(i));
}

/** A predicate, or an error message for a 400. */
export function compileFilterGroups(source: SearchSource, groups: unknown): IndexPredicate | string {
  if (groups === undefined) return () => true;
  if (!Array.isArray(groups)) return 'filterGroups must be an array';
  if (groups.length > LIMITS.searchMaxGroups) return `at most ${LIMITS.searchMaxGroups} filterGroups are allowed`;
  let total = 0;
  const compiled: IndexPredicate[][] = [];
  for (const group of groups as { filters?: unknown }[]) {
    const filters = group?.filters;
    if (!Array.isArray(filters)) return 'each filterGroup needs a filters array';
    if (filters.length > LIMITS.searchMaxFiltersPerGroup) {
      return `at most ${LIMITS.searchMaxFiltersPerGroup} filters are allowed in one filterGroup`;
    }
    total += filters.length;
    if (total > LIMITS.searchMaxFilters) return `at most ${LIMITS.searchMaxFilters} filters are allowed in all`;
    const predicates: IndexPredicate[] = [];
    for (const filter of filters as SearchFilter[]) {
      const predicate = compileFilter(source, filter);
      if (typeof predicate === 'string') return predicate;
      predicates.push(predicate);
    }
    compiled.push(predicates);
  }
  if (compiled.length === 0) return () => true;
  return (i) => compiled.some((group) => group.every((test) => test(i)));
}

function compileFilter(source: SearchSource, filter: SearchFilter): IndexPredicate | string {
  const { store } = source;
  const name = String(filter?.propertyName ?? '');
  const p = store.properties.byName.get(name);
  if (p === undefined) return `Property ${name} does not exist on ${store.type.name}`;
  const operator = String(filter.operator ?? '') as (typeof OPERATORS)[number];
  if (!OPERATORS.includes(operator)) return `Unknown operator ${operator}`;
  const raw = valueReader(source, p);
  if (operator === 'HAS_PROPERTY') return (i) => hasValue(raw(i));
  if (operator === 'NOT_HAS_PROPERTY') return (i) => !hasValue(raw(i));
  if (operator === 'IN' || operator === 'NOT_IN') {
    if (!Array.isArray(filter.values)) return `${operator} needs values`;
    const wanted = new Set(filter.values.map((v) => String(v).toLowerCase()));
    const numericWanted = new Set(filter.values.map((v) => parseNumeric(String(v))));
    const numeric = store.properties.list[p].numeric;
    const read = numericReader(source, p);
    const test = numeric
      ? (i: number) => numericWanted.has(read(i))
      : (i: number) => wanted.has(raw(i)?.toLowerCase() ?? '\0');
    return operator === 'IN' ? test : (i) => !test(i);
  }
  if (filter.value === undefined || filter.value === null) return `${operator} needs a value`;
  const value = String(filter.value);
  if (operator === 'CONTAINS_TOKEN' || operator === 'NOT_CONTAINS_TOKEN') {
    const token = value.replace(/\*/g, '').toLowerCase();
    const test = (i: number) => (raw(i) ?? '').toLowerCase().includes(token);
    return operator === 'CONTAINS_TOKEN' ? test : (i) => !test(i);
  }
  if (store.properties.list[p].numeric) return compileNumeric(operator, numericReader(source, p), filter, value);
  return compileText(operator, raw, filter, value);
}

function compileNumeric(
  operator: string,
  read: (i: number) => number,
  filter: SearchFilter,
  value: string,
): IndexPredicate | string {
  const v = parseNumeric(value);
  if (Number.isNaN(v)) return `${value} is not a valid number or date`;
  switch (operator) {
    case 'EQ':
      return (i) => read(i) === v;
    case 'NEQ':
      return (i) => read(i) !== v;
    case 'LT':
      return (i) => read(i) < v;
    case 'LTE':
      return (i) => read(i) <= v;
    case 'GT':
      return (i) => read(i) > v;
    case 'GTE':
      return (i) => read(i) >= v;
    default: {
      const high = parseNumeric(filter.highValue === undefined ? null : String(filter.highValue));
      if (Number.isNaN(high)) return 'BETWEEN needs a highValue';
      return (i) => {
        const x = read(i);
        return x >= v && x <= high;
      };
    }
  }
}

function compileText(
  operator: string,
  raw: (i: number) => string | null,
  filter: SearchFilter,
  value: string,
): IndexPredicate | string {
  const v = value.toLowerCase();
  const read = (i: number) => raw(i)?.toLowerCase();
  switch (operator) {
    case 'EQ':
      return (i) => read(i) === v;
    case 'NEQ':
      return (i) => read(i) !== v;
    case 'LT':
      return (i) => (read(i) ?? '\uffff') < v;
    case 'LTE':
      return (i) => (read(i) ?? '\uffff') <= v;
    case 'GT':
      return (i) => (read(i) ?? '') > v;
    case 'GTE':
      return (i) => (read(i) ?? '') >= v;
    default: {
      if (filter.highValue === undefined) return 'BETWEEN needs a highValue';
      const high = String(filter.highValue).toLowerCase();
      return (i) => {
        const x = read(i);
        return x !== undefined && x >= v && x <= high;
      };
    }
  }
}

function hasValue(value: string | null): boolean {
  return value !== null && value !== '';
}
