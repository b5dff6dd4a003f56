/**
 * The table of agekit networks and the functions around it: build a network by name with an age
 * head, list them, count their parameters and multiply-adds, load pretrained weights.
 *
 * @example
 * import { buildNet, countMultiplyAdds } from './host/nets/index.ts';
 * const model = buildNet('mobilenet64', { head: 'dex', seed: 1 }); // input [null, 64, 64, 3], output [null, 101]
 * console.log(countMultiplyAdds(model));
 */
import type * as tf from '@tensorflow/tfjs';
import { UsageError } from '../../core/errors.ts';
import type { BuildNetOptions, NetSpec } from './net-spec.ts';
import { buildMobileNetV2 } from './mobilenet-v2.ts';
import { buildMobileNetV3 } from './mobilenet-v3.ts';
import { buildVgg16 } from './vgg16.ts';
import { buildResNet50V2 } from './resnet50.ts';
import { buildSeResNet50 } from './se-resnet50.ts';
import { buildDenseNet121 } from './densenet121.ts';
import { buildEdgeNet, EDGENET_INPUT } from './edgenet.ts';

export type { BuildNetOptions, NetSpec } from './net-spec.ts';
export { countParams, countMultiplyAdds, layerMultiplyAdds } from './model-cost.ts';
export { loadPretrained, parsePretraining, type Pretraining, type PretrainedReport } from './pretrained.ts';
export { DEX_BINS, MAX_REGRESSION_AGE, HEAD_LAYER_NAMES, HEAD_LOSS, headUnits } from './heads.ts';
export { HardSigmoid, HardSwish } from './hard-activations.ts';

/**
 * Every tfjs layer class (getClassName()) the networks of this table use. The TFLite converter
 * checks its coverage against this list; a test keeps it equal to what the nets really contain.
 * `HardSwish` and `HardSigmoid` are agekit's own (hard-activations.ts); all others are standard.
 */
export const NET_LAYER_CLASSES: readonly string[] = [
  'InputLayer', 'Conv2D', 'DepthwiseConv2D', 'BatchNormalization', 'ReLU', 'Activation', 'HardSwish', 'HardSigmoid',
  'Add', 'Multiply', 'Concatenate', 'GlobalAveragePooling2D', 'AveragePooling2D', 'MaxPooling2D', 'Reshape', 'Flatten',
  'Dense', 'Softmax',
];

type Builder = (o: { inputSize: [number, number]; head: 'regression' | 'dex'; name: string; seed?: number }) => tf.LayersModel;

function spec(name: string, description: string, inputSize: [number, number], builder: Builder): NetSpec {
  return {
    name,
    description,
    inputSize,
    build: (o: BuildNetOptions) => builder({ inputSize: o.inputSize ?? inputSize, head: o.head ?? 'regression', name, seed: o.seed }),
  };
}

const v2 = (width: number): Builder => (o) => buildMobileNetV2({ ...o, width });
const v3 = (variant: 'small' | 'large'): Builder => (o) => buildMobileNetV3({ ...o, variant });

/** The networks, in the order `agekit nets` prints them. */
const NETS: readonly NetSpec[] = [
  spec('mobilenet224', 'MobileNetV2, width 1.0 (seed)', [224, 224], v2(1.0)),
  spec('mobilenet96', 'MobileNetV2, width 0.75 (seed)', [96, 96], v2(0.75)),
  spec('mobilenetv3small', 'MobileNetV3-Small 1.0 (seed)', [224, 224], v3('small')),
  spec('mobilenetv3small112', 'MobileNetV3-Small 1.0 at 112 px', [112, 112], v3('small')),
  spec('mobilenetv3large', 'MobileNetV3-Large 1.0 (seed)', [224, 224], v3('large')),
  spec('mobilenetv3large112', 'MobileNetV3-Large 1.0 at 112 px', [112, 112], v3('large')),
  spec('vgg16', 'VGG16 with fc1/fc2 (seed)', [224, 224], buildVgg16),
  spec('senet50', 'SE-ResNet-50, bottleneck blocks, r=16 (seed)', [224, 224], buildSeResNet50),
  spec('densenet121bc', 'DenseNet-BC-121, growth 32 (seed)', [224, 224], buildDenseNet121),
  spec('resnet50', 'ResNet-50 v2, pre-activation (seed: Keras ResNet50V2)', [224, 224], buildResNet50V2),
  spec('mobilenet64', 'MobileNetV2, width 0.35 (edge student)', [64, 64], v2(0.35)),
  spec('edgenet', 'agekit edge student: fused + inverted residuals, ReLU6 (edge student)', EDGENET_INPUT, buildEdgeNet),
];

/** All networks, in table order. */
export function listNets(): NetSpec[] {
  return [...NETS];
}

/** The names of all networks. */
export function netNames(): string[] {
  return NETS.map((n) => n.name);
}

/** The spec of one network; an unknown name is a UsageError that lists the known names. */
export function getNet(name: string): NetSpec {
  const net = NETS.find((n) => n.name === name);
  if (!net) throw new UsageError(`unknown network "${name}"`, { where: '--net', hint: `use one of ${netNames().join(', ')}` });
  return net;
}

/**
 * Build a fresh network by name. Input [batch, h, w, 3] float (preprocessed, see
 * core/contract/preprocessing.ts); output [batch, 1] (regression, 0..100) or [batch, 101]
 * (dex, probabilities). Defaults: head `regression`, the net's own input size, random init.
 */
export function buildNet(name: string, options: BuildNetOptions = {}): tf.LayersModel {
  const net = getNet(name);
  const size = options.inputSize;
  if (size && !(size.length === 2 && size.every((v) => Number.isInteger(v) && v >= 32))) {
    throw new UsageError(`input size must be two integers >= 32 (got ${JSON.stringify(size)})`, { where: name });
  }
  return net.build(options);
}
