/**
 * Pass: fold batch normalization (and any per-channel constant multiply/add, as graph models
 * spell it) into the preceding convolution, depthwise convolution or dense layer, so the TFLite
 * file has one op where tfjs had two or three. A batch norm that follows no such op becomes a
 * MUL and an ADD with constant operands.
 *
 * @example
 * const g2 = foldBatchNorm(fromLayersModel(model));
 */
import { addTensor, cloneGraph, rewriteUntilStable, singleUse, type Graph, type IrOp } from '../ir/graph.ts';

type LinearOp = Extract<IrOp, { kind: 'conv2d' | 'depthwiseConv2d' | 'fullyConnected' }>;

function isFoldTarget(op: IrOp | undefined): op is LinearOp {
  return !!op && (op.kind === 'conv2d' || op.kind === 'depthwiseConv2d' || op.kind === 'fullyConnected') && op.activation === 'none';
}

/** Per-channel values of a constant operand for `channels` channels (scalar broadcasts), or undefined. */
function channelVector(g: Graph, t: number, channels: number): Float32Array | undefined {
  const c = g.tensors[t];
  if (!c.data || c.dtype !== 'float32') return undefined;
  const d = c.data as Float32Array;
  if (d.length === channels) return d;
  if (d.length === 1) return new Float32Array(channels).fill(d[0]);
  return undefined;
}

/** Scale the linear op's filter and bias by s[c] along its output channels (in place on copies). */
function scaleLinear(g: Graph, op: LinearOp, s: Float32Array): void {
  const fi = op.inputs[1], bi = op.inputs[2];
  const f = Float32Array.from(g.tensors[fi].data as Float32Array);
  const shape = g.tensors[fi].shape;
  const channels = s.length;
  if (op.kind === 'depthwiseConv2d') {
    for (let i = 0; i < f.length; i++) f[i] *= s[i % channels];
  } else {
    const per = f.length / shape[0];
    for (let o = 0; o < shape[0]; o++) for (let i = 0; i < per; i++) f[o * per + i] *= s[o];
  }
  const b = Float32Array.from(g.tensors[bi].data as Float32Array);
  for (let c = 0; c < channels; c++) b[c] *= s[c];
  g.tensors[fi] = { ...g.tensors[fi], data: f };
  g.tensors[bi] = { ...g.tensors[bi], data: b };
}

function shiftLinear(g: Graph, op: LinearOp, add: Float32Array): void {
  const bi = op.inputs[2];
  const b = Float32Array.from(g.tensors[bi].data as Float32Array);
  for (let c = 0; c < b.length; c++) b[c] += add[c];
  g.tensors[bi] = { ...g.tensors[bi], data: b };
}

/** Fold batchNorm / constant per-channel mul and add into the producing conv, depthwise or dense op. */
export function foldBatchNorm(input: Graph): Graph {
  const g = cloneGraph(input);
  rewriteUntilStable(g, (op, i, { prod, uses }) => {
    if (op.kind !== 'batchNorm' && op.kind !== 'mul' && op.kind !== 'add') return false;
    if (op.kind !== 'batchNorm' && op.activation !== 'none') return false;
    // Which operand is the activation and which the constant (mul/add are commutative).
    const [a, b] = op.inputs;
    const xIndex = op.kind === 'batchNorm' ? a : g.tensors[a].data ? b : a;
    const source = g.ops[prod[xIndex]];
    if (!isFoldTarget(source) || !singleUse(g, uses, xIndex) || g.tensors[xIndex].data) return false;
    const channels = g.tensors[source.inputs[2]].shape[0];
    if (op.kind === 'batchNorm') {
      const s = channelVector(g, op.inputs[1], channels), o = channelVector(g, op.inputs[2], channels);
      if (!s || !o) return false;
      scaleLinear(g, source, s);
      shiftLinear(g, source, o);
    } else {
      const c = channelVector(g, xIndex === a ? b : a, channels);
      if (!c) return false;
      if (op.kind === 'mul') scaleLinear(g, source, c); else shiftLinear(g, source, c);
    }
    // The linear op now writes the folded op's output tensor.
    source.outputs = [op.outputs[0]];
    g.ops.splice(i, 1);
    return true;
  });
  // Remaining batch norms (after an add, at the input, ...): y = x * scale + offset as MUL + ADD.
  const ops: IrOp[] = [];
  for (const op of g.ops) {
    if (op.kind !== 'batchNorm') { ops.push(op); continue; }
    const mid = addTensor(g, { name: `${op.name}/scaled`, shape: [...g.tensors[op.outputs[0]].shape], dtype: 'float32' });
    ops.push({ kind: 'mul', name: op.name, inputs: [op.inputs[0], op.inputs[1]], outputs: [mid], activation: 'none' });
    ops.push({ kind: 'add', name: op.name, inputs: [mid, op.inputs[2]], outputs: op.outputs, activation: 'none' });
  }
  g.ops = ops;
  return g;
}
