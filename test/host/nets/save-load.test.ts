// Networks survive a tf.io save/load round trip (custom hard-swish/hard-sigmoid layers included),
// train one step on the cpu backend (gradients exist for every layer), and run forward on the wasm
// backend with the same result as cpu.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { buildNet, HEAD_LOSS, DEX_BINS } from '../../../host/nets/index.ts';

test.before(async () => {
  await tf.setBackend('cpu');
});

async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  // Through JSON text, as a model.json on disk would be.
  const topology = JSON.parse(JSON.stringify(saved!.modelTopology));
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs: saved!.weightSpecs, weightData: saved!.weightData }));
}

const cases: Array<[string, 'regression' | 'dex', [number, number] | undefined]> = [
  ['mobilenetv3small112', 'dex', undefined], ['mobilenetv3large112', 'regression', [48, 48]], ['edgenet', 'regression', undefined],
  // The 224 px nets at 32 px: the same layers, a fraction of the cpu time.
  ['mobilenet64', 'dex', undefined], ['senet50', 'dex', [32, 32]], ['densenet121bc', 'regression', [32, 32]], ['resnet50', 'regression', [32, 32]],
];

for (const [name, head, inputSize] of cases) {
  test.serial(`${name} (${head}) saves and loads through tf.io with identical outputs`, async (t) => {
    const model = buildNet(name, { head, inputSize, seed: 11 });
    const [h, w] = inputSize ?? (model.inputs[0].shape.slice(1, 3) as [number, number]);
    // Move BN statistics off their initial values so the round trip has to carry them.
    for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
      layer.setWeights(layer.getWeights().map((v, i) => tf.add(v, tf.randomUniform(v.shape, 0.1, i === 3 ? 1 : 0.5, 'float32', i))));
    }
    // Bring a regression head inside its 0..100 clip, so equal outputs mean something.
    if (head === 'regression') {
      const dense = model.getLayer('age_dense');
      dense.setWeights([tf.mul(dense.getWeights()[0], 1e-3), tf.tensor1d([50])]);
    }
    const loaded = await roundTrip(model);
    t.is(loaded.name, name);
    t.deepEqual(loaded.layers.map((l) => l.getClassName()), model.layers.map((l) => l.getClassName()));
    const x = tf.randomNormal([2, h, w, 3], 0, 40, 'float32', 12);
    const a = (model.predict(x) as tf.Tensor).dataSync(), b = (loaded.predict(x) as tf.Tensor).dataSync();
    t.true(a.some((v) => v > 0 && v < 100), `outputs ${a}`);
    t.deepEqual(Array.from(b), Array.from(a));
    model.dispose();
    loaded.dispose();
  });
}

test.serial('mobilenetv3small112 (hard-swish, SE) and edgenet train one step on cpu with either head: loss is finite and weights move', async (t) => {
  for (const [name, head] of [['mobilenetv3small112', 'dex'], ['edgenet', 'regression']] as const) {
    const model = buildNet(name, { head, inputSize: [32, 32], seed: 21 }); // 32 px: cpu backprop is slow
    model.compile({ optimizer: tf.train.sgd(0.01), loss: HEAD_LOSS[head] });
    const x = tf.randomNormal([4, 32, 32, 3], 0, 40, 'float32', 22);
    const y = head === 'dex' ? tf.oneHot(tf.tensor1d([20, 30, 40, 50], 'int32'), DEX_BINS).toFloat() : tf.tensor2d([[20], [30], [40], [50]]);
    const conv = model.layers.find((l) => l.getClassName() === 'Conv2D')!;
    const before = conv.getWeights()[0].dataSync().slice();
    const h = await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    const loss = h.history.loss[0] as number;
    t.true(Number.isFinite(loss), `${name}: loss ${loss}`);
    const after = conv.getWeights()[0].dataSync();
    t.true(after.some((v, i) => v !== before[i]), `${name}: first convolution did not change`);
    model.dispose();
  }
});

test.serial('the edge students at full size and the other nets at 32 px run forward on the wasm backend with the cpu result', async (t) => {
  const nets = ['edgenet', 'mobilenet64', 'mobilenetv3small112', 'mobilenetv3large112', 'resnet50', 'senet50', 'densenet121bc'];
  const small = new Set(['mobilenetv3large112', 'resnet50', 'senet50', 'densenet121bc']);
  const cpuOut: Float32Array[] = [];
  const models = nets.map((n) => buildNet(n, { head: 'dex', seed: 31, inputSize: small.has(n) ? [32, 32] : undefined }));
  const inputs = models.map((m) => tf.randomNormal([1, ...(m.inputs[0].shape.slice(1) as number[])], 0, 40, 'float32', 32));
  models.forEach((m, i) => cpuOut.push((m.predict(inputs[i]) as tf.Tensor).dataSync() as Float32Array));
  await tf.setBackend('wasm');
  try {
    models.forEach((m, i) => {
      const out = (m.predict(inputs[i]) as tf.Tensor).dataSync();
      const maxDiff = Array.from(out).reduce((d: number, v, k) => Math.max(d, Math.abs(v - cpuOut[i][k])), 0);
      t.true(maxDiff < 1e-4, `${nets[i]}: wasm differs from cpu by ${maxDiff}`);
    });
  } finally {
    await tf.setBackend('cpu');
    models.forEach((m) => m.dispose());
  }
});
