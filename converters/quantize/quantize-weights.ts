/**
 * Weight-only quantization passes: `float16` (conv, depthwise and dense weights and biases
 * stored as float16) and `dynamic` (their weights stored as symmetric int8, per output channel
 * for convolutions). Each stored tensor feeds a DEQUANTIZE op whose float32 result the
 * original op reads, so activations stay float and every runtime runs the file. These modes
 * save size, not time: in tfjs-tflite-node 0.0.2 both ran slower than float32 (bench/tflite-modes.ts).
 *
 * @example
 * const small = quantizeDynamic(g); // ~4x smaller weights
 */
import { addTensor, cloneGraph, type Graph, type IrOp, type IrTensor } from '../ir/graph.ts';
import { symmetricWeights, toFloat16Bits } from './quantize-params.ts';

type Stored = (t: IrTensor, role: 'filter' | 'bias', op: IrOp) => IrTensor | undefined;

function weightPass(input: Graph, store: Stored): Graph {
  const g = cloneGraph(input);
  const done = new Map<number, number>();
  const dequantizeOps: IrOp[] = [];
  for (const op of g.ops) {
    if (op.kind !== 'conv2d' && op.kind !== 'depthwiseConv2d' && op.kind !== 'fullyConnected') continue;
    for (const [slot, role] of [[1, 'filter'], [2, 'bias']] as const) {
      const t = op.inputs[slot];
      if (t === undefined || t < 0 || g.tensors[t].dtype !== 'float32' || !g.tensors[t].data) continue;
      let deq = done.get(t);
      if (deq === undefined) {
        const stored = store(g.tensors[t], role, op);
        if (!stored) continue;
        const s = addTensor(g, stored);
        deq = addTensor(g, { name: `${g.tensors[t].name}/dequantized`, shape: [...g.tensors[t].shape], dtype: 'float32' });
        dequantizeOps.push({ kind: 'dequantize', name: `${op.name}/dequantize_${role}`, inputs: [s], outputs: [deq] });
        done.set(t, deq);
      }
      op.inputs[slot] = deq;
    }
  }
  g.ops = [...dequantizeOps, ...g.ops];
  return g;
}

/** Store conv/depthwise/dense weights and biases as float16. */
export function quantizeFloat16(g: Graph): Graph {
  return weightPass(g, (t) => ({ name: `${t.name}/float16`, shape: [...t.shape], dtype: 'float16', data: toFloat16Bits(t.data as Float32Array) }));
}

/** Store conv/depthwise/dense weights as symmetric int8 (per output channel for convolutions); biases stay float32. */
export function quantizeDynamic(g: Graph): Graph {
  return weightPass(g, (t, role, op) => {
    if (role !== 'filter') return undefined;
    const axis = op.kind === 'depthwiseConv2d' ? 3 : op.kind === 'conv2d' ? 0 : undefined;
    const { data, quant } = symmetricWeights(t.data as Float32Array, t.shape, axis);
    return { name: `${t.name}/int8`, shape: [...t.shape], dtype: 'int8', data, quant };
  });
}
