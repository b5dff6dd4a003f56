// vgg16 builds with both heads and matches Keras VGG16 (138,357,544 params, keras.io/api/applications)
// with our head in place of `predictions` (4096 -> 1000); 15.47 G multiply-adds is the figure
// commonly quoted for VGG16 at 224 (13 convolutions + 3 dense layers). In a file of its own
// because its 103 M-weight fc1 takes seconds to initialise; never run forward here.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { buildNet, countMultiplyAdds, countParams, DEX_BINS } from '../../../host/nets/index.ts';

test.before(async () => {
  await tf.setBackend('cpu');
});

test('vgg16 builds with both heads and equals Keras VGG16 with our head for the 1000-way classifier', (t) => {
  for (const head of ['regression', 'dex'] as const) {
    const model = buildNet('vgg16', { head });
    const units = head === 'dex' ? DEX_BINS : 1;
    t.deepEqual(model.inputs[0].shape, [null, 224, 224, 3]);
    t.deepEqual(model.outputs[0].shape, [null, units]);
    t.is(countParams(model), 138_357_544 - (4096 * 1000 + 1000) + (4096 * units + units));
    const macs = countMultiplyAdds(model);
    t.true(Math.abs(macs - (15.47e9 - 4096 * 1000 + 4096 * units)) < 0.01 * 15.47e9, `${macs}`);
    model.dispose();
  }
});
