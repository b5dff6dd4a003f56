// Teachers described by a JSON file: a tfjs layers model and the same model as .tflite (native runtime) give the model's own ages on real faces.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../core/backend/tfjs-backend.ts';
import { METADATA_FORMAT, METADATA_VERSION, defaultReadout, readAges, type ModelMetadata } from '../../../core/contract/model-metadata.ts';
import { normalizePixels } from '../../../core/contract/preprocessing.ts';
import { saveCheckpoint } from '../../../host/checkpoint/checkpoint.ts';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import { buildNet } from '../../../host/nets/index.ts';
import { convertModel } from '../../../converters/convert-model.ts';
import { loadTeacher } from '../../../host/distill/teacher-registry.ts';
import { tfliteCost } from '../../../host/distill/tflite-cost.ts';
import { readTflite } from '../../../core/tflite/read-tflite.ts';
import { countMultiplyAdds } from '../../../host/nets/model-cost.ts';
import { readFile } from 'node:fs/promises';
import { readTeacherCrop } from '../../../host/distill/teacher-input.ts';
import { dataTest, utkfaceDir } from '../../support/shared-data.ts';

test.before(async () => { await initBackend('wasm'); });

dataTest(test).serial('layers-model and .tflite teachers from descriptor files give the model\'s own ages', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-desc-teacher-'));
  const model = buildNet('mobilenet64', { head: 'dex', seed: 8 });
  const meta: ModelMetadata = {
    format: METADATA_FORMAT, version: METADATA_VERSION, net: 'mobilenet64', inputSize: [64, 64], preprocessing: 'vggface2',
    head: 'dex', readout: defaultReadout('dex'), crop: { margin: 0, square: true },
  };
  await saveCheckpoint(join(dir, 'ckpt'), model, meta);
  await convertModel({ model: join(dir, 'ckpt'), out: join(dir, 'student.tflite') });
  const common = { inputSize: [64, 64], normalization: 'vggface2', output: 0, readout: { kind: 'expected', bins: 101, firstAge: 0 } };
  await writeFile(join(dir, 'layers.json'), JSON.stringify({ name: 'm64-layers', kind: 'layers', model: 'ckpt/model.json', ...common }));
  await writeFile(join(dir, 'tflite.json'), JSON.stringify({ name: 'm64-tflite', model: 'student.tflite', ...common }));

  const ds = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=4:seed=6`);
  const layers = await loadTeacher(join(dir, 'layers.json'));
  const tflite = await loadTeacher(join(dir, 'tflite.json'));
  t.is(tflite.descriptor.kind, 'tflite', 'kind inferred from the .tflite extension');
  const crops = await Promise.all(ds.samples.map((s) => readTeacherCrop(layers.descriptor, s)));
  // Reference: the model itself on the contract's normalization.
  const x = tf.tensor4d(Float32Array.from(crops.flatMap((c) => Array.from(normalizePixels(c, 'vggface2')))), [crops.length, 64, 64, 3]);
  const y = model.predict(x) as tf.Tensor;
  const expected = readAges(await y.data(), crops.length, meta.readout);
  tf.dispose([x, y]);
  const a = await layers.predict(crops), b = await tflite.predict(crops);
  for (let i = 0; i < crops.length; i++) {
    t.true(Math.abs(a.ages[i] - expected[i]) < 1e-3, `layers ${a.ages[i]} vs model ${expected[i]}`);
    t.true(Math.abs(b.ages[i] - expected[i]) < 0.05, `tflite ${b.ages[i]} vs model ${expected[i]}`);
  }
  t.is(b.dist!.length, crops.length * 101);
  // The .tflite's cost read from its operators equals the layers model's (batch norm is folded, not counted).
  const cost = tfliteCost(readTflite(new Uint8Array(await readFile(join(dir, 'student.tflite'))), 'student.tflite'));
  t.is(cost.multiplyAdds, countMultiplyAdds(model));
  t.true(cost.parameters > 0 && cost.parameters < model.countParams(), `tflite ${cost.parameters} params, layers ${model.countParams()} (BN folded)`);
  await Promise.all([layers.close(), tflite.close()]);
  model.dispose();
});
