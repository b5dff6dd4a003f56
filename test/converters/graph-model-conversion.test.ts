import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { convertModel } from '../../converters/convert-model.ts';
import { datasetRepresentativeSet } from '../../converters/quantize/dataset-representative-set.ts';
import { TfliteRunner } from '../../core/runtime/tflite-runner.ts';
import { readAges } from '../../core/contract/model-metadata.ts';
import { readTflite } from '../../core/tflite/read-tflite.ts';
import { dataTest, projectRoot, utkfaceDir } from '../support/shared-data.ts';
import { compareOutputs } from './conversion-fixtures.ts';

const models = join(projectRoot, 'node_modules/@vladmandic/human/models');
const valSpec = () => `utkface:${utkfaceDir()}:split=val`;

test.before(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
});

dataTest(test)('BlazeFace converts; every output matches tfjs on real faces (float32, relative <= 1e-4)', async (t) => {
  const result = await convertModel({ model: join(models, 'blazeface.json') });
  const info = readTflite(result.bytes, 'blazeface.tflite');
  t.deepEqual(info.outputs.map((i) => info.tensors[i].name), result.source.graph.outputs.map((i) => result.source.graph.tensors[i].name));
  t.is(info.agekit, undefined, 'a detector carries no age metadata');
  const runner = await TfliteRunner.create({ modelBytes: result.bytes, threads: 1 });
  const set = await datasetRepresentativeSet(valSpec(), { inputSize: [256, 256], preprocessing: 'tf', crop: { margin: 0.5, square: true } }, { samples: 3 });
  for await (const x of set.samples()) {
    const ref = result.source.predict(x);
    const got = await runner.run([x], 1);
    ref.forEach((r, k) => t.true(compareOutputs(r, got[k]).rel <= 1e-4, `output ${k}: ${compareOutputs(r, got[k]).rel}`));
  }
  result.source.dispose();
});

dataTest(test)('HSE-FaceRes converts with built-in metadata; float32 matches tfjs and int8 stays within a year on real faces', async (t) => {
  const result = await convertModel({ model: join(models, 'faceres.json') });
  const meta = result.meta!;
  t.is(meta.net, 'faceres');
  t.is(meta.readout.kind, 'expected');
  const runner = await TfliteRunner.create({ modelBytes: result.bytes, threads: 1 });
  t.deepEqual(runner.meta, meta);
  const set = await datasetRepresentativeSet(valSpec(), meta, { samples: 4 });
  const xs: Float32Array[] = [];
  for await (const x of set.samples()) xs.push(x);
  for (const x of xs) {
    const ref = result.source.predict(x);
    const got = await runner.run([x], 1);
    ref.forEach((r, k) => t.true(compareOutputs(r, got[k]).rel <= 1e-4, `output ${k}: ${compareOutputs(r, got[k]).rel}`));
  }
  const calibration = await datasetRepresentativeSet(`utkface:${utkfaceDir()}:split=train`, meta, { samples: 12 });
  const int8 = await convertModel({ model: join(models, 'faceres.json'), quantize: 'int8', calibration, calibrationMethod: 'minmax' });
  const q = await TfliteRunner.create({ modelBytes: int8.bytes, threads: 1 });
  const o = meta.readout.outputIndex;
  let diff = 0;
  for (const x of xs) {
    const a = readAges(result.source.predict(x)[o], 1, meta.readout)[0];
    const b = readAges((await q.run([x], 1))[o], 1, meta.readout)[0];
    diff += Math.abs(a - b) / xs.length;
  }
  t.log(`FaceRes int8 (minmax, 12 calibration faces): mean |age int8 - age float32| = ${diff.toFixed(2)} years on ${xs.length} val faces; ${int8.bytes.length} vs ${result.bytes.length} bytes`);
  t.true(diff < 1.0, `mean age difference ${diff}`);
  result.source.dispose(); int8.source.dispose();
});
