/**
 * Pass: drop identity ops (linear activations, inference-time no-ops) and ops whose results no
 * one reads, so the file holds only what computes the outputs.
 *
 * @example
 * const g2 = removeIdentities(g);
 */
import { cloneGraph, consumers, type Graph } from '../ir/graph.ts';

export function removeIdentities(input: Graph): Graph {
  const g = cloneGraph(input);
  for (let i = g.ops.length - 1; i >= 0; i--) {
    const op = g.ops[i];
    if (op.kind !== 'identity') continue;
    const [x] = op.inputs, [y] = op.outputs;
    if (g.outputs.includes(y) && g.inputs.includes(x)) continue;
    // Keep the output's name on the surviving tensor when it is a graph output.
    if (g.outputs.includes(y)) g.tensors[x] = { ...g.tensors[x], name: g.tensors[y].name };
    for (const o of g.ops) o.inputs = o.inputs.map((t) => (t === y ? x : t));
    g.outputs = g.outputs.map((t) => (t === y ? x : t));
    g.ops.splice(i, 1);
  }
  // Dead ops: walk backwards, keep an op only if something live reads one of its outputs.
  let changed = true;
  while (changed) {
    changed = false;
    const uses = consumers(g);
    for (let i = g.ops.length - 1; i >= 0; i--) {
      const live = g.ops[i].outputs.some((t) => uses[t].length > 0 || g.outputs.includes(t));
      if (!live) { g.ops.splice(i, 1); changed = true; }
    }
  }
  return g;
}
