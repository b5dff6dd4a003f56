// /metrics (Prometheus text) and /faces (WebSocket, ROS4HRI-like soft biometrics) on a real run:
// an ffmpeg video of real UTKFace faces through BlazeFace and the shipped student on TFLite,
// scraped with a real HTTP client and read with a real ws client, against the JSON lines output.
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PassThrough, Writable } from 'node:stream';
import { request } from 'node:http';
import WebSocket from 'ws';
import { runDevice } from '../../../device/cli/run-device.ts';
import { HttpSink } from '../../../device/sinks/http-sink.ts';
import { LatencyStats } from '../../../device/sinks/latency-stats.ts';
import { ageConfidence } from '../../../device/sinks/faces-socket.ts';
import { DeviceMetrics } from '../../../device/sinks/device-metrics.ts';
import { cpuTemperature } from '../../../device/report/machine-info.ts';
import { dataTest, projectRoot, requireUtkface } from '../../support/shared-data.ts';
import { encodeVideo, pickValFaces, renderScene, type Scene } from '../support/face-scene.ts';
import { blazefaceTflite } from '../support/device-models.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-metrics-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const TOKEN = 'metrics-test-token-0123456789';

/**
 * stdout for the JSON lines that lets through `allowed` lines and then holds the next write: the
 * JSON sink waits for 'drain', so the pipeline stops with every earlier frame through every sink.
 */
class GatedOut extends Writable {
  readonly lines: Array<Record<string, any>> = [];
  private allowed = 0;
  private held?: () => void;
  constructor() { super({ highWaterMark: 1 }); }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    for (const l of chunk.toString().split('\n')) if (l.trim()) this.lines.push(JSON.parse(l));
    if (this.lines.length <= this.allowed) cb();
    else { this.held = cb; this.emit('held'); }
  }
  allow(n: number): void {
    this.allowed = n;
    if (this.held && this.lines.length <= n) { const cb = this.held; this.held = undefined; cb(); }
  }
  whenHeld(): Promise<void> { return this.held ? Promise.resolve() : new Promise((r) => this.once('held', () => r())); }
}

/** GET through a real socket with an explicit Host header. */
function get(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, headers: { host: u.host, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Samples of the Prometheus text format: name, labels, value (comments checked for HELP/TYPE). */
function parseProm(text: string): { samples: Array<{ name: string; labels: Record<string, string>; value: number }>; types: Map<string, string> } {
  const samples = [], types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) { types.set(type[1], type[2]); continue; }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { samples, types };
}

/** Open a ws client; resolves with it, or rejects with the HTTP status of a refused handshake. */
function openWs(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => { reject(new Error(`HTTP ${res.statusCode}`)); res.resume(); });
    ws.once('error', reject);
  });
}

