/**
 * The import graph of the product and its tools: no file reaches itself through imports (type
 * imports included), and imports run only in the allowed directions:
 *   renderer <-> models     never (the renderer talks to main through preload; tensors stay in the engine)
 *   models -> preload, main never (models/ is host-independent; shared constants live in shared/)
 *   product -> tools/       never (benchmarks and research entry points are not part of the product)
 *   shared -> anything      never (shared/ is the bottom layer)
 * and inside models/ the layers go down only:
 *   shared -> core, nn, backend -> data, face, image -> recipes, stages -> registry -> training, eval
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..');
const AREAS = ['main', 'models', 'preload', 'renderer', 'shared', 'tools'];
const EXTENSIONS = ['', '.ts', '.tsx', '/index.ts'];

function sources(dir: string): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** file (repo-relative) -> the repo files it imports (static, dynamic and type imports). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = AREAS.flatMap((a) => sources(join(ROOT, a)));
  const known = new Set(files);
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets: string[] = [];
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const base = resolve(dirname(file), ref.fileName);
      const hit = EXTENSIONS.map((e) => base + e).find((c) => known.has(c));
      if (hit) targets.push(relative(ROOT, hit));
    }
    graph.set(relative(ROOT, file), targets);
  }
  return graph;
}

/** Every strongly connected group of more than one file, or a file importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

/** The layer of a models/ file; a file may import its own layer and the ones below. */
const MODEL_LAYERS: Array<[RegExp, number]> = [
  [/^shared\//, 0],
  [/^models\/(core|nn|backend)\//, 1],
  [/^models\/(data|face|image)\//, 2],
  // Stages sit beside the recipes: the texture stage is measured with the prototype's means, and
  // a prototype folder stores its texture stage.
  [/^models\/(recipes|stages)\//, 3],
  [/^models\/registry\.ts$/, 4],
  [/^models\/(training|eval)\//, 5],
];
const layerOf = (f: string): number | undefined => MODEL_LAYERS.find(([re]) => re.test(f))?.[1];

/** [from, to, why]: an import from a file matching `from` to one matching `to` is an error. */
const FORBIDDEN: Array<[RegExp, RegExp, string]> = [
  [/^renderer\//, /^models\//, 'the renderer never runs tensor code'],
  [/^models\//, /^renderer\//, 'models/ never imports UI code'],
  [/^models\//, /^(main|preload)\//, 'models/ is host-independent (constants it shares with main live in shared/)'],
  [/^(main|models|preload|renderer|shared)\//, /^tools\//, 'product code never imports a benchmark or research tool'],
  [/^shared\//, /^(main|models|preload|renderer)\//, 'shared/ is the bottom layer'],
];

describe('import graph', () => {
  const graph = importGraph();

  it('reads the source tree', () => {
    expect(graph.size).toBeGreaterThan(300);
    expect(graph.get('models/registry.ts')?.length).toBeGreaterThan(0);
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('keeps the direction between the top-level folders', () => {
    const wrong: string[] = [];
    for (const [from, tos] of graph) {
      for (const to of tos) {
        for (const [a, b, why] of FORBIDDEN) if (a.test(from) && b.test(to)) wrong.push(`${from} -> ${to}: ${why}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps the layers of models/ going down', () => {
    const wrong: string[] = [];
    for (const [from, tos] of graph) {
      const lf = layerOf(from);
      if (lf === undefined) continue;
      for (const to of tos) {
        const lt = layerOf(to);
        if (lt !== undefined && lt > lf) wrong.push(`${from} (layer ${lf}) -> ${to} (layer ${lt})`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
