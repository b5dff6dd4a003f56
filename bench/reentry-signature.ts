// Re-entry signatures (device/trackers/appearance-signature.ts) of real UTKFace val faces as the
// pipeline sees them: each face pasted into a 640x480 frame at two places and sizes, found by
// BlazeFace on TFLite, cropped for the shipped student. Same face (other place and size) vs
// different faces: the share matched at each threshold (ROC points). Prints markdown for README.
//   npm run bench:reentry -- [faces=150]
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlazeFaceDetector } from '../device/detectors/blazeface-detector.ts';
import { AgeEstimator } from '../device/estimators/age-estimator.ts';
import { cropFaces } from '../device/estimators/crop-faces.ts';
import { DEFAULT_REENTRY_THRESHOLD, appearanceSignature, signatureDistance, signatureDistances, type AppearanceSignature } from '../device/trackers/appearance-signature.ts';
import { pickValFaces, renderScene, type UtkFace } from '../test/device/support/face-scene.ts';
import { utkfaceDir } from '../test/support/shared-data.ts';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const n = Number(process.argv[2] ?? 150);
const detector = await BlazeFaceDetector.create({ modelPath: join(root, 'samples', 'models', 'blazeface.tflite'), threads: 1 });
const estimator = await AgeEstimator.create({ modelPath: join(root, 'samples', 'models', 'student.tflite'), threads: 1 });
const [ih, iw] = estimator.meta.inputSize;
// Two views of a visit: before leaving and after coming back elsewhere, nearer or farther.
// The second view is also 20% darker (light differs across the scene), a harder case than resizing alone.
const dim = (rgb: Uint8Array) => rgb.map((v) => Math.round(v * 0.8));
const views = [{ size: 120, x: 80, y: 70 }, { size: 150, x: 400, y: 250, warp: dim }];

async function signatureOf(face: UtkFace, v: (typeof views)[number]): Promise<AppearanceSignature | undefined> {
  const [rgb] = await renderScene({ width: 640, height: 480, frames: 1, faces: [{ face, size: v.size, from: [v.x, v.y], to: [v.x, v.y], warp: 'warp' in v ? v.warp : undefined }] });
  const frame = { index: 0, tMs: 0, width: 640, height: 480, rgb };
  const [box] = await detector.detect(frame);
  if (!box) return undefined;
  return appearanceSignature(cropFaces(frame, [box], estimator.meta)[0].rgb, iw, ih);
}

const faces = pickValFaces(utkfaceDir(), n, 5, 90);
const sigs: Array<[AppearanceSignature, AppearanceSignature]> = [];
for (const f of faces) {
  const a = await signatureOf(f, views[0]), b = await signatureOf(f, views[1]);
  if (a && b) sigs.push([a, b]);
}
type Dist = (a: AppearanceSignature, b: AppearanceSignature) => number;
const kinds: Array<[string, Dist]> = [['colour', (a, b) => signatureDistances(a, b).colour], ['patch', (a, b) => signatureDistances(a, b).patch], ['mean (used)', signatureDistance]];
console.log(`${sigs.length} of ${faces.length} faces detected in both views; ${sigs.length} same-face pairs, ${sigs.length * (sigs.length - 1)} different-face pairs\n`);
for (const [name, d] of kinds) {
  const same = sigs.map(([a, b]) => d(a, b));
  const diff: number[] = [];
  sigs.forEach(([a], i) => sigs.forEach(([, b], j) => { if (i !== j) diff.push(d(a, b)); }));
  // AUC: chance a same pair is closer than a different pair.
  let wins = 0;
  const sd = [...diff].sort((x, y) => x - y);
  for (const s of same) { let lo = 0, hi = sd.length; while (lo < hi) { const m = (lo + hi) >> 1; if (sd[m] <= s) lo = m + 1; else hi = m; } wins += sd.length - lo; }
  console.log(`### ${name}: AUC ${(wins / (same.length * diff.length)).toFixed(4)}; same face p50 ${[...same].sort((x, y) => x - y)[same.length >> 1].toFixed(4)}, max ${Math.max(...same).toFixed(4)}; different faces min ${sd[0].toFixed(4)}, p1 ${sd[Math.floor(0.01 * sd.length)].toFixed(4)}\n`);
  console.log('| threshold | same face kept (TPR) | different faces merged (FPR) |');
  console.log('|---|---|---|');
  const ths = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05].map((q) => sd[Math.floor(q * sd.length)]);
  if (name.endsWith('(used)')) ths.unshift(DEFAULT_REENTRY_THRESHOLD);
  for (const th of ths) {
    console.log(`| ${th.toFixed(4)}${th === DEFAULT_REENTRY_THRESHOLD && name.endsWith('(used)') ? ' (default)' : ''} | ${(same.filter((s) => s <= th).length / same.length * 100).toFixed(1)}% | ${(diff.filter((x) => x <= th).length / diff.length * 100).toFixed(2)}% |`);
  }
  console.log('');
}
await detector.close?.();
await estimator.close?.();
