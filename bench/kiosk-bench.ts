/**
 * `npm run bench:kiosk [-- --seconds 20 --threads 1,2 --json bench-kiosk.json]`: the browser
 * kiosk's speed beside Node's, on the same faces. A y4m video of real UTKFace faces (6 faces in
 * 2 still scenes, 30 fps) feeds Chromium's fake camera; the kiosk page runs it on each page runtime
 * (LiteRT.js, tfjs-tflite's WebAssembly build) and thread count, and Node's device pipeline runs
 * the same frames (decoded by ffmpeg) on native TFLite (tfjs-tflite-node, XNNPACK) and TFLite
 * WASM (`--runtimes litert` and `--no-node` narrow it down). One table: median ms per stage, FPS from the median frame time, and the page's measured FPS.
 * Needs Debian's chromium (apt-get install chromium) and the UTKFace data (AGEKIT_DATA).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKioskServer } from '../device/kiosk/kiosk-server.ts';
import { KIOSK_RUNTIMES, type KioskRuntime } from '../device/kiosk/kiosk-config.ts';
import type { FrameResult, Frame } from '../device/stages.ts';
import { runBench } from '../device/bench/run-bench.ts';
import { defaultDetectorPath, defaultStudentPath } from '../device/pipeline.ts';
import { chromiumPath, kioskScenes, launchKioskBrowser, writeScenesY4m } from '../test/device/support/kiosk-browser.ts';
import { utkfaceDir, hasUtkface } from '../test/support/shared-data.ts';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const seconds = Number(arg('--seconds', '20'));
const threadList = arg('--threads', '1,2').split(',').map(Number);
const jsonOut = arg('--json', '');
const runtimes = arg('--runtimes', KIOSK_RUNTIMES.join(',')).split(',') as KioskRuntime[];
const withNode = !args.includes('--no-node');

interface Row { where: 'page' | 'node'; runtime: string; threads: number; ops: string; frames: number; wait: number; output: number; capture: number; detectInfer: number; detect: number; estimate: number; total: number; fpsP50: number; fpsMeasured: number }

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b), m = s.length >> 1; return s.length ? (s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2) : 0; };

function decodeY4m(video: string, width: number, height: number): Promise<Frame[]> {
  return new Promise((resolve, reject) => {
    const ff = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', video, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    ff.stdout.on('data', (d: Buffer) => chunks.push(d));
    ff.on('error', reject);
    ff.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ffmpeg exited ${code}`));
      const all = Buffer.concat(chunks), size = width * height * 3, frames: Frame[] = [];
      for (let i = 0; (i + 1) * size <= all.length; i++) frames.push({ index: i, tMs: i * 33.3, width, height, rgb: new Uint8Array(all.subarray(i * size, (i + 1) * size)) });
      resolve(frames);
    });
  });
}

async function pageRow(chromium: string, video: string, runtime: KioskRuntime, threads: number): Promise<Row> {
  const server = await startKioskServer({ port: 0, runtime, threads, onReport: (r) => process.stderr.write(`page error ${r.code}: ${r.message}\n`) });
  const browser = await launchKioskBrowser(chromium, { video });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 640, height: 480 });
    await page.goto(server.url);
    // Warm-up: the first frames include WebAssembly compilation and XNNPACK's weight packing.
    await page.waitForFunction(() => window.agekit.state === 'error' || window.agekit.stats().frames >= 10, { timeout: 180_000, polling: 500 });
    const first = await page.evaluate(() => window.agekit.stats().frames);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const { results, stats } = await page.evaluate(() => ({ results: window.agekit.results(), stats: window.agekit.stats() }));
    if (stats.state !== 'running') throw new Error(`page ${runtime}: state ${stats.state}`);
    const n = stats.frames - first;
    const measured: FrameResult[] = results.slice(-Math.min(n, results.length));
    const col = (f: (r: FrameResult) => number) => median(measured.map(f));
    const total = col((r) => r.stageMs.total);
    return {
      where: 'page', runtime, threads: stats.threads, ops: stats.model ?? '', frames: measured.length, wait: col((r) => r.extraMs?.['capture.wait'] ?? 0), output: col((r) => r.stageMs.output), capture: col((r) => r.stageMs.capture), detectInfer: col((r) => r.extraMs?.['detect.infer'] ?? 0),
      detect: col((r) => r.stageMs.detect), estimate: col((r) => r.stageMs.estimate), total, fpsP50: 1000 / total, fpsMeasured: (n * 1000) / (Date.now() - t0),
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

function table(rows: Row[]): string {
  const head = ['where', 'runtime', 'threads', 'frames', 'wait ms', 'output ms', 'capture ms', 'det.infer ms', 'detect ms', 'estimate ms', 'total ms', 'FPS p50', 'FPS measured', 'ops on'];
  const cells = [head, ...rows.map((r) => [r.where, r.runtime, String(r.threads), String(r.frames), r.where === 'page' ? r.wait.toFixed(2) : '-', r.where === 'page' ? r.output.toFixed(2) : '-', r.capture.toFixed(2), r.detectInfer.toFixed(2), r.detect.toFixed(2), r.estimate.toFixed(2), r.total.toFixed(2), r.fpsP50.toFixed(1), r.where === 'page' ? r.fpsMeasured.toFixed(1) : '-', r.ops])];
  const w = head.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  return cells.map((r) => r.map((v, c) => (c < 2 || c === r.length - 1 ? v.padEnd(w[c]) : v.padStart(w[c]))).join('  ').trimEnd()).join('\n');
}

async function main(): Promise<void> {
  const chromium = chromiumPath();
  if (!chromium) throw new Error('Chromium not found: apt-get install -y --no-install-recommends chromium (or set CHROMIUM_PATH)');
  if (!hasUtkface()) throw new Error(`UTKFace not found at ${utkfaceDir()}: set AGEKIT_DATA`);
  const dir = mkdtempSync(join(tmpdir(), 'agekit-kiosk-bench-'));
  try {
    const video = join(dir, 'faces.y4m');
    const { scenes } = kioskScenes(utkfaceDir());
    await writeScenesY4m(scenes, video, 60, 30);
    const rows: Row[] = [];
    for (const runtime of runtimes) {
      for (const threads of threadList) {
        process.stderr.write(`bench:kiosk: page, ${runtime}, ${threads} thread(s), ${seconds} s\n`);
        rows.push(await pageRow(chromium, video, runtime, threads));
      }
    }
    if (withNode) await nodeRows(video, rows);
    process.stdout.write(table(rows) + '\n(medians per frame; total = capture to end of tracking; FPS p50 = 1000 / median total; FPS measured = frames done per second in the page (camera 30 fps);'
      + '\n wait = for a camera frame not yet processed, output = overlay and window.agekit, both outside total; page capture = canvas draw + RGB readback, node capture = from memory)\n');
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify(rows, null, 2) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Node's device pipeline (runBench: native TFLite per thread count, TFLite WASM) on the video's frames. */
async function nodeRows(video: string, rows: Row[]): Promise<void> {
  process.stderr.write('bench:kiosk: node, tflite and tflite-wasm on the same frames\n');
  const frames = await decodeY4m(video, 640, 480);
  // Every 6th frame: both scenes, 20 frames per pass.
  const sample = frames.filter((_, i) => i % 6 === 0);
  const detector = defaultDetectorPath(), model = defaultStudentPath();
  const configs = [...threadList.map((threads) => ({ runtime: 'tflite' as const, threads, detector, model })), { runtime: 'tflite-wasm' as const, threads: 1, detector, model }];
  const node = await runBench({ configs, frames: sample, passes: 3 });
  for (const r of node) {
    rows.push({
      where: 'node', runtime: r.runtime, threads: r.threads, ops: r.accelerator, frames: r.frames, wait: 0, output: 0, capture: r.stages.capture.p50_ms, detectInfer: r.stages.detect_infer.p50_ms,
      detect: r.stages.detect.p50_ms, estimate: r.stages.estimate.p50_ms, total: r.stages.total.p50_ms, fpsP50: r.fps_p50, fpsMeasured: r.fps,
    });
  }
}

main().then(() => process.exit(0), (err) => { process.stderr.write(`bench:kiosk: ${(err as Error).stack ?? err}\n`); process.exit(1); });
