/**
 * Whole-network gradients on the WASM backend with the agekit kernels against the CPU backend,
 * one network of each family agekit builds (MobileNetV2, MobileNetV3 with hard-swish and SE,
 * SE-ResNet / ResNet bottlenecks, VGG16, DenseNet-BC, edgenet) at a small input size. Both
 * models are built with the same seed, so they start from the same weights.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { buildNet } from '../../../../host/nets/index.ts';
import { groundTruthTargets } from '../../../../host/train/targets.ts';
import { registerWasmTrainingKernels } from '../../../../host/kernels/wasm/register.ts';
import { relativeError, seededValues } from './kernel-cases.ts';

// Per weight tensor, max |wasm - cpu| / max |cpu|. The kernels themselves agree within 1e-4;
// through dozens of layers with batch normalisation the summation order differs more.
const TOLERANCE = 2e-3;
const BATCH = 2;

const NETS: { name: string; head: 'regression' | 'dex'; size: [number, number] }[] = [
  { name: 'mobilenet64', head: 'dex', size: [32, 32] },
  { name: 'mobilenetv3small', head: 'regression', size: [32, 32] },
  { name: 'senet50', head: 'regression', size: [32, 32] },
  { name: 'resnet50', head: 'dex', size: [32, 32] },
  { name: 'vgg16', head: 'regression', size: [32, 32] },
  { name: 'densenet121bc', head: 'regression', size: [32, 32] },
  { name: 'edgenet', head: 'dex', size: [32, 32] },
];

function gradients(backendName: string, net: (typeof NETS)[number]): { names: string[]; values: Float32Array[] } {
  const model = buildNet(net.name, { head: net.head, seed: 3, inputSize: net.size });
  const [h, w] = net.size;
  const x = seededValues(BATCH * h * w * 3, 11).map((v) => v * 100);
  const batch = { n: BATCH, x, ages: Float32Array.from([23, 61]), samples: [] };
  const targets = groundTruthTargets(net.head);
  const target = targets.makeTargets(batch);
  const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
  const { grads } = tf.variableGrads(() => targets.loss(model.apply(tf.tensor4d(x, [BATCH, h, w, 3]), { training: true }) as tf.Tensor, target), vars);
  const names = vars.map((v) => v.name);
  const values = names.map((n) => grads[n].dataSync() as Float32Array);
  tf.dispose([...Object.values(grads), ...Object.values(target)]);
  model.dispose();
  if (tf.getBackend() !== backendName) throw new Error(`ran on ${tf.getBackend()}, expected ${backendName}`);
  return { names, values };
}

for (const net of NETS) {
  test.serial(`${net.name} (${net.head}) gradients on wasm with agekit kernels match the cpu backend`, async (t) => {
    await tf.setBackend('wasm');
    await tf.ready();
    registerWasmTrainingKernels({ replaceExisting: true });
    const wasm = gradients('wasm', net);
    await tf.setBackend('cpu');
    const cpu = gradients('cpu', net);
    t.is(wasm.values.length, cpu.values.length);
    let worst = { err: 0, name: '' };
    wasm.values.forEach((g, i) => {
      const err = relativeError(g, cpu.values[i]);
      if (!(err <= worst.err)) worst = { err, name: wasm.names[i] };
    });
    t.log(`${wasm.values.length} weight tensors, worst relative error ${worst.err.toExponential(2)} (${worst.name})`);
    t.true(worst.err <= TOLERANCE, `${worst.name}: relative error ${worst.err.toExponential(2)} > ${TOLERANCE}`);
  });
}
