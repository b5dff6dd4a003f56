/**
 * For the browser kiosk tests and bench: Debian's Chromium driven by puppeteer-core (no browser
 * download), a fake camera fed from a y4m video of real UTKFace faces written by the real ffmpeg,
 * and `agekit kiosk` started as a child process (its stderr is where page errors are printed).
 * A missing Chromium skips a test with a message outside CI and fails it under CI=true.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import puppeteer, { type Browser } from 'puppeteer-core';
import { projectRoot } from '../../support/shared-data.ts';
import { pickValFaces, renderScene, type Scene, type UtkFace } from './face-scene.ts';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Path of the system Chromium ($CHROMIUM_PATH first), or undefined. */
export function chromiumPath(): string | undefined {
  return [process.env.CHROMIUM_PATH, ...CANDIDATES].find((p): p is string => !!p && existsSync(p));
}

/** The Chromium path, or undefined after skipping (outside CI) or failing (CI=true) the test with the reason. */
export function requireChromium(t: ExecutionContext): string | undefined {
  const path = chromiumPath();
  if (path) return path;
  const why = `Chromium not found (${CANDIDATES.join(', ')}; or set CHROMIUM_PATH): apt-get install -y --no-install-recommends chromium`;
  if (process.env.CI === 'true') { t.fail(`${why}; under CI=true it must be installed`); return undefined; }
  t.log(`SKIPPED: ${why}`);
  t.pass();
  return undefined;
}

export interface KioskBrowserOptions {
  /** A y4m file for the fake camera; without it and without `fakeCamera`, the browser has no camera at all. */
  video?: string;
  /** A fake camera (Chromium's test pattern unless `video`). Default: true when `video` is given. */
  fakeCamera?: boolean;
  /** Grant the camera permission without a prompt. Default true; false: the permission is denied. */
  allowCamera?: boolean;
}

/** Headless Chromium (--no-sandbox: tests run as root) with the fake camera asked for. */
export function launchKioskBrowser(executablePath: string, o: KioskBrowserOptions = {}): Promise<Browser> {
  const args = ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'];
  if (o.video || o.fakeCamera) args.push('--use-fake-device-for-media-stream');
  if (o.video) args.push(`--use-file-for-fake-video-capture=${o.video}`);
  // Without the fake UI, headless Chromium denies the camera permission (no one answers the prompt).
  if (o.allowCamera ?? true) args.push('--use-fake-ui-for-media-stream');
  else args.push('--deny-permission-prompts');
  return puppeteer.launch({ executablePath, headless: true, args, protocolTimeout: 120_000 });
}

/** A running `agekit kiosk` child process. */
export interface KioskProcess { url: string; child: ChildProcess; stderr(): string; stop(): Promise<void> }

/** Start `agekit kiosk --port 0 ...args` and wait for the line saying where it serves. */
export function startKioskCli(args: string[], timeoutMs = 60_000): Promise<KioskProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), 'kiosk', '--port', '0', ...args], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`agekit kiosk did not start in ${timeoutMs} ms: ${stderr}`)); }, timeoutMs);
    const stop = () => new Promise<void>((r) => { if (child.exitCode !== null) return r(); child.once('close', () => r()); child.kill('SIGTERM'); });
    child.stderr!.on('data', (d) => {
      stderr += d;
      const m = /serving (http:\/\/\S+\/)/.exec(stderr);
      if (m) { clearTimeout(timer); resolve({ url: m[1], child, stderr: () => stderr, stop }); }
    });
    child.on('close', (code) => { clearTimeout(timer); reject(new Error(`agekit kiosk exited ${code}: ${stderr}`)); });
  });
}

/** The faces test scene: two scenes of three real faces each, every scene held `holdFrames` frames. */
export function kioskScenes(utk: string): { scenes: Scene[]; faces: UtkFace[] } {
  const faces = pickValFaces(utk, 6, 5, 80);
  // Each scene puts its faces elsewhere, so a face's box tells which scene (and face) it is.
  const scene = (f: UtkFace[], at: Array<[number, number]>): Scene => ({ width: 640, height: 480, frames: 1, faces: [
    { face: f[0], size: 170, from: at[0], to: at[0] }, { face: f[1], size: 150, from: at[1], to: at[1] }, { face: f[2], size: 140, from: at[2], to: at[2] }] });
  return { scenes: [scene(faces.slice(0, 3), [[40, 60], [250, 200], [450, 70]]), scene(faces.slice(3, 6), [[60, 270], [260, 20], [470, 300]])], faces };
}

/** Write the scenes as a y4m video (the format Chromium's fake camera reads), each scene held `holdFrames` frames at `fps`. */
export async function writeScenesY4m(scenes: Scene[], out: string, holdFrames = 20, fps = 10): Promise<void> {
  const frames: Uint8Array[] = [];
  for (const s of scenes) {
    const [img] = await renderScene(s);
    for (let i = 0; i < holdFrames; i++) frames.push(img);
  }
  const { width, height } = scenes[0];
  await new Promise<void>((resolve, reject) => {
    const ff = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0', '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', out], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    ff.stderr!.on('data', (d) => { err += d; });
    ff.on('error', reject);
    ff.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${err}`))));
    (async () => {
      for (const f of frames) if (!ff.stdin!.write(f)) await new Promise((r) => ff.stdin!.once('drain', r));
      ff.stdin!.end();
    })().catch(reject);
  });
}
