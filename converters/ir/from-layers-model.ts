/**
 * Importer: a tfjs LayersModel (every agekit network) to the graph IR, one IR op per layer (plus
 * one for a layer's `activation`). Nested models are flattened. A layer without a mapping
 * becomes an `unsupported` op, so the writer reports all of them at once.
 *
 * @example
 * const g = fromLayersModel(await tf.loadLayersModel(handler));
 */
import type * as tf from '@tensorflow/tfjs';
import { addTensor, type Activation, type Graph, type IrOp, type PaddingMode } from './graph.ts';

type Sym = tf.SymbolicTensor;
type LayerConfig = Record<string, unknown>;

/** Transpose a [kh, kw, in, out] conv kernel to TFLite's [out, kh, kw, in]. */
export function convKernelToOhwi(k: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < cin; i++) {
    const src = ((y * kw + x) * cin + i) * cout;
    for (let o = 0; o < cout; o++) out[((o * kh + y) * kw + x) * cin + i] = k[src + o];
  }
  return out;
}

/** Transpose a [in, out] dense kernel to TFLite's [out, in]. */
export function denseKernelToOi(k: Float32Array, cin: number, cout: number): Float32Array {
  const out = new Float32Array(k.length);
  for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) out[o * cin + i] = k[i * cout + o];
  return out;
}

const pair = (v: unknown, dflt: number): [number, number] =>
  Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : typeof v === 'number' ? [v, v] : [dflt, dflt];

/** Keras activation name -> IR unary op kind, or 'fused' relu variants, or undefined if unknown. */
const ACTIVATIONS: Record<string, IrOp['kind'] | 'linear'> = {
  linear: 'linear', relu: 'relu', relu6: 'relu6', sigmoid: 'logistic', tanh: 'tanh', softmax: 'softmax', hardSwish: 'hardSwish', hard_swish: 'hardSwish',
};

class LayersImporter {
  readonly g: Graph = { tensors: [], ops: [], inputs: [], outputs: [] };
  private readonly bySym = new Map<number, number>();

  tensorOf(s: Sym): number {
    const t = this.bySym.get(s.id);
    if (t === undefined) throw new Error(`symbolic tensor ${s.name} used before it was produced`);
    return t;
  }

  activationTensor(s: Sym, name: string): number {
    const shape = s.shape.map((d) => (d === null ? 1 : d));
    const t = addTensor(this.g, { name, shape, dtype: 'float32' });
    this.bySym.set(s.id, t);
    return t;
  }

  constTensor(name: string, shape: number[], data: Float32Array | Int32Array): number {
    return addTensor(this.g, { name, shape, dtype: data instanceof Int32Array ? 'int32' : 'float32', data });
  }

  /** Import a model whose inputs are the given IR tensors (top level: fresh graph inputs). */
  importModel(model: tf.LayersModel, inputs?: number[]): number[] {
    model.inputs.forEach((s, i) => {
      if (inputs) this.bySym.set(s.id, inputs[i]);
      else this.g.inputs.push(this.activationTensor(s, s.name.replace(/:\d+$/, '')));
    });
    for (const layer of model.layers) {
      if (layer.getClassName() === 'InputLayer') continue;
      this.importLayer(layer);
    }
    return model.outputs.map((s) => this.tensorOf(s));
  }

