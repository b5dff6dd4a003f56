import test from 'ava';
import { mkdtempSync, rmSync, statSync, existsSync, chmodSync, mkdirSync, writeFileSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { TfliteRunner } from '../../../core/runtime/tflite-runner.ts';
import { xnnpackDelegateLibrary, xnnpackDelegateFileName } from '../../../core/runtime/xnnpack-delegate/build-xnnpack-delegate.ts';
import { letterbox } from '../../../device/detectors/letterbox.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { pickValFaces, renderScene } from '../../device/support/face-scene.ts';
import { blazefaceTflite } from '../../device/support/device-models.ts';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { fromLayersModel } from '../../../converters/ir/from-layers-model.ts';
import { optimizeGraph } from '../../../converters/convert-model.ts';
import { collectRanges } from '../../../converters/quantize/collect-ranges.ts';
import { quantizeInt8 } from '../../../converters/quantize/quantize-int8.ts';
import { writeTflite } from '../../../converters/write-tflite.ts';
import { mixedLayersModel, perturbWeights } from '../../converters/conversion-fixtures.ts';
import { normalizePixels } from '../../../core/contract/preprocessing.ts';
import { XNNPACK_DELEGATE_C_SOURCE } from '../../../core/runtime/xnnpack-delegate/xnnpack-delegate-source.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-xnnpack-'));
// Every runner in this file builds or finds the shim here, never in a shared cache.
process.env.AGEKIT_CACHE = join(dir, 'cache');
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test.serial('the shim is compiled once into a private cache folder and found there again', async (t) => {
  const cacheDir = join(dir, 'own-cache');
  const lib = await xnnpackDelegateLibrary({ cacheDir });
  t.is(lib.origin, 'built', lib.reason);
  t.is(lib.path, join(cacheDir, xnnpackDelegateFileName()));
  t.true(statSync(lib.path!).size > 0);
  t.is((statSync(cacheDir).mode & 0o077), 0, 'cache folder is private');
  // Same process, same folder: the memoized answer, no second build.
  t.is((await xnnpackDelegateLibrary({ cacheDir })).path, lib.path);
});

test.serial('no compiler, or a cache folder others can write to: no library, and the reason says why', async (t) => {
  const none = await xnnpackDelegateLibrary({ cacheDir: join(dir, 'no-cc'), compilers: ['agekit-no-such-cc'] });
  t.is(none.origin, 'none');
  t.is(none.path, undefined);
  t.regex(none.reason!, /no C compiler could build the XNNPACK shim \(agekit-no-such-cc: not found\)/);
  const open = join(dir, 'open-cache');
  mkdirSync(open);
  chmodSync(open, 0o777);
  const refused = await xnnpackDelegateLibrary({ cacheDir: open });
  t.is(refused.origin, 'none');
  t.regex(refused.reason!, /writable by others \(mode 777\).*AGEKIT_CACHE/);
  t.false(existsSync(join(open, xnnpackDelegateFileName())));
});

test.serial('a failed build is retried after retryAfterMs, and a compiler given with arguments ("env cc") is run as program + args', async (t) => {
  const cacheDir = join(dir, 'retry-cache');
  const failed = await xnnpackDelegateLibrary({ cacheDir, compilers: ['agekit-no-such-cc'] });
  t.is(failed.origin, 'none');
  // Within retryAfterMs (default one minute): the same answer, no new attempt.
  t.is((await xnnpackDelegateLibrary({ cacheDir, compilers: ['env cc'] })).origin, 'none');
  const retried = await xnnpackDelegateLibrary({ cacheDir, compilers: ['env cc'], retryAfterMs: 0 });
  t.is(retried.origin, 'built', retried.reason);
  // Success is kept: even with retryAfterMs 0 the next call does not rebuild.
  t.is((await xnnpackDelegateLibrary({ cacheDir, compilers: ['agekit-no-such-cc'], retryAfterMs: 0 })).origin, 'built');
});

