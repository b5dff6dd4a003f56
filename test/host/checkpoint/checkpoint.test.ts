// Checkpoints: round trip of a real network on a real face, clear errors for every broken file,
// and the folder swap that keeps a checkpoint whole whenever the writer is killed.
import test from 'ava';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, writeFile, rm, mkdir, readdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelFormatError } from '../../../core/errors.ts';
import { defaultReadout, METADATA_FORMAT, METADATA_VERSION, type ModelMetadata } from '../../../core/contract/model-metadata.ts';
import { cropFace } from '../../../core/contract/face-crop.ts';
import { normalizePixels } from '../../../core/contract/preprocessing.ts';
import { readRgb } from '../../../core/images.ts';
import { buildNet } from '../../../host/nets/index.ts';
import { loadCheckpoint, saveCheckpoint, resolveCheckpointDir, MODEL_FILE, WEIGHTS_FILE, METADATA_FILE } from '../../../host/checkpoint/checkpoint.ts';
import { commitDir, makeTempDir, previousDirOf, readableDir, recoverDir, removeStaleTempDirs } from '../../../core/atomic-dir.ts';
import { dataTest, utkfaceDir } from '../../support/shared-data.ts';

function metaFor(model: tf.LayersModel, head: 'regression' | 'dex'): ModelMetadata {
  const s = model.inputs[0].shape;
  return { format: METADATA_FORMAT, version: METADATA_VERSION, net: 'mobilenet64', inputSize: [s[1]!, s[2]!], preprocessing: 'vggface2', head, readout: defaultReadout(head), crop: { margin: 0, square: true }, training: { epoch: 3, val_mae: 9.5 } };
}

async function realFaceInput(size: number): Promise<tf.Tensor4D> {
  const labels = (await readFile(join(utkfaceDir(), 'labels.csv'), 'utf8')).split('\n')[1].split(',');
  const img = await readRgb(join(utkfaceDir(), labels[0]));
  const crop = cropFace(img, { x: 0, y: 0, w: img.width, h: img.height }, { margin: 0, square: true }, size, size);
  return tf.tensor4d(normalizePixels(crop, 'vggface2'), [1, size, size, 3]);
}

let savedDir = '';
test.before(async () => {
  await tf.setBackend('cpu');
  const root = await mkdtemp(join(tmpdir(), 'agekit-ckpt-'));
  savedDir = join(root, 'run', 'best');
  const model = buildNet('mobilenet64', { head: 'dex', seed: 3 });
  await saveCheckpoint(savedDir, model, metaFor(model, 'dex'));
  model.dispose();
});

dataTest(test)('a saved dex mobilenet64 loads back with its metadata and gives the same output on a real face', async (t) => {
  const model = buildNet('mobilenet64', { head: 'dex', seed: 3 });
  const x = await realFaceInput(64);
  const before = (model.predict(x) as tf.Tensor).dataSync();
  const { model: loaded, meta, dir } = await loadCheckpoint(join(savedDir, '..')); // the run folder means best/
  t.is(dir, savedDir);
  t.is(meta.head, 'dex');
  t.deepEqual(meta.inputSize, [64, 64]);
  t.is((meta.training as Record<string, unknown>).val_mae, 9.5);
  const after = (loaded.predict(x) as tf.Tensor).dataSync();
  t.is(after.length, 101);
  let maxDiff = 0;
  for (let i = 0; i < after.length; i++) maxDiff = Math.max(maxDiff, Math.abs(after[i] - before[i]));
  t.true(maxDiff < 1e-6, `max difference ${maxDiff}`);
  x.dispose(); model.dispose(); loaded.dispose();
});

test('the checkpoint folder holds exactly model.json, weights.bin and agekit.json, and no temp folder is left', async (t) => {
  t.deepEqual((await readdir(savedDir)).sort(), [METADATA_FILE, MODEL_FILE, WEIGHTS_FILE].sort());
  t.deepEqual((await readdir(join(savedDir, '..'))).filter((n) => n.startsWith('.')), []);
});

async function brokenCopy(mutate: (dir: string) => Promise<void>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-broken-'));
  for (const f of [MODEL_FILE, WEIGHTS_FILE, METADATA_FILE]) await writeFile(join(dir, f), await readFile(join(savedDir, f)));
  await mutate(dir);
  return dir;
}

