import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The engine's layers, lowest first: a module may import its own layer and the layers below it, never one above
 * (hubspot and parquet share a rank and stay apart). sim/ is a layer of its own above lib/hubspot's types and
 * lib/core, which only the CLI (sim and demo commands) imports.
 */
const LAYERS: Record<string, number> = {
  'lib/core': 0,
  'lib/hubspot': 1,
  'lib/parquet': 1,
  'lib/store': 2,
  'lib/schema': 3,
  'lib/sync': 4,
  sim: 5,
  'lib/cli': 6,
};

const ROOT = resolve(__dirname, '../..');

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The relative imports of a file, resolved to repository paths of .ts files (index.ts for a folder). */
function importsOf(file: string): string[] {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const found = [...source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)].map((m) => m[1]);
  return found.map((spec) => {
    const target = relative(ROOT, resolve(ROOT, dirname(file), spec));
    const candidates = [`${target}.ts`, join(target, 'index.ts')];
    return candidates.find((candidate) => sources.has(candidate)) ?? target;
  });
}

const layerOf = (file: string): string | undefined =>
  Object.keys(LAYERS)
    .filter((layer) => file.startsWith(`${layer}/`))
    .sort((a, b) => b.length - a.length)[0];

const sources = new Set([...sourcesUnder('lib'), ...sourcesUnder('sim')]);
const graph = new Map([...sources].map((file) => [file, importsOf(file).filter((target) => sources.has(target))]));

/** Every import cycle among the files (Tarjan's strongly connected components of more than one file). */
function cycles(): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next++);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    for (let member = stack.pop()!; ; member = stack.pop()!) {
      onStack.delete(member);
      component.push(member);
      if (member === file) break;
    }
    if (component.length > 1) found.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

describe('Module graph: layers that import only downward', () => {
  it('reads the imports of every module (the check itself sees the graph)', () => {
    expect(graph.get('lib/sync/finalize.ts')).toContain('lib/sync/dataset.ts');
    expect(graph.size).toBeGreaterThan(100);
  });

  it('has no import cycle in lib/ or sim/', () => {
    expect(cycles()).toEqual([]);
  });

  it('has no module importing a layer above its own, or a sibling layer of its rank', () => {
    const upward = [...graph].flatMap(([file, targets]) => {
      const from = layerOf(file);
      return targets.flatMap((target) => {
        const to = layerOf(target);
        if (!from || !to || from === to) return [];
        return LAYERS[to] < LAYERS[from] ? [] : [`${file} -> ${target}`];
      });
    });
    expect(upward).toEqual([]);
  });

  it('keeps the simulator apart from the engine it checks: lib/core and lib/hubspot/types.ts only', () => {
    const reaching = [...graph]
      .filter(([file]) => file.startsWith('sim/'))
      .flatMap(([file, targets]) => targets.filter((t) => t.startsWith('lib/')).map((t) => `${file} -> ${t}`));
    const allowed = (edge: string) => / -> lib\/(core\/|hubspot\/types\.ts$)/.test(edge);
    expect(reaching.filter((edge) => !allowed(edge))).toEqual([]);
  });
});
