// Every network of the table builds with both heads, with the right input and output shapes, and
// uses only the layer classes it declares to the converter. vgg16 is in vgg16.test.ts (slow to build).
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { buildNet, countMultiplyAdds, getNet, listNets, NET_LAYER_CLASSES, DEX_BINS } from '../../../host/nets/index.ts';
import { HEAD_TYPES } from '../../../core/contract/model-metadata.ts';
import { UsageError } from '../../../core/errors.ts';

test.before(async () => {
  await tf.setBackend('cpu');
});

const seen = new Set<string>();

for (const spec of listNets().filter((n) => n.name !== 'vgg16')) {
  test.serial(`${spec.name} builds with both heads: input [null, ${spec.inputSize.join(", ")}, 3], outputs [null, 1] and [null, ${DEX_BINS}]`, (t) => {
    for (const head of HEAD_TYPES) {
      const model = buildNet(spec.name, { head, seed: 1 });
      try {
        t.is(model.name, spec.name);
        t.deepEqual(model.inputs[0].shape, [null, spec.inputSize[0], spec.inputSize[1], 3]);
        t.deepEqual(model.outputs[0].shape, [null, head === 'dex' ? DEX_BINS : 1]);
        const names = model.layers.map((l) => l.name);
        t.is(new Set(names).size, names.length, 'layer names are unique');
        for (const l of model.layers) seen.add(l.getClassName());
      } finally {
        model.dispose();
      }
    }
  });
}

test.serial('the nets use exactly the layer classes NET_LAYER_CLASSES declares (vgg16 adds none beyond them)', (t) => {
  // vgg16 uses Conv2D, ReLU, MaxPooling2D, Flatten, Dense: all already used by the others.
  t.deepEqual([...seen].sort(), [...NET_LAYER_CLASSES].sort());
});

test('a smaller input size builds and runs forward (edge students at 48 px, dex head sums to 1)', (t) => {
  for (const name of ['mobilenet64', 'edgenet', 'mobilenetv3small']) {
    const model = buildNet(name, { head: 'dex', inputSize: [48, 48], seed: 2 });
    const y = model.predict(tf.randomNormal([2, 48, 48, 3], 0, 50, 'float32', 3)) as tf.Tensor;
    t.deepEqual(y.shape, [2, DEX_BINS]);
    const sums = Array.from(tf.sum(y, 1).dataSync());
    for (const s of sums) t.true(Math.abs(s - 1) < 1e-4, `${name}: softmax row sums to ${s}`);
    tf.dispose([y]);
    model.dispose();
  }
});

test('the regression head clips its output to 0..100', (t) => {
  const model = buildNet('mobilenet64', { head: 'regression', seed: 3 });
  // Drive the output far positive and far negative through the head's bias.
  const dense = model.getLayer('age_dense');
  const [kernel] = dense.getWeights();
  for (const [bias, expected] of [[1e4, 100], [-1e4, 0]] as const) {
    dense.setWeights([tf.zerosLike(kernel), tf.tensor1d([bias])]);
    const y = model.predict(tf.randomNormal([3, 64, 64, 3], 0, 50, 'float32', 4)) as tf.Tensor;
    t.deepEqual(Array.from(y.dataSync()), [expected, expected, expected]);
  }
  model.dispose();
});

test('the same seed gives the same weights; another seed different ones', (t) => {
  const a = buildNet('edgenet', { seed: 5 }), b = buildNet('edgenet', { seed: 5 }), c = buildNet('edgenet', { seed: 6 });
  const first = (m: tf.LayersModel) => Array.from(m.getLayer('block3_expand').getWeights()[0].dataSync().slice(0, 16));
  t.deepEqual(first(a), first(b));
  t.notDeepEqual(first(a), first(c));
  [a, b, c].forEach((m) => m.dispose());
});

test('edgenet, our own student, stays under 50 million multiply-adds with either head', (t) => {
  for (const head of HEAD_TYPES) {
    const model = buildNet('edgenet', { head });
    const macs = countMultiplyAdds(model);
    t.log(`edgenet ${head}: ${(macs / 1e6).toFixed(1)} M multiply-adds`);
    t.true(macs < 50e6 && macs > 5e6, `${macs}`);
    model.dispose();
  }
});

test('an unknown network name is a UsageError that lists the known names', (t) => {
  const err = t.throws(() => getNet('mobilenet65'), { instanceOf: UsageError });
  t.regex(err!.message, /unknown network "mobilenet65"/);
  for (const n of listNets()) t.true(err!.message.includes(n.name));
  t.throws(() => buildNet('edgenet', { inputSize: [16, 16] }), { instanceOf: UsageError, message: /input size/ });
});
