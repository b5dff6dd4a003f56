// A sample /metrics scrape and /faces messages from a real run: a looped 640x480 video of 2 UTKFace
// faces through BlazeFace and the shipped student, scraped after `seconds` (default 8).
// Usage: npm run bench:metrics [-- seconds]
import { PassThrough } from 'node:stream';
import { join, resolve } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { runDevice } from '../device/cli/run-device.ts';
import { encodeVideo, pickValFaces, renderScene, type Scene } from '../test/device/support/face-scene.ts';
import { utkfaceDir } from '../test/support/shared-data.ts';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');
const seconds = Number(process.argv[2] ?? 8);
const dir = mkdtempSync(join(tmpdir(), 'agekit-metrics-bench-'));
const faces = pickValFaces(utkfaceDir(), 2, 15, 70);
const scene: Scene = { width: 640, height: 480, frames: 100, faces: [
  { face: faces[0], size: 140, from: [60, 80], to: [90, 90] }, { face: faces[1], size: 130, from: [380, 150], to: [350, 140] }] };
const video = join(dir, 'two.mp4');
await encodeVideo(await renderScene(scene), scene.width, scene.height, 10, video);

const controller = new AbortController();
let url = '';
let running: Promise<unknown> = Promise.resolve();
await new Promise<void>((ready) => {
  running = runDevice({
    source: `file:${video}`, loop: true, model: join(root, 'samples', 'models', 'student.tflite'), status: false, http: '127.0.0.1:0', deviceId: 'door-9',
    onListening: (u) => { url = u; ready(); },
  }, controller.signal, { stdout: new PassThrough().resume(), stderr: new PassThrough().resume() });
});
const ws = new WebSocket(url.replace('http:', 'ws:') + '/faces');
const messages: string[] = [];
ws.on('message', (d) => messages.push(d.toString()));
await new Promise((r) => setTimeout(r, seconds * 1000));
const text = await (await fetch(`${url}/metrics`)).text();
console.log(text.split('\n').filter((l) => !/agekit_(nodejs|process)_/.test(l)).join('\n'));
console.log(`# last /faces messages (${messages.length} received)`);
console.log(messages.slice(-2).join('\n'));
ws.close();
controller.abort();
await running;
rmSync(dir, { recursive: true, force: true });
