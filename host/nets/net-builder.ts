/**
 * NetBuilder: the layer vocabulary every network file uses. It names every layer explicitly
 * (names are what pretrained weights are matched by, so they must not depend on how many models
 * the process built before) and gives every initializer its own seed when a seed is set.
 * Only standard, serializable tfjs layers plus the two hard activations are produced, so the
 * TFLite converter has a short, known list of classes to map (see NET_LAYER_CLASSES).
 *
 * @example
 * const b = new NetBuilder(7);
 * let x = b.input(64, 64);
 * x = b.convBn(x, { filters: 16, kernel: 3, stride: 2, name: 'stem', act: 'relu6' });
 */
import * as tf from '@tensorflow/tfjs';
import { HardSigmoid, HardSwish } from './hard-activations.ts';

/** Activations the builder can put after a layer. `none` leaves the output linear. */
export type Act = 'none' | 'relu' | 'relu6' | 'hswish' | 'hsigmoid' | 'sigmoid';

export interface ConvArgs {
  filters: number;
  kernel: number;
  /** Default 1. */
  stride?: number;
  /** Default `same`. */
  padding?: 'same' | 'valid';
  /** Default false: a BatchNormalization follows. */
  useBias?: boolean;
  /** Layer name; the BN and activation get `<name>_bn` / `<name>_<act>` unless given. */
  name: string;
  bnName?: string;
  actName?: string;
  act?: Act;
}

/** Builds layers with deterministic names and per-layer initializer seeds. */
export class NetBuilder {
  private seedCounter = 0;

  /** @param seed base seed for weight initialisation; undefined = tfjs's random default. */
  constructor(private readonly seed?: number) {}

  /** The model input [height, width, 3], float. */
  input(height: number, width: number): tf.SymbolicTensor {
    return tf.input({ shape: [height, width, 3], name: 'input', dtype: 'float32' });
  }

  private kernelInit(kind: 'he' | 'glorot'): ReturnType<typeof tf.initializers.heNormal> | undefined {
    if (this.seed === undefined) return kind === 'he' ? tf.initializers.heNormal({}) : undefined;
    const seed = this.seed * 100003 + this.seedCounter++;
    return kind === 'he' ? tf.initializers.heNormal({ seed }) : tf.initializers.glorotUniform({ seed });
  }

  /** Conv2D, without BN. */
  conv(x: tf.SymbolicTensor, a: Omit<ConvArgs, 'act' | 'bnName' | 'actName'>): tf.SymbolicTensor {
    return tf.layers.conv2d({
      filters: a.filters, kernelSize: a.kernel, strides: a.stride ?? 1, padding: a.padding ?? 'same',
      useBias: a.useBias ?? false, name: a.name, kernelInitializer: this.kernelInit('he'),
    }).apply(x) as tf.SymbolicTensor;
  }

  /** Conv2D (no bias) + BatchNormalization + activation (default none). */
  convBn(x: tf.SymbolicTensor, a: ConvArgs): tf.SymbolicTensor {
    const y = this.bn(this.conv(x, a), a.bnName ?? `${a.name}_bn`);
    return this.act(y, a.act ?? 'none', a.actName ?? `${a.name}_${a.act}`);
  }

  /** DepthwiseConv2D (no bias, depth multiplier 1) + BN + activation. */
  depthwiseBn(x: tf.SymbolicTensor, a: Omit<ConvArgs, 'filters'>): tf.SymbolicTensor {
    const y = tf.layers.depthwiseConv2d({
      kernelSize: a.kernel, strides: a.stride ?? 1, padding: a.padding ?? 'same', depthMultiplier: 1,
      useBias: a.useBias ?? false, name: a.name, depthwiseInitializer: this.kernelInit('he'),
    }).apply(x) as tf.SymbolicTensor;
    return this.act(this.bn(y, a.bnName ?? `${a.name}_bn`), a.act ?? 'none', a.actName ?? `${a.name}_${a.act}`);
  }