test('truncated weights are a ModelFormatError naming weights.bin and the byte counts', async (t) => {
  const dir = await brokenCopy(async (d) => { const w = await readFile(join(d, WEIGHTS_FILE)); await writeFile(join(d, WEIGHTS_FILE), w.subarray(0, w.length - 100)); });
  const err = await t.throwsAsync(loadCheckpoint(dir), { instanceOf: ModelFormatError });
  t.regex(err!.message, /weights\.bin/);
  t.regex(err!.message, /bytes/);
});

test('model.json that is not JSON is a ModelFormatError naming model.json', async (t) => {
  const dir = await brokenCopy(async (d) => { await writeFile(join(d, MODEL_FILE), '{"modelTopology": '); });
  const err = await t.throwsAsync(loadCheckpoint(dir), { instanceOf: ModelFormatError });
  t.regex(err!.message, /model\.json: is not valid JSON/);
});

test('a missing agekit.json and a bad metadata field are errors naming agekit.json', async (t) => {
  const noMeta = await brokenCopy(async (d) => { await rm(join(d, METADATA_FILE)); });
  const e1 = await t.throwsAsync(loadCheckpoint(noMeta), { instanceOf: ModelFormatError });
  t.regex(e1!.message, /agekit\.json/);
  const badHead = await brokenCopy(async (d) => {
    const m = JSON.parse(await readFile(join(d, METADATA_FILE), 'utf8'));
    m.head = 'classifier';
    await writeFile(join(d, METADATA_FILE), JSON.stringify(m));
  });
  const e2 = await t.throwsAsync(loadCheckpoint(badHead), { instanceOf: ModelFormatError });
  t.regex(e2!.message, /agekit\.json.*"head".*classifier/);
});

test('metadata whose input size disagrees with the model is refused', async (t) => {
  const dir = await brokenCopy(async (d) => {
    const m = JSON.parse(await readFile(join(d, METADATA_FILE), 'utf8'));
    m.inputSize = [96, 96];
    await writeFile(join(d, METADATA_FILE), JSON.stringify(m));
  });
  await t.throwsAsync(loadCheckpoint(dir), { instanceOf: ModelFormatError, message: /does not match inputSize/ });
});

test('a path with no checkpoint says so and what to pass', async (t) => {
  const empty = await mkdtemp(join(tmpdir(), 'agekit-empty-'));
  await t.throwsAsync(resolveCheckpointDir(empty), { instanceOf: ModelFormatError, message: /no model\.json here nor in best\/ or last\// });
  await t.throwsAsync(resolveCheckpointDir(join(empty, 'nope')), { instanceOf: ModelFormatError, message: /no such file or folder/ });
});

test('commitDir replaces a folder whole, and every state a kill can leave still reads as one complete version', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'agekit-swap-'));
  const dir = join(root, 'last');
  const write = async (v: string) => { const tmp = await makeTempDir(dir); await writeFile(join(tmp, 'a'), v); await writeFile(join(tmp, 'b'), v); await commitDir(tmp, dir); };
  await write('1');
  await write('2');
  t.is(await readFile(join(dir, 'a'), 'utf8'), '2');
  t.deepEqual((await readdir(root)).sort(), ['last']);

  // Killed after the first rename: only the previous version exists.
  await rename(dir, previousDirOf(dir));
  t.is(await readableDir(dir), previousDirOf(dir));
  t.is(await readFile(join((await readableDir(dir))!, 'b'), 'utf8'), '2');
  t.true(await recoverDir(dir));
  t.is(await readFile(join(dir, 'b'), 'utf8'), '2');

  // Killed after the second rename: both exist; the new one wins and the old one goes.
  await mkdir(previousDirOf(dir));
  t.true(await recoverDir(dir));
  t.deepEqual((await readdir(root)).sort(), ['last']);

  // Killed while writing the temp folder: the target is untouched and the temp folder is cleaned.
  const stale = join(root, '.last.tmp-999999-1');
  await mkdir(stale);
  await writeFile(join(stale, 'a'), 'half');
  t.deepEqual(await removeStaleTempDirs(root), ['.last.tmp-999999-1']);
  t.is(await readFile(join(dir, 'a'), 'utf8'), '2');
});
