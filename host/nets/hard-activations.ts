/**
 * Hard sigmoid and hard swish, the piecewise-linear activations of MobileNetV3, as two small
 * serializable tfjs layers. tfjs has no such layers (its `hardSigmoid` activation is Keras's
 * 0.2x+0.5 variant, not MobileNetV3's), so they are registered with tf.serialization: a model
 * that uses them saves and loads like any other once this module has been imported.
 *
 * @example
 * const y = new HardSwish({ name: 'conv_1_hswish' }).apply(x) as tf.SymbolicTensor;
 */
import * as tf from '@tensorflow/tfjs';

/**
 * hard_sigmoid(x) = relu6(x + 3) / 6, i.e. 0 for x <= -3, 1 for x >= 3, linear in between.
 * Shape in = shape out. Written with Relu6, Add and Mul so every backend (and TFLite:
 * ADD, RELU6, MUL, or the fused HARD_SWISH pattern) has the ops.
 */
export class HardSigmoid extends tf.layers.Layer {
  static className = 'HardSigmoid';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => hardSigmoid(x));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }
}

/**
 * hard_swish(x) = x * relu6(x + 3) / 6 = x * hard_sigmoid(x). Shape in = shape out.
 * Equals TFLite's HARD_SWISH builtin.
 */
export class HardSwish extends tf.layers.Layer {
  static className = 'HardSwish';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.mul(x, hardSigmoid(x)));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }
}

function hardSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.relu6(tf.add(x, 3)), 1 / 6);
}

// tfjs resolves layer classes by name from one global registry when it loads a model.json;
// registering here means importing the nets module is enough to load checkpoints that use them.
tf.serialization.registerClass(HardSigmoid);
tf.serialization.registerClass(HardSwish);