  private importLayer(layer: tf.layers.Layer): void {
    const ins = ([] as Sym[]).concat(layer.input as Sym | Sym[]);
    const outSym = layer.output as Sym | Sym[];
    if (Array.isArray(outSym)) return this.unsupported(layer, ins, outSym, 'layers with several outputs are not supported');
    const x = ins.map((s) => this.tensorOf(s));
    const sub = layer as unknown as tf.LayersModel;
    if (Array.isArray(sub.layers) && Array.isArray(sub.inputs)) {
      // A nested model: flatten it, then alias its output to this layer's output.
      const [inner] = this.importModel(sub, x);
      this.bySym.set(outSym.id, inner);
      return;
    }
    const config = layer.getConfig() as LayerConfig;
    const name = layer.name;
    const cls = layer.getClassName();
    const weights = new Map(layer.weights.map((w) => [w.originalName.split('/').pop()!, w.read()]));
    const data = (key: string): Float32Array | undefined => {
      const w = weights.get(key);
      return w ? Float32Array.from(w.dataSync() as Float32Array) : undefined;
    };
    const padding = String(config.padding ?? 'valid') as PaddingMode;
    const push = (op: IrOp): void => { this.g.ops.push(op); };
    const withActivation = (core: (y: number) => void, activation: unknown) => {
      const act = String(activation ?? 'linear');
      const kind = ACTIVATIONS[act];
      if (kind === undefined) return this.unsupported(layer, ins, [outSym], `activation "${act}" has no TFLite mapping`);
      if (kind === 'linear') return core(this.activationTensor(outSym, name));
      const mid = addTensor(this.g, { name: `${name}/pre_activation`, shape: outSym.shape.map((d) => d ?? 1), dtype: 'float32' });
      core(mid);
      const y = this.activationTensor(outSym, name);
      if (kind === 'softmax') push({ kind: 'softmax', name: `${name}/softmax`, inputs: [mid], outputs: [y], beta: 1 });
      else push({ kind: kind as 'relu', name: `${name}/${act}`, inputs: [mid], outputs: [y] });
    };
    const biasOr0 = (key: string, n: number) => data(key) ?? new Float32Array(n);

    switch (cls) {
      case 'Conv2D': {
        if (config.dataFormat === 'channelsFirst') return this.unsupported(layer, ins, [outSym], 'channelsFirst data format');
        const k = weights.get('kernel')!;
        const [kh, kw, cin, cout] = k.shape;
        const filter = this.constTensor(`${name}/kernel`, [cout, kh, kw, cin], convKernelToOhwi(data('kernel')!, kh, kw, cin, cout));
        const bias = this.constTensor(`${name}/bias`, [cout], biasOr0('bias', cout));
        return withActivation((y) => push({ kind: 'conv2d', name, inputs: [x[0], filter, bias], outputs: [y], strides: pair(config.strides, 1), dilations: pair(config.dilationRate, 1), padding, activation: 'none' }), config.activation);
      }
      case 'DepthwiseConv2D': {
        const k = weights.get('depthwise_kernel')!;
        const [kh, kw, cin, mult] = k.shape;
        // [kh, kw, in, mult] in row-major is already [1, kh, kw, in*mult] with channel c*mult+m.
        const filter = this.constTensor(`${name}/depthwise_kernel`, [1, kh, kw, cin * mult], data('depthwise_kernel')!);
        const bias = this.constTensor(`${name}/bias`, [cin * mult], biasOr0('bias', cin * mult));
        return withActivation((y) => push({ kind: 'depthwiseConv2d', name, inputs: [x[0], filter, bias], outputs: [y], strides: pair(config.strides, 1), dilations: pair(config.dilationRate, 1), padding, multiplier: mult, activation: 'none' }), config.activation);
      }
      case 'Dense': {
        const k = weights.get('kernel')!;
        const [cin, cout] = k.shape;
        const rank = ins[0].shape.length;
        const w = this.constTensor(`${name}/kernel`, [cout, cin], denseKernelToOi(data('kernel')!, cin, cout));
        const bias = this.constTensor(`${name}/bias`, [cout], biasOr0('bias', cout));
        return withActivation((y) => push({ kind: 'fullyConnected', name, inputs: [x[0], w, bias], outputs: [y], activation: 'none', keepNumDims: rank > 2 }), config.activation);
      }
      case 'BatchNormalization': {
        const axis = Number(config.axis ?? -1);
        if (axis !== -1 && axis !== ins[0].shape.length - 1) return this.unsupported(layer, ins, [outSym], `axis ${axis} (only the channel axis)`);
        const mean = data('moving_mean')!, variance = data('moving_variance')!;
        const c = mean.length;
        const gamma = data('gamma') ?? new Float32Array(c).fill(1), beta = data('beta') ?? new Float32Array(c);
        const eps = Number(config.epsilon ?? 1e-3);
        const scale = new Float32Array(c), offset = new Float32Array(c);
        for (let i = 0; i < c; i++) {
          scale[i] = gamma[i] / Math.sqrt(variance[i] + eps);
          offset[i] = beta[i] - mean[i] * scale[i];
        }
        const s = this.constTensor(`${name}/scale`, [c], scale), o = this.constTensor(`${name}/offset`, [c], offset);
        return push({ kind: 'batchNorm', name, inputs: [x[0], s, o], outputs: [this.activationTensor(outSym, name)] });
      }
      case 'Activation':
        return withActivation((y) => push({ kind: 'identity', name, inputs: [x[0]], outputs: [y] }), config.activation);
      case 'ReLU': {
        const max = config.maxValue as number | null | undefined;
        if ((config.negativeSlope as number) || (config.threshold as number)) return this.unsupported(layer, ins, [outSym], 'ReLU with negativeSlope or threshold');
        if (max === 6) return push({ kind: 'relu6', name, inputs: [x[0]], outputs: [this.activationTensor(outSym, name)] });
        if (max === null || max === undefined) return push({ kind: 'relu', name, inputs: [x[0]], outputs: [this.activationTensor(outSym, name)] });
        // min(relu(x), maxValue): RELU then MINIMUM with a scalar constant (e.g. the regression head's 0..100 clip).
        const mid = addTensor(this.g, { name: `${name}/relu`, shape: outSym.shape.map((d) => d ?? 1), dtype: 'float32' });
        push({ kind: 'relu', name, inputs: [x[0]], outputs: [mid] });
        return push({ kind: 'minimum', name, inputs: [mid, this.constTensor(`${name}/max_value`, [], Float32Array.of(max))], outputs: [this.activationTensor(outSym, name)] });
      }
      case 'Softmax':
        return push({ kind: 'softmax', name, inputs: [x[0]], outputs: [this.activationTensor(outSym, name)], beta: 1 });
      case 'Add': case 'Multiply': case 'Subtract': {
        const kind = cls === 'Add' ? 'add' : cls === 'Multiply' ? 'mul' : 'sub';
        let acc = x[0];
        for (let i = 1; i < x.length; i++) {
          const last = i === x.length - 1;
          const y = last ? this.activationTensor(outSym, name) : addTensor(this.g, { name: `${name}/partial${i}`, shape: outSym.shape.map((d) => d ?? 1), dtype: 'float32' });
          push({ kind, name, inputs: [acc, x[i]], outputs: [y], activation: 'none' });
          acc = y;
        }
        return;
      }
      case 'Concatenate': {
        const rank = outSym.shape.length;
        const axis = Number(config.axis ?? -1);
        return push({ kind: 'concat', name, inputs: x, outputs: [this.activationTensor(outSym, name)], axis: axis < 0 ? axis + rank : axis, activation: 'none' });
      }
      case 'GlobalAveragePooling2D':
        return push({ kind: 'mean', name, inputs: [x[0], this.constTensor(`${name}/axes`, [2], Int32Array.from([1, 2]))], outputs: [this.activationTensor(outSym, name)], axes: [1, 2], keepDims: outSym.shape.length === 4 });
      case 'MaxPooling2D': case 'AveragePooling2D': {
        const filter = pair(config.poolSize, 2);
        return push({ kind: cls === 'MaxPooling2D' ? 'maxPool2d' : 'avgPool2d', name, inputs: [x[0]], outputs: [this.activationTensor(outSym, name)], filter, strides: pair(config.strides ?? config.poolSize, filter[0]), padding, activation: 'none' });
      }
      case 'ZeroPadding2D': {
        const p = config.padding as number | [number, number] | [[number, number], [number, number]];
        const hw: [[number, number], [number, number]] = typeof p === 'number' ? [[p, p], [p, p]]
          : typeof p[0] === 'number' ? [[p[0] as number, p[0] as number], [p[1] as number, p[1] as number]] : p as [[number, number], [number, number]];
        const paddings: [number, number][] = [[0, 0], hw[0], hw[1], [0, 0]];
        return push({ kind: 'pad', name, inputs: [x[0], this.constTensor(`${name}/paddings`, [4, 2], Int32Array.from(paddings.flat()))], outputs: [this.activationTensor(outSym, name)], paddings });
      }
      case 'Flatten': case 'Reshape': {
        const shape = outSym.shape.map((d) => d ?? 1);
        return push({ kind: 'reshape', name, inputs: [x[0], this.constTensor(`${name}/shape`, [shape.length], Int32Array.from(shape))], outputs: [this.activationTensor(outSym, name)], shape });
      }
      case 'Dropout': case 'SpatialDropout1D': case 'SpatialDropout2D': case 'GaussianNoise': case 'GaussianDropout': case 'AlphaDropout': case 'ActivityRegularization':
        // Inference-time identities.
        this.bySym.set(outSym.id, x[0]);
        return;
      default:
        if (/hard.?swish/i.test(cls)) return push({ kind: 'hardSwish', name, inputs: [x[0]], outputs: [this.activationTensor(outSym, name)] });
        if (/hard.?sigmoid/i.test(cls)) {
          // relu6(x + 3) / 6 (MobileNetV3's hard sigmoid): ADD, RELU6, MUL with scalar constants.
          const shape = outSym.shape.map((d) => d ?? 1);
          const a = addTensor(this.g, { name: `${name}/plus3`, shape, dtype: 'float32' });
          const r = addTensor(this.g, { name: `${name}/relu6`, shape, dtype: 'float32' });
          push({ kind: 'add', name, inputs: [x[0], this.constTensor(`${name}/three`, [], Float32Array.of(3))], outputs: [a], activation: 'none' });
          push({ kind: 'relu6', name, inputs: [a], outputs: [r] });
          return push({ kind: 'mul', name, inputs: [r, this.constTensor(`${name}/sixth`, [], Float32Array.of(1 / 6))], outputs: [this.activationTensor(outSym, name)], activation: 'none' });
        }
        return this.unsupported(layer, ins, [outSym], `layer class ${cls} has no TFLite mapping`);
    }
  }

  private unsupported(layer: tf.layers.Layer, ins: Sym[], outs: Sym[], reason: string): void {
    this.g.ops.push({
      kind: 'unsupported', name: layer.name, source: layer.getClassName(), reason,
      inputs: ins.map((s) => this.bySym.get(s.id) ?? -1), outputs: outs.map((s) => this.activationTensor(s, layer.name)),
    });
  }
}

/** Convert a LayersModel to the IR. Batch is fixed to 1; inputs/outputs keep the model's order. */
export function fromLayersModel(model: tf.LayersModel): Graph {
  const imp = new LayersImporter();
  imp.g.outputs = imp.importModel(model);
  return imp.g;
}
