/**
 * Whole-network gradients on the WASM backend with the agekit kernels against the CPU backend,
 * one network of each family agekit builds: the real MobileNetV2 (mobilenet64), MobileNetV3 with
 * hard-swish and SE (mobilenetv3small) and edgenet at 32x32; the big families as narrow models
 * of the same layers built here (SE-ResNet bottleneck, pre-activation ResNet v2 bottleneck, VGG,
 * DenseNet-BC), because the CPU backend needs minutes for the full ones. The full senet50,
 * resnet50, vgg16 and densenet121bc run with AGEKIT_HEAVY_TESTS=1. Both sides are built with the
 * same seed, so they start from the same weights. Batch norm runs
 * in inference mode: with batch statistics over 2 images at 1x1 pixels the deepest layers'
 * gradients are chaotic (tiny differences amplified), which would test rounding, not kernels.
 */
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { buildNet, HardSwish } from '../../../../host/nets/index.ts';
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

type Sym = tf.SymbolicTensor;
const init = (seed: number) => tf.initializers.glorotUniform({ seed });
const conv = (x: Sym, filters: number, k: number, s: number, seed: number, activation?: 'relu') =>
  tf.layers.conv2d({ filters, kernelSize: k, strides: s, padding: 'same', kernelInitializer: init(seed), activation }).apply(x) as Sym;
const bn = (x: Sym) => tf.layers.batchNormalization().apply(x) as Sym;
const relu = (x: Sym) => tf.layers.activation({ activation: 'relu' }).apply(x) as Sym;
const dexHead = (x: Sym, seed: number) =>
  tf.layers.dense({ units: 101, activation: 'softmax', kernelInitializer: init(seed) }).apply(tf.layers.globalAveragePooling2d({}).apply(x) as Sym) as Sym;

