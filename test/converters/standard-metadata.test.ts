import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStandardMetadata, readStandardMetadata, STANDARD_METADATA_NAME } from '../../core/tflite/schema/standard-metadata.ts';
import { convertModel } from '../../converters/convert-model.ts';
import { saveCheckpoint } from '../../host/checkpoint/checkpoint.ts';
import { readTfliteMetadataEntries } from '../../core/tflite/tflite-metadata.ts';
import { TfliteRunner } from '../../core/runtime/tflite-runner.ts';
import { defaultReadout, METADATA_FORMAT, METADATA_VERSION, type ModelMetadata } from '../../core/contract/model-metadata.ts';
import { mixedLayersModel } from './conversion-fixtures.ts';

const meta: ModelMetadata = {
  format: METADATA_FORMAT, version: METADATA_VERSION, net: 'mixed', inputSize: [32, 32], preprocessing: 'vggface2', head: 'dex',
  readout: { ...defaultReadout('dex', 5) }, crop: { margin: 0.2, square: true },
};

test('the standard metadata states the input normalization as mean/std in the model channel order', (t) => {
  const bytes = buildStandardMetadata(meta, { inputs: ['image'], outputs: ['probs'] });
  t.is(String.fromCharCode(...bytes.subarray(4, 8)), 'M001');
  const back = readStandardMetadata(bytes, 'x');
  t.is(back.name, 'agekit mixed');
  t.is(back.minParserVersion, '1.0.0');
  // vggface2: BGR minus the VGGFace2 means, no scaling.
  t.deepEqual(back.inputs[0].std, [1, 1, 1]);
  t.deepEqual(back.inputs[0].mean.map((v) => Math.round(v * 1e4) / 1e4), [91.4953, 103.8827, 131.0912]);
  t.regex(back.outputs[0].description!, /expected value/);
  const tfMode = readStandardMetadata(buildStandardMetadata({ ...meta, preprocessing: 'tf' }, { inputs: ['i'], outputs: ['o'] }), 'y');
  t.deepEqual(tfMode.inputs[0].mean.map((v) => Math.round(v * 1e3) / 1e3), [127.5, 127.5, 127.5]);
});

test('convert embeds both the agekit JSON and the standard metadata, and the file still runs', async (t) => {
  await tf.setBackend('cpu');
  const dir = await mkdtemp(join(tmpdir(), 'agekit-stdmeta-'));
  await saveCheckpoint(join(dir, 'ckpt'), mixedLayersModel(32), meta);
  const r = await convertModel({ model: join(dir, 'ckpt') });
  const entries = readTfliteMetadataEntries(r.bytes, 'mixed.tflite');
  t.deepEqual([...entries.keys()].sort(), [STANDARD_METADATA_NAME, 'agekit'].sort());
  const std = readStandardMetadata(entries.get(STANDARD_METADATA_NAME)!, 'mixed.tflite');
  t.is(std.inputs[0].name, r.graph.tensors[r.graph.inputs[0]].name);
  const runner = await TfliteRunner.create({ modelBytes: r.bytes, threads: 1 });
  t.is((await runner.run([new Float32Array(32 * 32 * 3)], 1))[0].length, 5);
  r.source.dispose();
});
