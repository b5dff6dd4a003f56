/**
 * `npm run bench:stability`: how often a person standing still changes age bucket. Each of
 * `--faces` UTKFace val faces (spread over ages 10-80) stands in front of the camera for
 * `--seconds` at 15 FPS, 140 px, swaying a few pixels, with sensor noise (sd 2 levels) on every
 * frame; `agekit run`'s own code (runDevice: BlazeFace, crop, the student, the tracker) runs on
 * each video once per `--configs` entry (`window:hold`: the smoother's median window and
 * `--bucket-hold`). Prints per entry: bucket flips per minute of tracked time (goal: at most 1),
 * median and largest spread of the shown age, and how far the hold moved the shown age from the
 * smoothed one. The first entry is the baseline, measured in the same run.
 *
 * Options: --faces N (8), --seconds S (20), --configs 10:0,30:2 (the old defaults, then today's), --model <file>, --buckets <spec>,
 * --data <utkface dir> (default ../shared/data/utkface or $AGEKIT_DATA).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runDevice } from '../device/cli/run-device.ts';
import { SeededRandom } from '../host/data/seeded-random.ts';
import { encodeVideo, pickValFaces, renderScene } from '../test/device/support/face-scene.ts';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const nFaces = Number(arg('faces', '8'));
const seconds = Number(arg('seconds', '20'));
const configs = arg('configs', '10:0,30:2').split(',').map((c) => {
  const [window, hold] = c.split(':').map(Number);
  if (!(window >= 1) || !(hold >= 0)) throw new Error(`--configs: "${c}" is not window:hold (e.g. 10:2)`);
  return { window, hold };
});
const model = arg('model', '');
const buckets = arg('buckets', '');
const data = resolve(arg('data', process.env.AGEKIT_DATA ?? join(root, '..', 'shared', 'data', 'utkface')));
const FPS = 15, SIZE = 140, W = 640, H = 480;

interface Line { faces: Array<{ track: number; age: number | null; age_smoothed: number | null; bucket: string | null }> }

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'agekit-stability-'));
  try {
    const faces = pickValFaces(data, nFaces, 10, 80);
    const rng = new SeededRandom(7);
    const videos: string[] = [];
    for (const [i, face] of faces.entries()) {
      const frames = FPS * seconds;
      // Rendered still, then moved: a slow sway of up to 3 px, and fresh sensor noise each frame.
      const [still] = await renderScene({ width: W, height: H, frames: 1, faces: [{ face, size: SIZE, from: [250, 150], to: [250, 150] }] });
      const out: Uint8Array[] = [];
      for (let f = 0; f < frames; f++) {
        const dx = Math.round(3 * Math.sin((2 * Math.PI * f) / (FPS * 4))), dy = Math.round(2 * Math.sin((2 * Math.PI * f) / (FPS * 5.3)));
        const img = new Uint8Array(still.length);
        for (let y = 0; y < H; y++) {
          const sy = Math.min(H - 1, Math.max(0, y - dy));
          for (let x = 0; x < W; x++) {
            const sx = Math.min(W - 1, Math.max(0, x - dx));
            const s = (sy * W + sx) * 3, d = (y * W + x) * 3;
            for (let c = 0; c < 3; c++) img[d + c] = Math.min(255, Math.max(0, Math.round(still[s + c] + 2 * rng.normal())));
          }
        }
        out.push(img);
      }
      const video = join(dir, `face${i}.mp4`);
      await encodeVideo(out, W, H, FPS, video);
      videos.push(video);
    }
    process.stderr.write(`stability: ${faces.length} still faces (true ages ${faces.map((f) => f.age).join(', ')}), ${seconds} s each at ${FPS} FPS, ${SIZE} px; model ${model || 'the shipped student'}\n`);
    const rows: string[] = [];
    for (const { window, hold } of configs) {
      let flips = 0, minutes = 0, shifted = 0, shiftN = 0;
      const sds: number[] = [];
      const perFace: string[] = [];
      for (const [i, video] of videos.entries()) {
        const outFile = join(dir, `face${i}-w${window}-hold${hold}.jsonl`);
        const quiet = { stdout: new PassThrough(), stderr: new PassThrough() };
        const rep = await runDevice({ source: `file:${video}`, threads: 1, out: outFile, status: false, bucketHold: hold, window, model: model || undefined, buckets: buckets || undefined },
          new AbortController().signal, quiet);
        const st = rep.stability;
        for (const t of st?.list ?? []) { flips += t.bucket_flips; minutes += t.duration_s / 60; sds.push(t.age_sd); }
        perFace.push(`${faces[i].age}y:${st?.list.reduce((a, t) => a + t.bucket_flips, 0) ?? 0}`);
        // The raw median the hold started from is not in the lines; compare the shown age with the
        // median of the same run's last `window` estimates (as the tracker's smoother takes it).
        const lines = readFileSync(outFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
        const recent: number[] = [];
        for (const l of lines) {
          const f = l.faces[0];
          if (!f || f.age === null) continue;
          recent.push(f.age); if (recent.length > window) recent.shift();
          const s = [...recent].sort((a, b) => a - b), m = s.length >> 1;
          const median = s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
          if (f.age_smoothed !== null && recent.length === window) { shifted += Math.abs(f.age_smoothed - median); shiftN++; }
        }
      }
      sds.sort((a, b) => a - b);
      const median = sds.length ? sds[sds.length >> 1] : NaN;
      rows.push(`| ${window} | ${hold} | ${(flips / minutes).toFixed(2)} | ${flips} in ${minutes.toFixed(2)} min | ${median.toFixed(2)} | ${Math.max(...sds).toFixed(2)} | ${(shifted / Math.max(1, shiftN)).toFixed(2)} | ${perFace.join(' ')} |`);
      process.stderr.write(`window ${window}, hold ${hold}: ${flips} flips in ${minutes.toFixed(2)} tracked min\n`);
    }
    process.stdout.write('| --window | --bucket-hold (years) | bucket flips per minute | flips | median age sd | max age sd | mean shift of the shown age (years) | flips per face (true age:flips) |\n|---|---|---|---|---|---|---|---|\n');
    process.stdout.write(rows.join('\n') + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => { process.stderr.write(`bench:stability failed: ${err instanceof Error ? err.message : String(err)}\n`); process.exit(1); });