/** Narrow models of the big families, same layer types as host/nets builds. */
const SMALL: Record<string, () => tf.LayersModel> = {
  // SE-ResNet: 7x7/2 stem, max pool, bottleneck 1x1-3x3-1x1 with squeeze-and-excitation, strided projection shortcut.
  'se-resnet bottleneck': () => {
    const input = tf.input({ shape: [32, 32, 3] });
    let x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(relu(bn(conv(input, 8, 7, 2, 1)))) as Sym;
    let y = relu(bn(conv(x, 4, 1, 1, 2)));
    y = relu(bn(conv(y, 4, 3, 2, 3)));
    y = bn(conv(y, 16, 1, 1, 4));
    let se = tf.layers.globalAveragePooling2d({}).apply(y) as Sym;
    se = tf.layers.reshape({ targetShape: [1, 1, 16] }).apply(se) as Sym;
    se = conv(se, 4, 1, 1, 5, 'relu');
    se = tf.layers.conv2d({ filters: 16, kernelSize: 1, activation: 'sigmoid', kernelInitializer: init(6) }).apply(se) as Sym;
    y = tf.layers.multiply().apply([y, se]) as Sym;
    x = relu(tf.layers.add().apply([y, bn(conv(x, 16, 1, 2, 7))]) as Sym);
    return tf.model({ inputs: input, outputs: dexHead(x, 8) });
  },
  // ResNet v2: pre-activation bottleneck, identity shortcut, stride on the 3x3.
  'resnet v2 bottleneck': () => {
    const input = tf.input({ shape: [32, 32, 3] });
    let x = conv(input, 16, 7, 2, 1);
    const pre = relu(bn(x));
    let y = conv(pre, 4, 1, 1, 2);
    y = conv(relu(bn(y)), 4, 3, 1, 3);
    y = conv(relu(bn(y)), 16, 1, 1, 4);
    x = tf.layers.add().apply([x, y]) as Sym;
    x = tf.layers.maxPooling2d({ poolSize: 1, strides: 2 }).apply(relu(bn(x))) as Sym;
    return tf.model({ inputs: input, outputs: dexHead(x, 5) });
  },
  // VGG: 3x3 convolutions with ReLU, max pools, flatten and fully connected layers.
  vgg: () => {
    const input = tf.input({ shape: [32, 32, 3] });
    let x = conv(conv(input, 8, 3, 1, 1, 'relu'), 8, 3, 1, 2, 'relu');
    x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as Sym;
    x = conv(conv(x, 16, 3, 1, 3, 'relu'), 16, 3, 1, 4, 'relu');
    x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as Sym;
    x = tf.layers.flatten().apply(x) as Sym;
    x = tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: init(5) }).apply(x) as Sym;
    x = tf.layers.dense({ units: 101, activation: 'softmax', kernelInitializer: init(6) }).apply(x) as Sym;
    return tf.model({ inputs: input, outputs: x });
  },
  // DenseNet-BC: BN-ReLU-1x1-BN-ReLU-3x3 layers concatenated, transition 1x1 and average pool.
  'densenet-bc': () => {
    const input = tf.input({ shape: [32, 32, 3] });
    let x = conv(input, 8, 3, 2, 1);
    for (let i = 0; i < 2; i++) {
      const y = conv(relu(bn(conv(relu(bn(x)), 16, 1, 1, 10 + i))), 4, 3, 1, 20 + i);
      x = tf.layers.concatenate().apply([x, y]) as Sym;
    }
    x = tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }).apply(conv(relu(bn(x)), 8, 1, 1, 30)) as Sym;
    return tf.model({ inputs: input, outputs: dexHead(relu(bn(x)), 31) });
  },
  // MobileNetV3 pieces not in V2: hard-swish (agekit layer) and a 5x5 depthwise with SE.
  'hard-swish + se depthwise': () => {
    const input = tf.input({ shape: [32, 32, 3] });
    let x = new HardSwish({}).apply(bn(conv(input, 16, 3, 2, 1))) as Sym;
    x = tf.layers.depthwiseConv2d({ kernelSize: 5, strides: 2, padding: 'same', depthwiseInitializer: init(2) }).apply(x) as Sym;
    let se = tf.layers.reshape({ targetShape: [1, 1, 16] }).apply(tf.layers.globalAveragePooling2d({}).apply(x) as Sym) as Sym;
    se = tf.layers.conv2d({ filters: 16, kernelSize: 1, activation: 'hardSigmoid', kernelInitializer: init(3) }).apply(conv(se, 8, 1, 1, 4, 'relu')) as Sym;
    x = tf.layers.multiply().apply([x, se]) as Sym;
    return tf.model({ inputs: input, outputs: dexHead(new HardSwish({}).apply(x) as Sym, 5) });
  },
};

const HEAVY = process.env.AGEKIT_HEAVY_TESTS === '1';
const NETS: { name: string; head: 'regression' | 'dex'; size: [number, number]; heavy?: boolean }[] = [
  { name: 'mobilenet64', head: 'dex', size: [32, 32] },
  { name: 'mobilenetv3small', head: 'dex', size: [32, 32] },
  { name: 'edgenet', head: 'dex', size: [32, 32] },
  ...Object.keys(SMALL).map((name) => ({ name, head: 'dex' as const, size: [32, 32] as [number, number] })),
  ...['senet50', 'resnet50', 'vgg16', 'densenet121bc'].map((name) => ({ name, head: 'dex' as const, size: [32, 32] as [number, number], heavy: true })),
];

function gradients(backendName: string, net: (typeof NETS)[number]): { names: string[]; values: Float32Array[] } {
  const model = SMALL[net.name] ? SMALL[net.name]() : buildNet(net.name, { head: net.head, seed: 3, inputSize: net.size });
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
  const run = net.heavy && !HEAVY ? test.skip : test.serial;
  run(`${net.name}${net.heavy ? ' (full size, AGEKIT_HEAVY_TESTS=1)' : ''} gradients on wasm with agekit kernels match the cpu backend`, async (t) => {
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
