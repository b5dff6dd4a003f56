/**
 * The converter's graph IR: plain data (no tfjs objects), tensors in one array referenced by
 * index, ops a discriminated union on `kind` with typed attributes. Importers produce it,
 * passes rewrite it, the TFLite writer consumes it. Layouts are TFLite's: NHWC activations,
 * conv filters [out, h, w, in], depthwise filters [1, h, w, in*multiplier], dense weights [out, in].
 *
 * @example
 * const g = fromLayersModel(model);          // Graph
 * const h = fuseActivation(foldBatchNorm(g)); // passes are (g: Graph) => Graph
 */

export type IrDType = 'float32' | 'int32' | 'float16' | 'int8' | 'uint8';

/** Quantization of a tensor: real = scale * (q - zeroPoint); several scales run along `axis`. */
export interface IrQuant { scale: number[]; zeroPoint: number[]; axis?: number; min?: number[]; max?: number[] }

export type IrData = Float32Array | Int32Array | Int8Array | Uint8Array | Uint16Array;

export interface IrTensor {
  name: string;
  /** Shape with the batch dimension fixed to 1 for activations. */
  shape: number[];
  dtype: IrDType;
  /** Constant data (weights, biases, shapes); absent for activations. float16 data is raw bits. */
  data?: IrData;
  quant?: IrQuant;
}

export type Activation = 'none' | 'relu' | 'relu6';
export type PaddingMode = 'same' | 'valid';

interface OpBase {
  /** Layer or graph-node name the op came from, for errors and for `inspect`. */
  name: string;
  inputs: number[];
  outputs: number[];
}

/** inputs: x, filter [out,h,w,in], bias [out] */
export interface Conv2dOp extends OpBase { kind: 'conv2d'; strides: [number, number]; dilations: [number, number]; padding: PaddingMode; activation: Activation }
/** inputs: x, filter [1,h,w,in*multiplier], bias [in*multiplier] */
export interface DepthwiseConv2dOp extends OpBase { kind: 'depthwiseConv2d'; strides: [number, number]; dilations: [number, number]; padding: PaddingMode; multiplier: number; activation: Activation }
/** inputs: x [batch, in], weights [out, in], bias [out] */
export interface FullyConnectedOp extends OpBase { kind: 'fullyConnected'; activation: Activation; keepNumDims: boolean }
/** Element-wise with broadcasting. */
export interface BinaryOp extends OpBase { kind: 'add' | 'mul' | 'sub'; activation: Activation }
export interface MinMaxOp extends OpBase { kind: 'maximum' | 'minimum' }
/** y = x * scale + offset per channel (last axis); inputs: x, scale [C], offset [C]. */
export interface BatchNormOp extends OpBase { kind: 'batchNorm' }
export interface UnaryOp extends OpBase { kind: 'relu' | 'relu6' | 'logistic' | 'tanh' | 'hardSwish' | 'identity' }
export interface PoolOp extends OpBase { kind: 'maxPool2d' | 'avgPool2d'; filter: [number, number]; strides: [number, number]; padding: PaddingMode; activation: Activation }
export interface MeanOp extends OpBase { kind: 'mean'; axes: number[]; keepDims: boolean }
/** paddings: [before, after] per dimension. */
export interface PadOp extends OpBase { kind: 'pad'; paddings: [number, number][] }
export interface ReshapeOp extends OpBase { kind: 'reshape'; shape: number[] }
export interface ConcatOp extends OpBase { kind: 'concat'; axis: number; activation: Activation }
export interface SoftmaxOp extends OpBase { kind: 'softmax'; beta: number }
/** float -> int8/uint8 (QUANTIZE) and back (DEQUANTIZE), or a requantization between int types. */
export interface QuantizeOp extends OpBase { kind: 'quantize' | 'dequantize' }
/** A layer or graph op no mapping exists for: kept so the writer can list every one of them. */
export interface UnsupportedOp extends OpBase { kind: 'unsupported'; source: string; reason: string }

export type IrOp =
  | Conv2dOp | DepthwiseConv2dOp | FullyConnectedOp | BinaryOp | MinMaxOp | BatchNormOp | UnaryOp
  | PoolOp | MeanOp | PadOp | ReshapeOp | ConcatOp | SoftmaxOp | QuantizeOp | UnsupportedOp;
export type IrOpKind = IrOp['kind'];

export interface Graph {
  tensors: IrTensor[];
  ops: IrOp[];
  inputs: number[];
  outputs: number[];
}

/** Number of elements of a shape. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A shallow copy that passes can edit without touching their input. */
export function cloneGraph(g: Graph): Graph {
  return {
    tensors: g.tensors.map((t) => ({ ...t, shape: [...t.shape] })),
    ops: g.ops.map((op) => ({ ...op, inputs: [...op.inputs], outputs: [...op.outputs] })),
    inputs: [...g.inputs],
    outputs: [...g.outputs],
  };
}

/** For each tensor, the ops that read it (by op index). */
export function consumers(g: Graph): number[][] {
  const out: number[][] = g.tensors.map(() => []);
  g.ops.forEach((op, i) => { for (const t of op.inputs) if (t >= 0) out[t].push(i); });
  return out;
}

/** For each tensor, the op that writes it, or -1 (inputs, constants). */
export function producers(g: Graph): number[] {
  const out = g.tensors.map(() => -1);
  g.ops.forEach((op, i) => { for (const t of op.outputs) out[t] = i; });
  return out;
}

/** Replace every read of tensor `from` by `to` (ops and graph outputs). */
export function rewire(g: Graph, from: number, to: number): void {
  for (const op of g.ops) op.inputs = op.inputs.map((t) => (t === from ? to : t));
  g.outputs = g.outputs.map((t) => (t === from ? to : t));
}

/** Add a tensor and return its index. */
export function addTensor(g: Graph, t: IrTensor): number {
  g.tensors.push(t);
  return g.tensors.length - 1;
}

/** True when tensor `t` is read by exactly one op and is not a graph output. */
export function singleUse(g: Graph, uses: number[][], t: number): boolean {
  return uses[t].length === 1 && !g.outputs.includes(t);
}

/** Where each tensor comes from and goes to, as a rewrite sees the graph at that moment. */
export interface GraphLinks {
  /** Producing op index per tensor (-1: input or constant). */
  prod: number[];
  /** Reading op indices per tensor. */
  uses: number[][];
}

/**
 * Run a local rewrite to a fixed point: `rewrite` is offered each op in order and returns true
 * when it changed the graph; the links are then recomputed and the scan starts again, until a
 * whole scan changes nothing. Passes that splice ops keep their indices valid this way.
 */
export function rewriteUntilStable(g: Graph, rewrite: (op: IrOp, i: number, links: GraphLinks) => boolean): void {
  for (;;) {
    const links: GraphLinks = { prod: producers(g), uses: consumers(g) };
    let changed = false;
    for (let i = 0; i < g.ops.length && !changed; i++) changed = rewrite(g.ops[i], i, links);
    if (!changed) return;
  }
}
