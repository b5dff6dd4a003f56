// Yaw and pitch proxies (device/attention/head-turn.ts) of real UTKFace val faces, frontal and with a simulated
// head turn (a 2D warp, test/device/support/turned-face.ts), as BlazeFace on TFLite sees them in a 640x480 frame;
// and the share of faces within --attention-yaw bounds. Prints a markdown table for README "Attention".
//   npm run bench:attention -- [faces=200] [shifts=0,0.5,0.7,-0.7,0.8,-0.8] [face px=140]
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlazeFaceDetector } from '../device/detectors/blazeface-detector.ts';
import { headTurn } from '../device/attention/head-turn.ts';
import { pickValFaces, renderScene } from '../test/device/support/face-scene.ts';
import { yawWarp } from '../test/device/support/turned-face.ts';
import { utkfaceDir } from '../test/support/shared-data.ts';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const n = Number(process.argv[2] ?? 200);
const shifts = (process.argv[3] ?? '0,0.5,0.7,-0.7,0.8,-0.8').split(',').map(Number);
const size = Number(process.argv[4] ?? 140);
const detector = await BlazeFaceDetector.create({ modelPath: join(root, 'samples', 'models', 'blazeface.tflite'), threads: 1 });
const faces = pickValFaces(utkfaceDir(), n, 12, 75);
const quantile = (a: number[], p: number) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const bounds = [0.25, 0.3, 0.35];
console.log(`| warp shift | detected | yaw p5 / p50 / p95 | \\|yaw\\| p95 / max | pitch p5 / p50 / p95 | ${bounds.map((b) => `\\|yaw\\| <= ${b}`).join(' | ')} |`);
console.log(`|---|---|---|---|---|${bounds.map(() => '---').join('|')}|`);
for (const shift of shifts) {
  const yaws: number[] = [], pitches: number[] = [];
  for (const face of faces) {
    const [rgb] = await renderScene({ width: 640, height: 480, frames: 1, faces: [{ face, size, from: [320 - size / 2, 240 - size / 2], to: [320 - size / 2, 240 - size / 2], warp: shift ? yawWarp(shift) : undefined }] });
    const [box] = await detector.detect({ index: 0, tMs: 0, width: 640, height: 480, rgb });
    const turn = box?.keypoints ? headTurn(box.keypoints) : undefined;
    if (turn) { yaws.push(turn.yaw); pitches.push(turn.pitch); }
  }
  const q = (a: number[], ps: number[]) => (a.length ? ps.map((p) => quantile(a, p).toFixed(2)).join(' / ') : '-');
  const abs = yaws.map(Math.abs);
  const within = bounds.map((b) => `${((100 * abs.filter((y) => y <= b).length) / Math.max(1, yaws.length)).toFixed(1)}%`);
  console.log(`| ${shift} | ${yaws.length}/${faces.length} | ${q(yaws, [0.05, 0.5, 0.95])} | ${q(abs, [0.95, 1])} | ${q(pitches, [0.05, 0.5, 0.95])} | ${within.join(' | ')} |`);
}
await detector.close();
