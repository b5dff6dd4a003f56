/**
 * Pass: full-integer quantization. Every activation becomes int8 with per-tensor asymmetric
 * parameters from its calibrated range; conv and depthwise weights become per-channel symmetric
 * int8, dense weights per-tensor symmetric int8 (TFLite's quantization spec), biases int32.
 * Ops TFLite requires to keep their input's parameters (reshape, pooling, pad, min/max) do;
 * softmax and logistic outputs use the fixed 1/256 scale. With io `float` a QUANTIZE op at the
 * input and DEQUANTIZE ops at the outputs are the only non-integer ops (Edge TPU rule); with
 * `int8` the file's io is int8; with `uint8` QUANTIZE ops convert at the boundary.
 *
 * @example
 * const q = quantizeInt8(g, await collectRanges(g, set, 'percentile'), { io: 'float' });
 */
import { ConversionError } from '../../core/errors.ts';
import { addTensor, cloneGraph, type Graph, type IrOp, type IrQuant } from '../ir/graph.ts';
import { activationQuant, int32Bias, quantizeValues, symmetricWeights } from './quantize-params.ts';

export type IoType = 'float' | 'int8' | 'uint8';
export interface TensorRange { min: number; max: number }

export interface QuantizeInt8Options {
  /** Type of the file's inputs and outputs. Default `float`. */
  io?: IoType;
}

const SAME_AS_INPUT = new Set<IrOp['kind']>(['reshape', 'maxPool2d', 'avgPool2d', 'pad', 'minimum', 'maximum']);