test.serial('a cache folder given as a symlink is refused, and the reason says it is a symlink', async (t) => {
  const real = join(dir, 'real-cache');
  mkdirSync(real, { mode: 0o700 });
  const link = join(dir, 'linked-cache');
  symlinkSync(real, link);
  const lib = await xnnpackDelegateLibrary({ cacheDir: link });
  t.is(lib.origin, 'none');
  t.regex(lib.reason!, /linked-cache is a symlink \(to .*real-cache\), not a folder.*AGEKIT_CACHE/);
});

test.serial('a corrupt cached shim is rebuilt over, and a library that cannot load is never handed to TFLite', async (t) => {
  const cacheDir = join(dir, 'corrupt-cache');
  mkdirSync(cacheDir, { mode: 0o700 });
  const cached = join(cacheDir, xnnpackDelegateFileName());
  const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 255));
  writeFileSync(cached, garbage);
  const lib = await xnnpackDelegateLibrary({ cacheDir });
  t.is(lib.origin, 'built', lib.reason);
  t.is(lib.path, cached);
  t.notDeepEqual(readFileSync(cached).subarray(0, 4), garbage.subarray(0, 4));
  t.is(readFileSync(cached).subarray(1, 4).toString(), 'ELF');
  // The same garbage named by $AGEKIT_XNNPACK_DELEGATE: no library, the loader's reason, and a
  // runner on the builtin kernels that still computes.
  const bad = join(dir, 'garbage.so');
  writeFileSync(bad, garbage);
  process.env.AGEKIT_XNNPACK_DELEGATE = bad;
  try {
    const refused = await xnnpackDelegateLibrary();
    t.is(refused.origin, 'none');
    t.regex(refused.reason!, /cannot be loaded \(.*garbage\.so.*\)/);
    const runner = await TfliteRunner.create({ modelPath: await blazefaceTflite(), threads: 1 });
    t.regex(runner.accelerator, /^builtin kernels \(\$AGEKIT_XNNPACK_DELEGATE names a library that cannot be loaded/);
    const [out] = await runner.run([new Float32Array(256 * 256 * 3)], 1);
    t.true(out.every(Number.isFinite));
  } finally {
    delete process.env.AGEKIT_XNNPACK_DELEGATE;
  }
});