dataTest(test)('a real run serves /metrics (frames, latencies, tracks) and /faces (one message per tracked face, ages as age_smoothed)', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const faces = pickValFaces(utk, 2, 15, 70);
  const scene: Scene = { width: 480, height: 320, frames: 40, faces: [
    { face: faces[0], size: 120, from: [40, 60], to: [60, 70] }, { face: faces[1], size: 110, from: [300, 120], to: [280, 110] }] };
  const video = join(dir, 'two.mp4');
  await encodeVideo(await renderScene(scene), scene.width, scene.height, 10, video);

  const out = new GatedOut();
  const controller = new AbortController();
  let url = '';
  const detector = await blazefaceTflite();
  const listening = new Promise<void>((resolve) => {
    const running = runDevice({
      source: `file:${video}`, detector, model: join(projectRoot, 'samples', 'models', 'student.tflite'), threads: 1, status: false,
      http: '127.0.0.1:0', httpToken: TOKEN, deviceId: 'door-9', onListening: (u) => { url = u; resolve(); },
    }, controller.signal, { stdout: out, stderr: new PassThrough().resume() });
    t.teardown(async () => { controller.abort(); out.allow(Infinity); await running.catch(() => undefined); });
  });
  await listening;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const wsUrl = url.replace('http:', 'ws:') + '/faces';

  // Both endpoints refuse a foreign Host header and a missing token.
  t.is((await get(url, '/metrics')).status, 401);
  t.is((await get(url, '/metrics', { ...auth, host: 'evil.example.com' })).status, 421);
  await t.throwsAsync(openWs(wsUrl), { message: 'HTTP 401' });
  await t.throwsAsync(openWs(`${wsUrl}?token=${TOKEN}`, { host: 'evil.example.com' }), { message: 'HTTP 421' });

  const ws = await openWs(wsUrl, auth);
  const messages: Array<Record<string, any>> = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
  const HOLD = 25;
  out.allow(HOLD);
  await out.whenHeld();
  const done = out.lines.slice(0, HOLD);
  // The frames through every sink have all been sent; wait for the last one's messages to arrive.
  const lastWithFaces = [...done].reverse().find((l) => l.faces.length)!;
  for (let i = 0; i < 100 && !messages.some((m) => m.frame === lastWithFaces.frame); i++) await new Promise((r) => setTimeout(r, 20));

  const scrape = await get(url, '/metrics', auth);
  t.is(scrape.status, 200);
  t.regex(scrape.type, /^text\/plain; version=0\.0\.4/);
  const { samples, types } = parseProm(scrape.body);
  const one = (name: string, labels: Record<string, string> = {}) => samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  t.true(samples.every((s) => s.labels.device_id === 'door-9'), 'every sample has the device_id label');
  t.is(one('agekit_frames_total')?.value, done.length, 'frames_total = frames through every output');
  t.is(types.get('agekit_frames_total'), 'counter');
  t.is(one('agekit_faces_total')?.value, done.reduce((n, l) => n + l.faces.length, 0));
  t.is(one('agekit_faces')?.value, done[done.length - 1].faces.length);
  const trackIds = new Set(done.flatMap((l) => l.faces.map((f: any) => f.track)));
  t.is(one('agekit_tracks_started_total')?.value, trackIds.size);
  // Both faces stay in view for the whole video, so no track has ended: every started track is live.
  t.is(one('agekit_tracks_live')?.value, trackIds.size);
  t.true(trackIds.size >= 2, `tracks ${[...trackIds]}`);
  t.is(types.get('agekit_stage_latency_seconds'), 'histogram');
  for (const stage of ['capture', 'detect', 'crop', 'estimate', 'track', 'output', 'total']) {
    t.is(one('agekit_stage_latency_seconds_count', { stage })?.value, done.length, stage);
    if (stage !== 'output') t.true(one('agekit_stage_latency_seconds_sum', { stage })!.value > 0, stage);
  }
  t.true(one('agekit_fps')!.value > 0);
  for (const name of ['agekit_source_restarts_total', 'agekit_source_stalls_total', 'agekit_http_dropped_frames_total']) t.is(one(name)?.value, 0, name);
  t.is(one('agekit_http_clients')?.value, 1, 'the ws client');
  t.true(one('agekit_process_resident_memory_bytes')!.value > 0, 'process metrics from collectDefaultMetrics');

  // /faces: per frame, one message per tracked face, matching the JSON lines.
  t.true(messages.length > 0);
  for (const line of done) {
    const got = messages.filter((m) => m.frame === line.frame);
    t.deepEqual(got.map((m) => m.id), line.faces.map((f: any) => String(f.track)), `frame ${line.frame}`);
    for (const [k, m] of got.entries()) {
      const f = line.faces[k];
      t.is(m.age, f.age_smoothed);
      t.deepEqual(m.box, f.box);
      t.true(m.age_confidence >= 0 && m.age_confidence <= 1);
      t.like(m, { device_id: 'door-9', epoch_ms: line.epoch_ms, time: line.time });
    }
  }
  t.true(messages.some((m) => m.age_confidence > 0), 'tracks with several estimates have a confidence');
  ws.close();
});

test('age_confidence: 1 for identical estimates, falling with the spread, 0 with one estimate', (t) => {
  t.is(ageConfidence([]), 0);
  t.is(ageConfidence([30]), 0);
  t.is(ageConfidence([30, 30, 30]), 1);
  const narrow = ageConfidence([29, 30, 31]), wide = ageConfidence([20, 30, 40]);
  t.true(narrow > wide && wide > 0 && narrow < 1);
  t.is(Math.round(ageConfidence([25, 35]) * 1000), Math.round(Math.exp(-Math.sqrt(50) / 5) * 1000));
});

test('/faces counts against the streaming-client cap', async (t) => {
  const http = await HttpSink.create({ port: 0, stats: new LatencyStats(), maxClients: 1 });
  t.teardown(() => http.close());
  const first = await openWs(`ws://127.0.0.1:${http.port}/faces`);
  await t.throwsAsync(openWs(`ws://127.0.0.1:${http.port}/faces`), { message: 'HTTP 503' });
  t.is((await get(http.url, '/events')).status, 503);
  t.is(http.counters.rejected_busy, 2);
  first.close();
});