  /** BatchNormalization over channels (epsilon 1e-3, momentum 0.99, as Keras). */
  bn(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    return tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.99, name }).apply(x) as tf.SymbolicTensor;
  }

  /** An activation layer; `none` returns x unchanged. */
  act(x: tf.SymbolicTensor, act: Act, name: string): tf.SymbolicTensor {
    switch (act) {
      case 'none': return x;
      case 'relu': return tf.layers.reLU({ name }).apply(x) as tf.SymbolicTensor;
      case 'relu6': return tf.layers.reLU({ maxValue: 6, name }).apply(x) as tf.SymbolicTensor;
      case 'sigmoid': return tf.layers.activation({ activation: 'sigmoid', name }).apply(x) as tf.SymbolicTensor;
      case 'hswish': return new HardSwish({ name }).apply(x) as tf.SymbolicTensor;
      case 'hsigmoid': return new HardSigmoid({ name }).apply(x) as tf.SymbolicTensor;
    }
  }

  /** Dense layer with bias. Glorot-uniform init, as Keras. */
  dense(x: tf.SymbolicTensor, units: number, name: string, activation?: 'softmax'): tf.SymbolicTensor {
    return tf.layers.dense({ units, name, activation, kernelInitializer: this.kernelInit('glorot') }).apply(x) as tf.SymbolicTensor;
  }

  /** ReLU clipped to [0, maxValue]: tfjs's standard ReLU layer with maxValue. */
  clippedRelu(x: tf.SymbolicTensor, maxValue: number, name: string): tf.SymbolicTensor {
    return tf.layers.reLU({ maxValue, name }).apply(x) as tf.SymbolicTensor;
  }

  /** Softmax over the last axis, as its own layer. */
  softmax(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    return tf.layers.softmax({ name }).apply(x) as tf.SymbolicTensor;
  }

  add(xs: tf.SymbolicTensor[], name: string): tf.SymbolicTensor {
    return tf.layers.add({ name }).apply(xs) as tf.SymbolicTensor;
  }

  /** Elementwise product; [b,1,1,C] broadcasts over [b,H,W,C] (squeeze-and-excitation). */
  multiply(xs: tf.SymbolicTensor[], name: string): tf.SymbolicTensor {
    return tf.layers.multiply({ name }).apply(xs) as tf.SymbolicTensor;
  }

  concat(xs: tf.SymbolicTensor[], name: string): tf.SymbolicTensor {
    return tf.layers.concatenate({ axis: -1, name }).apply(xs) as tf.SymbolicTensor;
  }

  /** [b,H,W,C] -> [b,C]. */
  globalAvgPool(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    return tf.layers.globalAveragePooling2d({ name }).apply(x) as tf.SymbolicTensor;
  }

  maxPool(x: tf.SymbolicTensor, pool: number, stride: number, name: string, padding: 'same' | 'valid' = 'valid'): tf.SymbolicTensor {
    return tf.layers.maxPooling2d({ poolSize: pool, strides: stride, padding, name }).apply(x) as tf.SymbolicTensor;
  }

  avgPool(x: tf.SymbolicTensor, pool: number, stride: number, name: string): tf.SymbolicTensor {
    return tf.layers.averagePooling2d({ poolSize: pool, strides: stride, padding: 'valid', name }).apply(x) as tf.SymbolicTensor;
  }

  zeroPad(x: tf.SymbolicTensor, pad: number, name: string): tf.SymbolicTensor {
    return tf.layers.zeroPadding2d({ padding: pad, name }).apply(x) as tf.SymbolicTensor;
  }

  reshape(x: tf.SymbolicTensor, shape: number[], name: string): tf.SymbolicTensor {
    return tf.layers.reshape({ targetShape: shape, name }).apply(x) as tf.SymbolicTensor;
  }

  flatten(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    return tf.layers.flatten({ name }).apply(x) as tf.SymbolicTensor;
  }

  /**
   * Squeeze-and-excitation: channel weights from a global average, two 1x1 convolutions
   * (bottleneck `squeeze` channels, ReLU, then `gate`), multiplied into x.
   * 1x1 convolutions on [b,1,1,C] rather than Dense keep the graph 4-D for the converter.
   */
  squeezeExcite(x: tf.SymbolicTensor, squeeze: number, gate: 'sigmoid' | 'hsigmoid', name: string): tf.SymbolicTensor {
    const channels = x.shape[x.shape.length - 1] as number;
    let s = this.globalAvgPool(x, `${name}_squeeze`);
    s = this.reshape(s, [1, 1, channels], `${name}_reshape`);
    s = this.conv(s, { filters: squeeze, kernel: 1, useBias: true, name: `${name}_reduce` });
    s = this.act(s, 'relu', `${name}_reduce_relu`);
    s = this.conv(s, { filters: channels, kernel: 1, useBias: true, name: `${name}_expand` });
    s = this.act(s, gate, `${name}_gate`);
    return this.multiply([x, s], `${name}_scale`);
  }
}

/** Round channels to a multiple of `divisor` (8: SIMD-friendly), never below 90% of v (MobileNet's rule). */
export function makeDivisible(v: number, divisor = 8): number {
  const rounded = Math.max(divisor, Math.floor(v + divisor / 2) - (Math.floor(v + divisor / 2) % divisor));
  return rounded < 0.9 * v ? rounded + divisor : rounded;
}
