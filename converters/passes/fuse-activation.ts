/**
 * Pass: fuse ReLU and ReLU6 into the op that produces their input (conv, depthwise, dense, add,
 * mul, sub, concat, pooling), as TFLite's fused_activation_function, after rewriting the clip
 * spellings of graph models (Relu -> Minimum(6) -> Maximum(0)) into plain RELU6.
 *
 * @example
 * const g2 = fuseActivation(foldBatchNorm(g));
 */
import { cloneGraph, rewire, rewriteUntilStable, singleUse, type Graph, type IrOp } from '../ir/graph.ts';

const FUSIBLE = new Set<IrOp['kind']>(['conv2d', 'depthwiseConv2d', 'fullyConnected', 'add', 'mul', 'sub', 'concat', 'maxPool2d', 'avgPool2d']);

function scalarConst(g: Graph, t: number): number | undefined {
  const d = g.tensors[t].data;
  return d && d.length === 1 ? Number(d[0]) : undefined;
}

/** Rewrite Minimum(relu(x), 6) as relu6(x), Maximum(r, 0) of a relu/relu6 r as r, Maximum(Minimum(x, 6), 0) as relu6(x). */
export function canonicalizeClips(input: Graph): Graph {
  const g = cloneGraph(input);
  rewriteUntilStable(g, (op, i, { prod, uses }) => {
    if (op.kind !== 'minimum' && op.kind !== 'maximum') return false;
    const [a, b] = op.inputs;
    const constIdx = g.tensors[b].data ? b : g.tensors[a].data ? a : -1;
    if (constIdx < 0) return false;
    const x = constIdx === b ? a : b;
    const c = scalarConst(g, constIdx);
    const src = g.ops[prod[x]];
    if (op.kind === 'minimum' && c === 6 && src && (src.kind === 'relu' || src.kind === 'relu6') && singleUse(g, uses, x)) {
      // min(relu(y), 6) = relu6(y)
      g.ops[i] = { kind: 'relu6', name: op.name, inputs: [src.inputs[0]], outputs: op.outputs };
      g.ops.splice(prod[x], 1);
      return true;
    }
    if (op.kind === 'maximum' && c === 0 && src && (src.kind === 'relu' || src.kind === 'relu6')) {
      rewire(g, op.outputs[0], x);
      g.ops.splice(i, 1);
      return true;
    }
    if (op.kind === 'maximum' && c === 0 && src && src.kind === 'minimum' && singleUse(g, uses, x)) {
      const [p, q] = src.inputs;
      const inner = g.tensors[q].data ? p : q;
      if (scalarConst(g, inner === p ? q : p) === 6) {
        g.ops[i] = { kind: 'relu6', name: op.name, inputs: [inner], outputs: op.outputs };
        g.ops.splice(prod[x], 1);
        return true;
      }
    }
    return false;
  });
  return g;
}

/** Fuse relu/relu6 ops into their producer where the producer's output has no other reader. */
export function fuseActivation(input: Graph): Graph {
  const g = canonicalizeClips(input);
  rewriteUntilStable(g, (op, i, { prod, uses }) => {
    if (op.kind !== 'relu' && op.kind !== 'relu6') return false;
    const x = op.inputs[0];
    const src = g.ops[prod[x]];
    if (!src || !FUSIBLE.has(src.kind) || !singleUse(g, uses, x)) return false;
    const s = src as Extract<IrOp, { activation: unknown }>;
    if (s.activation !== 'none') return false;
    s.activation = op.kind;
    s.outputs = [op.outputs[0]];
    g.ops.splice(i, 1);
    return true;
  });
  return g;
}
