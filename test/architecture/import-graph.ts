/**
 * The import graph of agekit's own folders, read with the TypeScript compiler's pre-processor
 * (static imports, re-exports, dynamic import() and type-only imports alike).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import ts from 'typescript';

/** The layers, lowest first: a folder may import its own layer and the ones before it. */
export const LAYERS = ['core', 'device', 'host', 'calibration', 'converters', 'cli'] as const;
export type Layer = typeof LAYERS[number];

export interface ImportEdge { from: string; to: string; fromLayer: Layer; toLayer: Layer }

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

function layerOf(path: string): Layer | undefined {
  const top = path.split(sep)[0];
  return (LAYERS as readonly string[]).includes(top) ? top as Layer : undefined;
}

/** Every import between files of the layers, as paths relative to `root`. */
export function readImportEdges(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const layer of LAYERS) {
    for (const file of sourceFiles(join(root, layer))) {
      const from = relative(root, file);
      const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      for (const { fileName } of info.importedFiles) {
        if (!fileName.startsWith('.')) continue;
        const to = normalize(join(dirname(from), fileName));
        const toLayer = layerOf(to);
        if (toLayer) edges.push({ from, to, fromLayer: layer, toLayer });
      }
    }
  }
  return edges;
}

/** Imports that go up a layer (`from` in a lower layer than `to`). */
export function upwardImports(edges: ImportEdge[]): ImportEdge[] {
  return edges.filter((e) => LAYERS.indexOf(e.toLayer) > LAYERS.indexOf(e.fromLayer));
}

/** Cycles between layers: each a list of layers, the first repeated at the end. */
export function layerCycles(edges: ImportEdge[]): Layer[][] {
  const next = new Map<Layer, Set<Layer>>();
  for (const e of edges) if (e.fromLayer !== e.toLayer) (next.get(e.fromLayer) ?? next.set(e.fromLayer, new Set()).get(e.fromLayer)!).add(e.toLayer);
  const cycles: Layer[][] = [];
  const walk = (path: Layer[]) => {
    for (const n of next.get(path[path.length - 1]) ?? []) {
      if (n === path[0]) cycles.push([...path, n]);
      else if (!path.includes(n) && LAYERS.indexOf(n) > LAYERS.indexOf(path[0])) walk([...path, n]);
    }
  };
  for (const l of LAYERS) walk([l]);
  return cycles;
}
