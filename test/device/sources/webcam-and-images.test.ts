import test from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createSource } from '../../../device/sources/create-source.ts';
import type { SourceEvent } from '../../../device/sources/raw-pipe-source.ts';
import type { Frame, Source } from '../../../device/stages.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { pickValFaces, renderScene, writeJpeg } from '../support/face-scene.ts';
import { BlazeFaceDetector } from '../../../device/detectors/blazeface-detector.ts';
import { blazefaceTflite } from '../support/device-models.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-webcam-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

async function collect(source: Source, limit: number, signal = new AbortController().signal): Promise<Frame[]> {
  const got: Frame[] = [];
  for await (const f of source.frames(signal)) { got.push(f); if (got.length >= limit) break; }
  await source.close();
  return got;
}

/** A scene with one real face at a known place, as a JPEG. */
async function sceneJpeg(utk: string, out: string): Promise<void> {
  const [face] = pickValFaces(utk, 1, 20, 40);
  const [rgb] = await renderScene({ width: 320, height: 240, frames: 1, faces: [{ face, size: 120, from: [100, 60], to: [100, 60] }] });
  await writeJpeg(rgb, 320, 240, out);
}

dataTest(test)('images: the folder in name order; an undecodable file is skipped and counted', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const imgs = join(dir, 'imgs');
  mkdirSync(imgs);
  await sceneJpeg(utk, join(imgs, 'a.jpg'));
  writeFileSync(join(imgs, 'b.jpg'), 'this is not a JPEG');
  await sceneJpeg(utk, join(imgs, 'c.jpg'));
  writeFileSync(join(imgs, 'notes.txt'), 'ignored');
  const events: SourceEvent[] = [];
  const source = await createSource(`images:${imgs}`, { onEvent: (e) => events.push(e) });
  const got = await collect(source, 10);
  t.is(got.length, 2);
  t.is(source.health.badFrames, 1);
  t.regex(events[0].message, /b\.jpg: image cannot be decoded/);
  t.deepEqual([got[0].width, got[0].height], [320, 240]);
  t.true(got[1].tMs > got[0].tMs);
  await t.throwsAsync(createSource(`images:${join(dir, 'none')}`), { message: /folder not found/ });
});

dataTest(test)('webcam: node-webcam through a stand-in fswebcam; a vanished camera is retried and a corrupt still is skipped', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  // The only stand-in allowed: no camera exists here. It writes a real image of a real face,
  // says "No such file or directory" on calls 2 and 3 (camera unplugged), writes junk on call 5.
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const still = join(dir, 'still.jpg');
  await sceneJpeg(utk, still);
  const counter = join(dir, 'calls');
  const argsLog = join(dir, 'args');
  writeFileSync(join(bin, 'fswebcam'), `#!/bin/sh
n=$(cat "${counter}" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${counter}"
echo "$@" >> "${argsLog}"
for last; do :; done
if [ $n -eq 2 ] || [ $n -eq 3 ]; then echo "Error opening device: /dev/video0: No such file or directory" >&2; exit 0; fi
if [ $n -eq 5 ]; then echo junk > "$last"; exit 0; fi
cp "${still}" "$last"
`);
  chmodSync(join(bin, 'fswebcam'), 0o755);
  process.env.PATH = `${bin}:${process.env.PATH}`;
  const events: SourceEvent[] = [];
  const source = await createSource('webcam:/dev/video0', { size: { width: 320, height: 240 }, backoffMs: 20, onEvent: (e) => events.push(e) });
  const got = await collect(source, 3);
  t.is(got.length, 3);
  t.is(source.health.restarts, 2);
  t.is(source.health.badFrames, 1);
  t.true(events.some((e) => /No webcam found; retrying in 20 ms/.test(e.message)), JSON.stringify(events));
  t.true(got.every((f, i) => i === 0 || f.tMs > got[i - 1].tMs));
  t.regex(readFileSync(argsLog, 'utf8'), /-r 320x240 .*-d \/dev\/video0/);
  // The still is a real face: the detector finds it where it was placed.
  const detector = await BlazeFaceDetector.create({ modelPath: await blazefaceTflite(), threads: 1 });
  const faces = await detector.detect(got[0]);
  await detector.close();
  t.is(faces.length, 1);
  t.true(faces[0].x > 90 && faces[0].x < 140 && faces[0].y > 50 && faces[0].y < 110, JSON.stringify(faces[0]));
  if (existsSync('/dev/shm')) t.deepEqual(readdirSync('/dev/shm').filter((f) => f.startsWith('agekit-webcam-')), [], 'no still left behind');
});
