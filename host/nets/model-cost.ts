/**
 * Size and cost of a LayersModel: parameter count and multiply-adds of one forward pass at
 * batch 1, computed from layer configs and shapes (no forward pass, so it is instant even for
 * vgg16). Multiply-adds count convolutions, depthwise convolutions and dense layers, the
 * convention of the MobileNet, ResNet and VGG papers; batch norm, activations, additions,
 * products and pooling are elementwise and not counted.
 *
 * @example
 * const macs = countMultiplyAdds(buildNet('mobilenet64')); // ~ 10e6
 */
import type * as tf from '@tensorflow/tfjs';
import { ModelFormatError } from '../../core/errors.ts';

/**
 * Number of scalar weights. By default all of them, as Keras's "Total params" (this includes
 * batch-norm moving mean and variance); `trainableOnly` counts what training updates, the
 * convention of papers and of PyTorch's parameter counts.
 */
export function countParams(model: tf.LayersModel, options: { trainableOnly?: boolean } = {}): number {
  const weights = options.trainableOnly ? model.trainableWeights : model.weights;
  let n = 0;
  for (const w of weights) n += (w.shape as (number | null)[]).reduce((a: number, d) => a * (d ?? 1), 1);
  return n;
}

/** Layer classes that hold no multiply-adds worth counting (elementwise, pooling, reshaping). */
const FREE_CLASSES = new Set([
  'InputLayer', 'BatchNormalization', 'ReLU', 'Activation', 'HardSwish', 'HardSigmoid', 'Softmax', 'Add', 'Multiply',
  'Concatenate', 'GlobalAveragePooling2D', 'AveragePooling2D', 'MaxPooling2D', 'ZeroPadding2D', 'Dropout', 'Reshape', 'Flatten',
]);

/** Multiply-adds of one layer for batch 1; see {@link countMultiplyAdds}. */
export function layerMultiplyAdds(layer: tf.layers.Layer): number {
  const cls = layer.getClassName();
  const config = layer.getConfig() as Record<string, unknown>;
  const input = layer.input as tf.SymbolicTensor | tf.SymbolicTensor[];
  const inShape = (Array.isArray(input) ? input[0] : input).shape;
  const outShape = (layer.output as tf.SymbolicTensor).shape;
  const spatial = (s: (number | null)[]) => s.slice(1, -1).reduce((a: number, d) => a * (d ?? 1), 1);
  const last = (s: (number | null)[]) => s[s.length - 1] ?? 1;
  const kernelArea = () => (config.kernelSize as number[]).reduce((a, d) => a * d, 1);
  switch (cls) {
    case 'Conv2D':
      return spatial(outShape) * last(outShape) * kernelArea() * last(inShape);
    case 'DepthwiseConv2D':
      return spatial(outShape) * last(outShape) * kernelArea();
    case 'Dense':
      // A Dense on [b, ..., in] applies the matrix at every leading position.
      return spatial([null, ...inShape.slice(1)]) * last(inShape) * last(outShape);
    default:
      if (FREE_CLASSES.has(cls) || layer.countParams() === 0) return 0;
      throw new ModelFormatError(`layer "${layer.name}" of class ${cls} has weights but no multiply-add rule`, {
        where: 'countMultiplyAdds', hint: 'add a rule for the class in host/nets/model-cost.ts',
      });
  }
}

/**
 * Multiply-adds (MACs) of one forward pass at batch 1. Nested models are counted through.
 * Throws a ModelFormatError naming the layer for a weighted layer class it has no rule for,
 * rather than returning a wrong total.
 */
export function countMultiplyAdds(model: tf.LayersModel): number {
  let total = 0;
  for (const layer of model.layers) {
    total += 'layers' in layer ? countMultiplyAdds(layer as unknown as tf.LayersModel) : layerMultiplyAdds(layer);
  }
  return total;
}
