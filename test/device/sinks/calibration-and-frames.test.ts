import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import sharp from 'sharp';
import { CalibrationCollector } from '../../../device/sinks/calibration-collector.ts';
import { openRepresentativeSet, REPRESENTATIVE_SET_FORMAT } from '../../../core/contract/representative-set-dir.ts';
import { SaveFramesSink } from '../../../device/sinks/save-frames-sink.ts';
import { normalizePixels } from '../../../core/contract/preprocessing.ts';
import { cropFaces } from '../../../device/estimators/crop-faces.ts';
import type { FaceBox, Frame, FrameResult } from '../../../device/stages.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { pickValFaces, renderScene } from '../support/face-scene.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-calib-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const meta = { inputSize: [64, 64] as [number, number], preprocessing: 'vggface2' as const, crop: { margin: 0.1, square: true } };

function result(frame: Frame, boxes: FaceBox[]): FrameResult {
  return {
    frame: frame.index, tMs: frame.tMs, width: frame.width, height: frame.height, ended: [],
    faces: boxes.map((box, i) => ({ track: i + 1, box, dwellMs: 0 })),
    stageMs: { capture: 0, detect: 0, crop: 0, estimate: 0, track: 0, output: 0, total: 0 },
  };
}

dataTest(test)('--collect-calibration keeps model-sized crops of real faces with a manifest, at most one per track every minGapMs, up to N', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const faces = pickValFaces(utk, 2);
  const scene = { width: 320, height: 240, frames: 6, faces: [
    { face: faces[0], size: 100, from: [10, 20] as [number, number], to: [40, 30] as [number, number] },
    { face: faces[1], size: 90, from: [200, 100] as [number, number], to: [180, 110] as [number, number] }] };
  const rendered = await renderScene(scene);
  const out = join(dir, 'set');
  let done = 0;
  const sink = new CalibrationCollector({ dir: out, samples: 5, meta, source: 'file:walk.mp4', minGapMs: 100, onDone: (n) => { done = n; } });
  for (let f = 0; f < rendered.length; f++) {
    const frame: Frame = { index: f, tMs: f * 60, width: 320, height: 240, rgb: rendered[f] };
    const boxes: FaceBox[] = scene.faces.map((p, i) => ({ x: p.from[0] + ((p.to[0] - p.from[0]) * f) / 5 + 5, y: p.from[1] + 5, w: p.size - 10, h: p.size - 10, score: 0.9 }));
    await sink.write(result(frame, boxes), { frame, crops: cropFaces(frame, boxes, meta) });
  }
  await sink.close();
  t.is(done, 5);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  t.like(manifest, { format: REPRESENTATIVE_SET_FORMAT, version: 1, inputSize: [64, 64], preprocessing: 'vggface2', count: 5, file: 'crops.u8', source: 'file:walk.mp4' });
  const bytes = readFileSync(join(out, 'crops.u8'));
  t.is(bytes.length, 5 * 64 * 64 * 3);
  // Frames are 60 ms apart and the gap is 100 ms: frames 0, 2, 4 give 2 crops each, 6 > 5, so the set fills.
  // The first crop is a face, not a flat patch: its pixels vary.
  const first = bytes.subarray(0, 64 * 64 * 3);
  const mean = first.reduce((s, v) => s + v, 0) / first.length;
  const sd = Math.sqrt(first.reduce((s, v) => s + (v - mean) ** 2, 0) / first.length);
  t.true(sd > 20, `crop pixel sd ${sd}`);
  // Read back as a representative set: normalized like training.
  const set = await openRepresentativeSet(out);
  t.like(set, { count: 5, inputSize: [64, 64], preprocessing: 'vggface2' });
  const samples: Float32Array[] = [];
  for await (const x of set.samples()) samples.push(x);
  t.is(samples.length, 5);
  t.deepEqual(samples[0], normalizePixels(first, 'vggface2'));
});

dataTest(test)('frames reach the disk only through --save-frames: JPEG plus its JSON record, frames with faces only', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const [face] = pickValFaces(utk, 1);
  const [rgb] = await renderScene({ width: 160, height: 120, frames: 1, faces: [{ face, size: 80, from: [40, 20], to: [40, 20] }] });
  const out = join(dir, 'frames');
  const sink = new SaveFramesSink({ dir: out });
  const frame: Frame = { index: 7, tMs: 0, width: 160, height: 120, rgb };
  await sink.write(result(frame, []), { frame, crops: [] });
  t.false(existsSync(out), 'nothing written for a frame without faces');
  await sink.write(result(frame, [{ x: 40, y: 20, w: 80, h: 80, score: 0.9 }]), { frame, crops: [] });
  t.deepEqual(readdirSync(out).sort(), ['frame-0000007.jpg', 'frame-0000007.json']);
  const meta2 = await sharp(join(out, 'frame-0000007.jpg')).metadata();
  t.deepEqual([meta2.format, meta2.width, meta2.height], ['jpeg', 160, 120]);
  t.is(JSON.parse(readFileSync(join(out, 'frame-0000007.json'), 'utf8')).faces[0].track, 1);
});
