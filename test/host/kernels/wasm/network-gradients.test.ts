/**
 * Whole-network gradients on the WASM backend with the agekit kernels against the CPU backend,
 * one network of each family agekit builds (MobileNetV2, MobileNetV3 with hard-swish and SE,
 * SE-ResNet / ResNet bottlenecks, VGG16, DenseNet-BC, edgenet) at a small input size. Both
 * models are built with the same seed, so they start from the same weights. Batch norm runs
 * in inference mode: with batch statistics over 2 images at 1x1 pixels the deepest layers'
 * gradients are chaotic (tiny differences amplified), which would test rounding, not kernels.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { buildNet } from '../../../../host/nets/index.ts';
import { groundTruthTargets } from '../../../../host/train/targets.ts';
import { registerWasmTrainingKernels } from '../../../../host/kernels/wasm/register.ts';
import { relativeError, seededValues } from './kernel-cases.ts';

// The kernels themselves agree within 1e-4; through dozens of layers with batch normalisation
// rounding differs more. Two measures: the relative L2 error of all gradients together, and per
// weight tensor max |wasm - cpu| / max |cpu| for tensors whose gradient is not itself rounding
// noise (a batch-norm shift followed by another batch norm has a true gradient of 0).
const TOLERANCE = 2e-3;
const NOISE_FLOOR = 1e-3;
const BATCH = 2;

const NETS: { name: string; head: 'regression' | 'dex'; size: [number, number] }[] = [
  { name: 'mobilenet64', head: 'dex', size: [32, 32] },
  { name: 'mobilenetv3small', head: 'dex', size: [32, 32] },
  { name: 'senet50', head: 'dex', size: [32, 32] },
  { name: 'resnet50', head: 'dex', size: [32, 32] },
  { name: 'vgg16', head: 'dex', size: [32, 32] },
  { name: 'densenet121bc', head: 'dex', size: [32, 32] },
  { name: 'edgenet', head: 'dex', size: [32, 32] },
];

function gradients(backendName: string, net: (typeof NETS)[number]): { names: string[]; values: Float32Array[] } {
  const model = buildNet(net.name, { head: net.head, seed: 3, inputSize: net.size });
  const [h, w] = net.size;
  const x = seededValues(BATCH * h * w * 3, 11);
  const batch = { n: BATCH, x, ages: Float32Array.from([23, 61]), samples: [] };
  const targets = groundTruthTargets(net.head);
  const target = targets.makeTargets(batch);
  const vars = model.trainableWeights.map((v) => v.read() as tf.Variable);
  const { grads } = tf.variableGrads(() => targets.loss(model.apply(tf.tensor4d(x, [BATCH, h, w, 3]), { training: false }) as tf.Tensor, target), vars);
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
    let diff2 = 0;
    let norm2 = 0;
    let largest = 0;
    cpu.values.forEach((g, i) => g.forEach((v, j) => {
      diff2 += (v - wasm.values[i][j]) ** 2;
      norm2 += v * v;
      largest = Math.max(largest, Math.abs(v));
    }));
    const overall = Math.sqrt(diff2 / norm2);
    let worst = { err: 0, name: '' };
    wasm.values.forEach((g, i) => {
      const scale = cpu.values[i].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      if (scale < NOISE_FLOOR * largest) return;
      const err = relativeError(g, cpu.values[i]);
      if (!(err <= worst.err)) worst = { err, name: wasm.names[i] };
    });
    t.log(`${wasm.values.length} weight tensors: overall relative L2 error ${overall.toExponential(2)}, worst tensor ${worst.err.toExponential(2)} (${worst.name})`);
    t.true(overall <= TOLERANCE, `overall relative L2 error ${overall.toExponential(2)} > ${TOLERANCE}`);
    t.true(worst.err <= TOLERANCE, `${worst.name}: relative error ${worst.err.toExponential(2)} > ${TOLERANCE}`);
  });
}
