// --pretraining: parsing (imagenet needs a local path), and loading a tfjs model folder by layer
// name into a fresh network, with clear errors naming mismatched layers and broken files.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, mkdir, writeFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNet, loadPretrained, parsePretraining } from '../../../host/nets/index.ts';
import { ModelFormatError, UsageError } from '../../../core/errors.ts';

let root = '';
test.before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'agekit-pretrained-'));
});
test.after.always(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** Write `model` as a tfjs model folder (model.json + two weight shards, as tfjs splits big models). */
async function saveFolder(model: tf.LayersModel, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  let art: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const data = new Uint8Array(Array.isArray(art!.weightData) ? tf.io.concatenateArrayBuffers(art!.weightData) : art!.weightData!);
  const half = Math.floor(data.byteLength / 2);
  await writeFile(join(dir, 'group1-shard1of2.bin'), data.subarray(0, half));
  await writeFile(join(dir, 'group1-shard2of2.bin'), data.subarray(half));
  const json = { format: 'layers-model', modelTopology: art!.modelTopology, weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: art!.weightSpecs }] };
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  return join(dir, 'model.json');
}

const input = (size: number) => tf.randomNormal([2, size, size, 3], 0, 40, 'float32', 7);
const out = (m: tf.LayersModel, x: tf.Tensor) => Array.from((m.predict(x) as tf.Tensor).dataSync());

test('--pretraining parses none and paths; bare imagenet is a usage error that says how to supply the weights', (t) => {
  t.deepEqual(parsePretraining('none'), { kind: 'none' });
  t.deepEqual(parsePretraining('runs/a/model.json'), { kind: 'path', path: 'runs/a/model.json' });
  t.deepEqual(parsePretraining('imagenet:/w/mnv2/model.json'), { kind: 'path', path: '/w/mnv2/model.json' });
  const err = t.throws(() => parsePretraining('imagenet'), { instanceOf: UsageError });
  t.regex(err!.message, /^--pretraining: /);
  t.regex(err!.message, /cannot be downloaded here/);
  t.regex(err!.message, /tensorflowjs_converter/);
  t.regex(err!.message, /--pretraining outdir\/model\.json/);
  t.throws(() => parsePretraining('imagenet:'), { instanceOf: UsageError });
  t.throws(() => parsePretraining(' '), { instanceOf: UsageError });
});

test.serial('weights saved from a model load by name into a fresh one of the same net: identical outputs', async (t) => {
  const source = buildNet('edgenet', { head: 'dex', seed: 1 }); // dex: a fresh regression head often outputs the clipped 0
  const file = await saveFolder(source, join(root, 'edgenet-a'));
  const target = buildNet('edgenet', { head: 'dex', seed: 2 });
  const x = input(80);
  t.notDeepEqual(out(target, x), out(source, x));
  const report = await loadPretrained(target, join(root, 'edgenet-a')); // a folder works as well as its model.json
  t.is(report.file, file);
  t.is(report.loadedLayers, target.layers.filter((l) => l.weights.length > 0).length);
  t.is(report.loadedParams, target.countParams());
  t.deepEqual(report.freshHeadLayers, []);
  t.deepEqual(report.unusedFileLayers, []);
  t.deepEqual(out(target, x), out(source, x));
  source.dispose();
  target.dispose();
});

test.serial('a file with the other head loads the backbone and leaves the new head fresh', async (t) => {
  const source = buildNet('mobilenet64', { head: 'regression', seed: 3 });
  await saveFolder(source, join(root, 'mn64-regression'));
  const target = buildNet('mobilenet64', { head: 'dex', seed: 4 });
  const report = await loadPretrained(target, join(root, 'mn64-regression', 'model.json'));
  t.deepEqual(report.freshHeadLayers, ['age_logits']);
  t.deepEqual(report.unusedFileLayers, ['age_dense']);
  const w = (m: tf.LayersModel) => Array.from(m.getLayer('block_16_project').getWeights()[0].dataSync());
  t.deepEqual(w(target), w(source));
  source.dispose();
  target.dispose();
});

test.serial('weights of another network are refused, naming the mismatched layers and shapes, and nothing is set', async (t) => {
  const mn96 = buildNet('mobilenet96', { seed: 5 });
  const bn = mn96.getLayer('Conv_1_bn');
  bn.setWeights(bn.getWeights().map((v, i) => tf.randomUniform(v.shape, 0.5, 1.5, 'float32', i)));
  await saveFolder(mn96, join(root, 'mn96'));
  const target = buildNet('mobilenet64', { seed: 6 });
  const gamma = (m: tf.LayersModel) => Array.from(m.getLayer('Conv_1_bn').getWeights()[0].dataSync());
  const before = gamma(target);
  const err = await t.throwsAsync(loadPretrained(target, join(root, 'mn96')), { instanceOf: ModelFormatError });
  t.regex(err!.message, /mn96\/model\.json: \d+ layer\(s\) of mobilenet64 do not match the file/);
  t.regex(err!.message, /Conv1 \(Conv1\/kernel expects \[3,3,3,16\], file has \[3,3,3,24\]\)/);
  t.regex(err!.message, /same network \(mobilenet64\)/);
  // Conv_1_bn has 1280 channels in both nets, so it matches; it must still not be set when others fail.
  t.notDeepEqual(gamma(mn96), before);
  t.deepEqual(gamma(target), before);

  const edgenet = buildNet('edgenet', { seed: 7 });
  const err2 = await t.throwsAsync(loadPretrained(edgenet, join(root, 'mn96')), { instanceOf: ModelFormatError });
  t.regex(err2!.message, /stem_conv \(stem_conv\/kernel missing\)/);
  t.regex(err2!.message, /and \d+ more/);
  [mn96, target, edgenet].forEach((m) => m.dispose());
});

test.serial('broken files give errors naming the file and what to do', async (t) => {
  const model = buildNet('mobilenet64', { seed: 8 });
  await t.throwsAsync(loadPretrained(model, join(root, 'nowhere', 'model.json')), { instanceOf: ModelFormatError, message: /nowhere\/model\.json: no such file or folder; pass --pretraining none/ });
  await mkdir(join(root, 'empty'));
  await t.throwsAsync(loadPretrained(model, join(root, 'empty')), { instanceOf: ModelFormatError, message: /empty: folder has no model\.json/ });
  await writeFile(join(root, 'notjson.json'), 'this is not json');
  await t.throwsAsync(loadPretrained(model, join(root, 'notjson.json')), { instanceOf: ModelFormatError, message: /notjson\.json: is not valid JSON/ });
  await writeFile(join(root, 'nomanifest.json'), JSON.stringify({ modelTopology: {} }));
  await t.throwsAsync(loadPretrained(model, join(root, 'nomanifest.json')), { instanceOf: ModelFormatError, message: /has no valid "weightsManifest"/ });

  const dir = join(root, 'mn64-broken');
  await saveFolder(model, dir);
  await truncate(join(dir, 'group1-shard2of2.bin'), 100);
  await t.throwsAsync(loadPretrained(model, dir), { instanceOf: ModelFormatError, message: /hold \d+ bytes, the manifest needs \d+; the files are truncated/ });
  await rm(join(dir, 'group1-shard2of2.bin'));
  await t.throwsAsync(loadPretrained(model, dir), { instanceOf: ModelFormatError, message: /weight file "group1-shard2of2\.bin" listed in weightsManifest is missing/ });
  model.dispose();
});
