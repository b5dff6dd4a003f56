import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { TfliteWasmRunner } from '../../../core/runtime/tflite-wasm-runner.ts';
import { TfliteRunner } from '../../../core/runtime/tflite-runner.ts';
import { openRunner } from '../../../core/runtime/open-runner.ts';
import { letterbox } from '../../../device/detectors/letterbox.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { pickValFaces, renderScene } from '../../device/support/face-scene.ts';
import { blazefaceTflite } from '../../device/support/device-models.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-wasm-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

dataTest(test)('the same .tflite gives the same outputs in TFLite WASM (Node) as in native TFLite, on a real face', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const [face] = pickValFaces(utk, 1);
  const [rgb] = await renderScene({ width: 640, height: 480, frames: 1, faces: [{ face, size: 140, from: [200, 120], to: [200, 120] }] });
  const { input } = letterbox({ width: 640, height: 480, data: rgb }, 256, -1, 1);
  const model = await blazefaceTflite();
  const wasm = await TfliteWasmRunner.create({ modelPath: model });
  const native = await TfliteRunner.create({ modelPath: model, threads: 1 });
  t.is(wasm.runtime, 'tflite-wasm');
  t.is(wasm.threads, 1);
  t.deepEqual(wasm.inputs.map((i) => i.shape), [[1, 256, 256, 3]]);
  const [a, b] = [await wasm.run([input], 1), await native.run([input], 1)];
  await wasm.close();
  await native.close();
  // Outputs may come in another order: compare by name.
  for (let i = 0; i < a.length; i++) {
    const j = native.outputs.findIndex((o) => o.name === wasm.outputs[i].name);
    t.is(a[i].length, b[j].length);
    let worst = 0, scale = 0;
    for (let k = 0; k < a[i].length; k++) { worst = Math.max(worst, Math.abs(a[i][k] - b[j][k])); scale = Math.max(scale, Math.abs(b[j][k])); }
    t.true(worst <= 1e-4 * Math.max(1, scale), `${wasm.outputs[i].name}: max diff ${worst} (scale ${scale})`);
  }
});

test('a truncated .tflite is a clear error before the WASM runtime sees it; runtime and file kind must agree', async (t) => {
  const model = await blazefaceTflite();
  const cut = join(dir, 'cut.tflite');
  writeFileSync(cut, readFileSync(model).subarray(0, 5000));
  await t.throwsAsync(TfliteWasmRunner.create({ modelPath: cut }), { message: /cut\.tflite: .*truncated|cut\.tflite: .*past end|cut\.tflite:/ });
  await t.throwsAsync(openRunner({ modelPath: model, runtime: 'tfjs' }), { message: /--runtime tfjs runs checkpoints, not \.tflite files/ });
  await t.throwsAsync(openRunner({ modelPath: dir, runtime: 'tflite-wasm' }), { message: /--runtime tflite-wasm needs a \.tflite file/ });
  await t.throwsAsync(openRunner({ modelPath: model, runtime: 'tflite-wasm', delegate: 'libedgetpu.so.1' }), { message: /--delegate works only with --runtime tflite/ });
});