test('a /faces client that stops reading gets a bounded buffer: messages beyond it are dropped, counted in /metrics', async (t) => {
  const limit = 64 * 1024;
  const http = await HttpSink.create({ port: 0, stats: new LatencyStats(), maxBufferedBytes: limit, writeTimeoutMs: 60_000 });
  t.teardown(() => http.close());
  const ws = await openWs(`ws://127.0.0.1:${http.port}/faces`);
  ws.pause();
  const faces = Array.from({ length: 4 }, (_, k) => ({ track: k + 1, box: { x: 10 * k, y: 20, w: 90, h: 90, score: 0.9 }, age: 30 + k, ageSmoothed: 31 + k, bucket: '25-34', dwellMs: 500 }));
  const frames = 20_000;
  for (let i = 0; i < frames; i++) {
    http.write({ frame: i, tMs: i * 33, width: 640, height: 480, faces, stageMs: { capture: 1, detect: 1, crop: 1, estimate: 1, track: 1, output: 1, total: 6 }, ended: [] });
    if (i % 200 === 0) await new Promise((r) => setImmediate(r));
  }
  const status = http.status() as { http: { faces_dropped: number } };
  t.true(status.http.faces_dropped > 0, `dropped ${status.http.faces_dropped} of ${frames * faces.length}`);
  const text = await (await fetch(`${http.url}/metrics`)).text();
  const dropped = Number(/^agekit_http_dropped_frames_total (\S+)$/m.exec(text)?.[1]);
  t.is(dropped, status.http.faces_dropped);
  t.log(`${frames * faces.length} messages to a paused client, ${status.http.faces_dropped} dropped (limit ${limit} bytes)`);
  ws.terminate();
});

test('agekit_tracks_live counts tracks started and not ended, so a face missed for a frame stays live', async (t) => {
  const metrics = new DeviceMetrics({ stats: new LatencyStats(), temperature: async () => undefined });
  const face = (track: number) => ({ track, box: { x: 0, y: 0, w: 50, h: 50, score: 0.9 }, dwellMs: 0 });
  const stageMs = { capture: 1, detect: 1, crop: 1, estimate: 1, track: 1, output: 1, total: 6 };
  const value = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await metrics.render())?.[1]);
  metrics.write({ frame: 0, tMs: 0, width: 640, height: 480, faces: [face(1), face(2)], stageMs, ended: [] });
  metrics.write({ frame: 1, tMs: 33, width: 640, height: 480, faces: [face(2)], stageMs, ended: [] });
  t.is(await value('agekit_tracks_live'), 2, 'track 1 missed on frame 1 but not ended');
  t.is(await value('agekit_faces'), 1);
  metrics.write({ frame: 2, tMs: 66, width: 640, height: 480, faces: [face(2), face(3)], stageMs, ended: [{ track: 1, dwellMs: 0, firstMs: 0, lastMs: 0 }] });
  t.is(await value('agekit_tracks_live'), 2);
  t.is(await value('agekit_tracks_started_total'), 3);
  t.is(await value('agekit_frames_total'), 3);
  t.false(/agekit_cpu_temperature_celsius/.test(await metrics.render()), 'no thermal zone: no temperature gauge (not a 0)');
});

test('agekit_cpu_temperature_celsius reads the CPU thermal zone, not another hotter one (a sysfs tree written as on a Pi)', async (t) => {
  const root = join(dir, 'thermal');
  for (const [zone, type, milli] of [['thermal_zone0', 'cpu-thermal', '48312'], ['thermal_zone1', 'wifi', '61000']]) {
    mkdirSync(join(root, zone), { recursive: true });
    writeFileSync(join(root, zone, 'type'), type + '\n');
    writeFileSync(join(root, zone, 'temp'), milli + '\n');
  }
  const metrics = new DeviceMetrics({ stats: new LatencyStats(), deviceId: 'pi-1', temperature: () => cpuTemperature(root) });
  // The gauge is registered once the first read found a zone.
  let text = '';
  for (let i = 0; i < 50 && !/agekit_cpu_temperature_celsius\{/.test(text); i++) { await new Promise((r) => setTimeout(r, 10)); text = await metrics.render(); }
  t.regex(text, /^agekit_cpu_temperature_celsius\{device_id="pi-1"\} 48\.312$/m, 'the CPU zone, not the hotter wifi one');
});