test.serial('a shim that finds no TFLite library refuses cleanly: the runner falls back to the builtin kernels, no crash', async (t) => {
  if (process.platform !== 'linux') return t.pass('the soname below is the Linux one');
  // The real shim text, looking for a TFLite library that is not loaded: its create gets NULL.
  const src = join(dir, 'no-tflite.c'), so = join(dir, 'libno-tflite.so');
  writeFileSync(src, XNNPACK_DELEGATE_C_SOURCE.replaceAll('libtensorflowlite_c.so', 'libagekit-no-such-tflite.so'));
  execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', so, src, '-ldl']);
  process.env.AGEKIT_XNNPACK_DELEGATE = so;
  try {
    const model = await blazefaceTflite();
    const runner = await TfliteRunner.create({ modelPath: model, threads: 1 });
    t.regex(runner.accelerator, /^builtin kernels \(XNNPACK delegate failed: Failed to create tflite interpreter/);
    const plain = await TfliteRunner.create({ modelPath: model, threads: 1, xnnpack: false });
    const x = new Float32Array(256 * 256 * 3).map((_, k) => ((k * 37) % 255) / 127.5 - 1);
    const [a] = await runner.run([x], 1);
    const [b] = await plain.run([x], 1);
    t.deepEqual(a, b);
  } finally {
    delete process.env.AGEKIT_XNNPACK_DELEGATE;
  }
});

test.serial('runners share one XNNPACK thread pool per thread count instead of leaking one each', async (t) => {
  if (process.platform !== 'linux') return t.pass('threads are counted in /proc/self/task');
  const model = await blazefaceTflite();
  const threads = () => readdirSync('/proc/self/task').length;
  const keep = [await TfliteRunner.create({ modelPath: model, threads: 2 })];
  t.is(keep[0].accelerator, 'xnnpack (2 threads)');
  const before = threads();
  for (let i = 0; i < 4; i++) keep.push(await TfliteRunner.create({ modelPath: model, threads: 2 }));
  // Each leaked delegate would add a pool with 1 worker thread (4 here; measured with the old shim).
  t.true(threads() - before < 2, `threads went from ${before} to ${threads()}`);
  const x = new Float32Array(256 * 256 * 3).fill(0.25);
  const outs = await Promise.all(keep.map((r) => r.run([x], 1)));
  for (const o of outs.slice(1)) t.deepEqual(o, outs[0]);
});

dataTest(test)('BlazeFace on XNNPACK gives the builtin kernels\' outputs on a real face, and the runner says which ran', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const [face] = pickValFaces(utk, 1);
  const [rgb] = await renderScene({ width: 640, height: 480, frames: 1, faces: [{ face, size: 120, from: [300, 150], to: [300, 150] }] });
  const model = await blazefaceTflite();
  const fast = await TfliteRunner.create({ modelPath: model, threads: 1 });
  const plain = await TfliteRunner.create({ modelPath: model, threads: 1, xnnpack: false });
  t.is(fast.accelerator, 'xnnpack (1 thread)');
  t.is(plain.accelerator, 'builtin kernels (XNNPACK off)');
  // Zero-copy input: letterbox straight into the array the runner feeds to TFLite.
  const view = fast.inputArray(0)!;
  t.is(view.length, 256 * 256 * 3);
  letterbox({ width: 640, height: 480, data: rgb }, 256, -1, 1, view);
  const a = await fast.run([view], 1);
  const b = await plain.run([letterbox({ width: 640, height: 480, data: rgb }, 256, -1, 1).input], 1);
  t.is(a.length, b.length);
  for (let o = 0; o < a.length; o++) {
    let worst = 0, scale = 0;
    for (let k = 0; k < a[o].length; k++) { worst = Math.max(worst, Math.abs(a[o][k] - b[o][k])); scale = Math.max(scale, Math.abs(b[o][k])); }
    t.true(worst <= 1e-4 * Math.max(1, scale), `output ${o}: largest difference ${worst} (largest value ${scale})`);
  }
  await fast.close();
  await plain.close();
});

dataTest(test)('an int8 model (io int8) on XNNPACK gives the builtin int8 kernels\' outputs on real faces, within one quantization step', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  await tf.setBackend('cpu');
  const model = mixedLayersModel(32);
  perturbWeights(model);
  // Real faces as 32x32 model input ('tf' preprocessing: -1..1): calibration and test inputs.
  const faces = pickValFaces(utk, 10);
  const inputs = await Promise.all(faces.map(async (f) => normalizePixels(new Uint8Array(await sharp(f.path).removeAlpha().resize(32, 32).raw().toBuffer()), 'tf')));
  const g = optimizeGraph(fromLayersModel(model));
  const set = { source: 'utkface val faces', inputSize: [32, 32] as [number, number], preprocessing: 'tf' as const, async *samples() { yield* inputs.slice(0, 8); } };
  const { ranges } = await collectRanges(g, set, { method: 'minmax' });
  const bytes = writeTflite(quantizeInt8(g, ranges, { io: 'int8' }));
  const fast = await TfliteRunner.create({ modelBytes: bytes, threads: 1 });
  const plain = await TfliteRunner.create({ modelBytes: bytes, threads: 1, xnnpack: false });
  t.is(fast.accelerator, 'xnnpack (1 thread)');
  const step = fast.outputs[0].quantization!.scale;
  for (const x of inputs.slice(8)) {
    const [a] = await fast.run([x], 1);
    const [b] = await plain.run([x], 1);
    let worst = 0;
    for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
    t.true(worst <= step * 1.001, `largest difference ${worst}, quantization step ${step}`);
  }
  model.dispose();
});
