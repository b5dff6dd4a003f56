/**
 * Shared fixtures of the converter tests: a small tf.layers model using every layer class the
 * converter maps, deterministic weight perturbation (freshly built nets have zero biases, unit
 * batch norms and, for the regression head, an output clipped to 0), and output comparison.
 */
import * as tf from '@tensorflow/tfjs';

/** Perturb every weight deterministically so outputs depend on all of them; `age_dense` bias moves the regression output into 0..100. */
export function perturbWeights(model: tf.LayersModel, seed = 7): void {
  let s = seed;
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    layer.setWeights(ws.map((w, i) => tf.tidy(() => {
      const name = layer.weights[i].originalName;
      if (name.includes('variance')) return w.mul(tf.randomUniform(w.shape, 0.8, 1.25, 'float32', s++));
      if (layer.name === 'age_dense') {
        // A zero-initialized regression head: spread ages over ~20..60 years from the features.
        return name.endsWith('bias') ? w.add(40) : tf.randomNormal(w.shape, 0, 10 / Math.sqrt(w.shape[0]), 'float32', s++);
      }
      const std = Math.sqrt(tf.mean(tf.square(w)).dataSync()[0]) || 0.05;
      return w.add(tf.randomNormal(w.shape, 0, 0.2 * std + 1e-3, 'float32', s++));
    })));
  }
}

/** A model with Conv2D, DepthwiseConv2D, BatchNormalization, ReLU/relu6, Add, Multiply, Concatenate, pooling, ZeroPadding2D, GlobalAveragePooling2D, Dense, Dropout, Reshape, Softmax. */
export function mixedLayersModel(size = 32): tf.LayersModel {
  const L = tf.layers;
  const inp = tf.input({ shape: [size, size, 3], name: 'image' });
  let x = L.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'stem' }).apply(inp) as tf.SymbolicTensor;
  x = L.batchNormalization({ name: 'stem_bn' }).apply(x) as tf.SymbolicTensor;
  x = L.reLU({ maxValue: 6, name: 'stem_relu6' }).apply(x) as tf.SymbolicTensor;
  let y = L.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, name: 'dw' }).apply(x) as tf.SymbolicTensor;
  y = L.batchNormalization({ name: 'dw_bn' }).apply(y) as tf.SymbolicTensor;
  y = L.activation({ activation: 'relu', name: 'dw_relu' }).apply(y) as tf.SymbolicTensor;
  y = L.conv2d({ filters: 8, kernelSize: 1, activation: 'relu6', name: 'project' }).apply(y) as tf.SymbolicTensor;
  let z = L.add({ name: 'residual' }).apply([x, y]) as tf.SymbolicTensor;
  z = L.zeroPadding2d({ padding: [[1, 0], [1, 0]], name: 'pad' }).apply(z) as tf.SymbolicTensor;
  const a = L.maxPooling2d({ poolSize: 2, name: 'maxpool' }).apply(z) as tf.SymbolicTensor;
  const b = L.averagePooling2d({ poolSize: 2, name: 'avgpool' }).apply(z) as tf.SymbolicTensor;
  const c = L.concatenate({ name: 'concat' }).apply([a, b]) as tf.SymbolicTensor;
  const m = L.multiply({ name: 'mul' }).apply([c, c]) as tf.SymbolicTensor;
  let g = L.globalAveragePooling2d({ name: 'gap' }).apply(m) as tf.SymbolicTensor;
  g = L.dropout({ rate: 0.5, name: 'drop' }).apply(g) as tf.SymbolicTensor;
  g = L.dense({ units: 12, activation: 'relu', name: 'fc' }).apply(g) as tf.SymbolicTensor;
  g = L.reshape({ targetShape: [12], name: 'reshape' }).apply(g) as tf.SymbolicTensor;
  g = L.dense({ units: 5, name: 'logits' }).apply(g) as tf.SymbolicTensor;
  const out = L.softmax({ name: 'probs' }).apply(g) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: out, name: 'mixed' });
}

/** Largest |a - b| and that relative to the largest |a|. */
export function compareOutputs(ref: ArrayLike<number>, got: ArrayLike<number>): { maxAbs: number; rel: number } {
  let maxAbs = 0, maxRef = 0;
  for (let i = 0; i < ref.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(ref[i] - got[i]));
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
  }
  return { maxAbs, rel: maxRef > 0 ? maxAbs / maxRef : maxAbs };
}

/** A deterministic input in [-1, 1], [1, h, w, 3]. */
export function testInput(h: number, w: number, seed = 3): Float32Array {
  return tf.tidy(() => tf.randomUniform([1, h, w, 3], -1, 1, 'float32', seed).dataSync() as Float32Array);
}

/**
 * Set every batch norm's moving mean and variance to the statistics of its input on `x`, layer
 * by layer, as training would: a freshly built deep net otherwise shrinks its signal to a
 * constant and every input gives the same output.
 */
export function recalibrateBatchNorms(model: tf.LayersModel, x: tf.Tensor4D): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const sub = tf.model({ inputs: model.inputs, outputs: layer.input as tf.SymbolicTensor });
    const [mean, variance] = tf.tidy(() => {
      const a = sub.predict(x) as tf.Tensor;
      const m = tf.moments(a, [0, 1, 2]);
      return [m.mean, m.variance.add(1e-3)];
    });
    const names = layer.weights.map((w) => w.originalName);
    layer.setWeights(layer.getWeights().map((w, i) => (names[i].endsWith('moving_mean') ? mean : names[i].endsWith('moving_variance') ? variance : w)));
  }
}
