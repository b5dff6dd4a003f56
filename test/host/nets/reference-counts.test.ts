// Parameter counts and multiply-adds of the standard networks agree with published figures.
// Each expectation is computed here from the documented figure for the network with its
// ImageNet classifier: remove that classifier, add our head (Dense(C->1) = C+1 weights and C
// multiply-adds for the regression head), compare within a tolerance.
// Sources:
//  [keras]  keras.io/api/applications table and model.summary() "Total params" (these include
//           batch-norm moving statistics): MobileNetV2 3,538,984; ResNet50V2 25,613,800;
//           DenseNet121 8,062,504; VGG16 138,357,544 (in vgg16.test.ts). MobileNetV2 alpha 0.75
//           at 224: 2,663,064.
//  [mnv2]   Sandler et al. 2018, MobileNetV2, Table/figure of width multipliers at 224:
//           1.0 -> 300 M MAdds, 0.75 -> 209 M, 0.35 -> 59 M.
//  [mnv3]   Howard et al. 2019, Searching for MobileNetV3, Table 3: Large 1.0: 219 M MAdds,
//           5.4 M params; Small 1.0: 56 M MAdds, 2.5 M params (trainable, 1000 classes).
//  [senet]  Hu et al. 2018, Squeeze-and-Excitation Networks, Table 2: SE-ResNet-50 3.87 GFLOPs
//           (multiply-adds) and 28.1 M params; ResNet-50 3.86 GFLOPs.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { buildNet, countMultiplyAdds, countParams } from '../../../host/nets/index.ts';

test.before(async () => {
  await tf.setBackend('cpu');
});

/** Weights and multiply-adds of a Dense classifier from C features to k classes. */
const denseParams = (c: number, k: number) => c * k + k;
const denseMacs = (c: number, k: number) => c * k;

function measure(name: string, inputSize?: [number, number]) {
  const model = buildNet(name, { head: 'regression', inputSize });
  const r = { params: countParams(model), trainable: countParams(model, { trainableOnly: true }), macs: countMultiplyAdds(model) };
  model.dispose();
  return r;
}

function near(actual: number, expected: number, relTol: number): boolean {
  return Math.abs(actual - expected) <= relTol * expected;
}

test('mobilenet224 = Keras MobileNetV2 1.0 (3,538,984 params) and the paper\'s 300 M MAdds, with our head for the 1000-way one', (t) => {
  const m = measure('mobilenet224');
  t.true(near(m.params, 3_538_984 - denseParams(1280, 1000) + denseParams(1280, 1), 0.001), `${m.params}`);
  t.true(near(m.macs, 300e6 - denseMacs(1280, 1000) + denseMacs(1280, 1), 0.02), `${m.macs}`);
});

test('mobilenet96 = Keras MobileNetV2 0.75 (2,663,064 params at 224); MAdds = paper\'s 209 M scaled by (96/224)^2', (t) => {
  const m = measure('mobilenet96');
  t.true(near(m.params, 2_663_064 - denseParams(1280, 1000) + denseParams(1280, 1), 0.001), `${m.params}`);
  // 96 and 224 are multiples of the total stride 32, so every feature map scales by exactly 96/224.
  const backbone224 = 209e6 - denseMacs(1280, 1000);
  t.true(near(m.macs, backbone224 * (96 / 224) ** 2 + denseMacs(1280, 1), 0.02), `${m.macs}`);
});

test('mobilenet64: MobileNetV2 0.35, MAdds = paper\'s 59 M at 224 scaled by (64/224)^2', (t) => {
  const m = measure('mobilenet64');
  const backbone224 = 59e6 - denseMacs(1280, 1000);
  t.true(near(m.macs, backbone224 * (64 / 224) ** 2 + denseMacs(1280, 1), 0.03), `${m.macs}`);
  t.log(`mobilenet64: ${m.params} params, ${(m.macs / 1e6).toFixed(2)} M MACs`);
});

for (const [name, paperParams, paperMacs, lastCh] of [['mobilenetv3small', 2.5e6, 56e6, 1024], ['mobilenetv3large', 5.4e6, 219e6, 1280]] as const) {
  test(`${name} matches the MobileNetV3 paper (${paperParams / 1e6} M params, ${paperMacs / 1e6} M MAdds) with our head for the classifier`, (t) => {
    const m = measure(name);
    // The paper rounds to 0.1 M parameters: 3% covers the rounding.
    t.true(near(m.trainable, paperParams - denseParams(lastCh, 1000) + denseParams(lastCh, 1), 0.03), `${m.trainable}`);
    t.true(near(m.macs, paperMacs - denseMacs(lastCh, 1000) + denseMacs(lastCh, 1), 0.03), `${m.macs}`);
  });
}

test('the 112 px MobileNetV3 variants have the same weights and about a quarter of the multiply-adds', (t) => {
  for (const v of ['small', 'large']) {
    const full = measure(`mobilenetv3${v}`), half = measure(`mobilenetv3${v}112`);
    t.is(half.params, full.params);
    t.true(half.macs < full.macs * 0.3 && half.macs > full.macs * 0.25, `${half.macs} vs ${full.macs}`);
  }
});

test('resnet50 = Keras ResNet50V2 (25,613,800 params) with our head for the 1000-way one', (t) => {
  const m = measure('resnet50');
  t.true(near(m.params, 25_613_800 - denseParams(2048, 1000) + denseParams(2048, 1), 0.001), `${m.params}`);
});

test('densenet121bc = Keras DenseNet121 (8,062,504 params) with our head for the 1000-way one', (t) => {
  const m = measure('densenet121bc');
  t.true(near(m.params, 8_062_504 - denseParams(1024, 1000) + denseParams(1024, 1), 0.001), `${m.params}`);
});

test('senet50 matches SE-ResNet-50 (28.1 M params, 3.87 G MAdds) and exceeds ResNet-50 by the SE weights 2/16 * sum(N*C^2) + biases', (t) => {
  const m = measure('senet50');
  t.true(near(m.trainable, 28.1e6 - denseParams(2048, 1000) + denseParams(2048, 1), 0.01), `${m.trainable}`);
  t.true(near(m.macs, 3.87e9 - denseMacs(2048, 1000) + denseMacs(2048, 1), 0.01), `${m.macs}`);
  // Paper, section 4: SE adds 2/r * sum_s N_s * C_s^2 weights (r = 16), plus biases N_s*(C_s/r + C_s).
  const stages = [[3, 256], [4, 512], [6, 1024], [3, 2048]];
  const se = stages.reduce((n, [blocks, c]) => n + blocks * ((2 / 16) * c * c + c / 16 + c), 0);
  // torchvision ResNet-50 (no conv biases, like ours): 25,557,032 trainable parameters with its 1000-way fc.
  t.is(m.trainable, 25_557_032 - denseParams(2048, 1000) + denseParams(2048, 1) + se);
});