export function quantizeInt8(input: Graph, ranges: Map<number, TensorRange>, options: QuantizeInt8Options = {}): Graph {
  const io = options.io ?? 'float';
  const g = cloneGraph(input);
  const isActivation = (t: number) => !g.tensors[t].data;
  const quantOf = (t: number): IrQuant => {
    const q = g.tensors[t].quant;
    if (!q) throw new ConversionError(`tensor "${g.tensors[t].name}" has no calibrated range`, { hint: 'this is a bug in the int8 pass; please report it' });
    return q;
  };
  for (const op of g.ops) {
    if (op.kind === 'unsupported') throw new ConversionError(`op ${op.name} (${op.source}) cannot be quantized`, { where: op.name });
  }

  // 1. Calibrated parameters for every activation.
  const activations = new Set<number>([...g.inputs, ...g.ops.flatMap((op) => op.outputs)].filter(isActivation));
  for (const t of activations) {
    const r = ranges.get(t);
    if (!r) throw new ConversionError(`no calibrated range for tensor "${g.tensors[t].name}"`, { hint: 'the representative set did not reach this tensor' });
    g.tensors[t] = { ...g.tensors[t], quant: activationQuant(r.min, r.max) };
  }
  // 2. Tensors that must share parameters: the input and output of reshape, pooling, pad and
  // min/max (their int8 kernels copy or compare raw values), and all inputs and the output of a
  // concatenation. Each group gets the union of its members' ranges.
  const parent = new Map<number, number>();
  const find = (t: number): number => { while (parent.has(t) && parent.get(t) !== t) t = parent.get(t)!; return t; };
  const join = (a: number, b: number) => { const ra = find(a), rb = find(b); if (ra !== rb) parent.set(ra, rb); };
  for (const op of g.ops) {
    if (SAME_AS_INPUT.has(op.kind)) {
      const x = op.inputs.find(isActivation);
      if (x !== undefined) join(x, op.outputs[0]);
    } else if (op.kind === 'concat') {
      for (const x of op.inputs) if (isActivation(x)) join(x, op.outputs[0]);
    }
  }
  const groups = new Map<number, number[]>();
  for (const t of activations) { const r = find(t); groups.set(r, [...(groups.get(r) ?? []), t]); }
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const q = activationQuant(Math.min(...members.map((t) => quantOf(t).min![0])), Math.max(...members.map((t) => quantOf(t).max![0])));
    for (const t of members) g.tensors[t] = { ...g.tensors[t], quant: q };
  }
  // 3. Fixed output parameters of softmax, logistic and tanh (TFLite's int8 kernels require them).
  for (const op of g.ops) {
    const out = op.outputs[0];
    if (op.kind === 'softmax' || op.kind === 'logistic') {
      g.tensors[out] = { ...g.tensors[out], quant: { scale: [1 / 256], zeroPoint: [-128], min: [0], max: [1] } };
    } else if (op.kind === 'tanh') {
      g.tensors[out] = { ...g.tensors[out], quant: { scale: [1 / 128], zeroPoint: [0], min: [-1], max: [1] } };
    }
  }
  // 4. Constants: weights, biases and element-wise operands.
  const quantizedConst = new Map<string, number>();
  const constOperand = (t: number, q: IrQuant, key: string): number => {
    const id = `${t}:${key}`;
    const cached = quantizedConst.get(id);
    if (cached !== undefined) return cached;
    const src = g.tensors[t];
    const n = addTensor(g, { name: `${src.name}/int8`, shape: [...src.shape], dtype: 'int8', data: quantizeValues(src.data as Float32Array, q), quant: q });
    quantizedConst.set(id, n);
    return n;
  };
  for (const op of g.ops) {
    if (op.kind === 'conv2d' || op.kind === 'depthwiseConv2d' || op.kind === 'fullyConnected') {
      const [x, f, b] = op.inputs;
      const filter = g.tensors[f];
      const axis = op.kind === 'conv2d' ? 0 : op.kind === 'depthwiseConv2d' ? 3 : undefined;
      const w = symmetricWeights(filter.data as Float32Array, filter.shape, axis);
      const fi = addTensor(g, { name: `${filter.name}/int8`, shape: [...filter.shape], dtype: 'int8', data: w.data, quant: w.quant });
      const bias = int32Bias(g.tensors[b].data as Float32Array, quantOf(x).scale[0], w.quant.scale);
      const bi = addTensor(g, { name: `${g.tensors[b].name}/int32`, shape: [...g.tensors[b].shape], dtype: 'int32', data: bias.data, quant: bias.quant });
      op.inputs = [x, fi, bi];
    } else if (op.kind === 'add' || op.kind === 'mul' || op.kind === 'sub' || op.kind === 'minimum' || op.kind === 'maximum' || op.kind === 'concat') {
      op.inputs = op.inputs.map((t) => {
        const c = g.tensors[t];
        if (!c.data || c.dtype !== 'float32') return t;
        // min/max compare raw int8 values: the constant must share the output's parameters.
        if (op.kind === 'minimum' || op.kind === 'maximum') return constOperand(t, quantOf(op.outputs[0]), `out${op.outputs[0]}`);
        const d = c.data as Float32Array;
        let lo = 0, hi = 0;
        for (const v of d) { if (v < lo) lo = v; if (v > hi) hi = v; }
        return constOperand(t, activationQuant(lo, hi), 'own');
      });
    }
  }
  // 5. Activations become int8.
  for (const t of activations) g.tensors[t] = { ...g.tensors[t], dtype: 'int8' };

  // 6. The io boundary.
  if (io !== 'int8') {
    const boundaryType = io === 'float' ? 'float32' : 'uint8';
    const front: IrOp[] = [], back: IrOp[] = [];
    g.inputs = g.inputs.map((t) => {
      const inner = g.tensors[t];
      const q = inner.quant!;
      const outerQuant = io === 'uint8' ? { ...q, zeroPoint: [q.zeroPoint[0] + 128] } : undefined;
      const outer = addTensor(g, { name: inner.name, shape: [...inner.shape], dtype: boundaryType, quant: outerQuant });
      g.tensors[t] = { ...inner, name: `${inner.name}/int8` };
      front.push({ kind: 'quantize', name: `${inner.name}/quantize`, inputs: [outer], outputs: [t] });
      return outer;
    });
    g.outputs = g.outputs.map((t) => {
      const inner = g.tensors[t];
      const q = inner.quant!;
      const outerQuant = io === 'uint8' ? { ...q, zeroPoint: [q.zeroPoint[0] + 128] } : undefined;
      const outer = addTensor(g, { name: inner.name, shape: [...inner.shape], dtype: boundaryType, quant: outerQuant });
      g.tensors[t] = { ...inner, name: `${inner.name}/int8` };
      back.push({ kind: io === 'float' ? 'dequantize' : 'quantize', name: `${inner.name}/${io === 'float' ? 'dequantize' : 'quantize'}`, inputs: [t], outputs: [outer] });
      return outer;
    });
    g.ops = [...front, ...g.ops, ...back];
  }
  return g;
}
