import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { runDevice } from '../../../device/cli/run-device.ts';
import { HttpSink, parseListen } from '../../../device/sinks/http-sink.ts';
import { LatencyStats } from '../../../device/sinks/latency-stats.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { pickValFaces, renderScene, writeJpeg } from '../support/face-scene.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-http-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** Read a streaming response until `done(text so far)` or the byte limit. */
async function readStream(res: Response, done: (buf: Buffer) => boolean, limit = 4_000_000): Promise<Buffer> {
  const reader = res.body!.getReader();
  let buf = Buffer.alloc(0);
  while (!done(buf) && buf.length < limit) {
    const { value, done: end } = await reader.read();
    if (end) break;
    buf = Buffer.concat([buf, Buffer.from(value)]);
  }
  await reader.cancel();
  return buf;
}

test('--http parsing: host:port, bare port binds 127.0.0.1, bad values name the flag', (t) => {
  t.deepEqual(parseListen('0.0.0.0:9000'), { host: '0.0.0.0', port: 9000 });
  t.deepEqual(parseListen('8080'), { host: '127.0.0.1', port: 8080 });
  t.throws(() => parseListen('localhost:http'), { message: /--http: expected host:port or port \(got "localhost:http"\)/ });
});

test('without frames /healthz is 503; without --preview /preview is 404 and says how to turn it on', async (t) => {
  const http = await HttpSink.create({ port: 0, stats: new LatencyStats() });
  try {
    t.is(http.host, '127.0.0.1');
    const h = await fetch(`${http.url}/healthz`);
    t.is(h.status, 503);
    const p = await fetch(`${http.url}/preview`);
    t.is(p.status, 404);
    t.regex(await p.text(), /--preview/);
  } finally {
    await http.close();
  }
});

dataTest(test)('a running device serves /status, /healthz, server-sent events (frames and audience events) and an MJPEG preview', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const imgs = join(dir, 'imgs');
  mkdirSync(imgs);
  const faces = pickValFaces(utk, 2);
  const frames = await renderScene({ width: 320, height: 240, frames: 4, faces: [
    { face: faces[0], size: 100, from: [20, 40], to: [60, 50] }, { face: faces[1], size: 80, from: [200, 100], to: [180, 120] }] });
  for (let i = 0; i < frames.length; i++) await writeJpeg(frames[i], 320, 240, join(imgs, `${i}.jpg`));

  const controller = new AbortController();
  let url = '';
  const listening = new Promise<void>((resolve) => {
    const running = runDevice({
      source: `images:${imgs}`, track: true, loop: true, ages: false, http: '127.0.0.1:0', preview: true, status: false, threads: 1, deviceId: 'kiosk-3', aggregateMs: 500,
      onListening: (u) => { url = u; resolve(); },
    }, controller.signal, { stdout: new PassThrough().resume(), stderr: new PassThrough().resume() });
    t.teardown(() => { controller.abort(); return running.then(() => undefined); });
  });
  await listening;
  t.regex(url, /^http:\/\/127\.0\.0\.1:\d+$/);

  const events = await readStream(await fetch(`${url}/events`), (b) => (b.toString().match(/event: frame/g) ?? []).length >= 3 && /event: aggregate/.test(b.toString()));
  const frameEvents = events.toString().split('\n\n').filter((e) => e.startsWith('event: frame')).map((e) => JSON.parse(e.split('data: ')[1]));
  t.true(frameEvents.length >= 3);
  t.like(frameEvents[0], { device_id: 'kiosk-3', time: new Date(frameEvents[0].epoch_ms).toISOString() });
  // Audience events are named by their type, with the event id as the SSE id.
  const aggregate = events.toString().split('\n\n').find((e) => e.startsWith('event: aggregate'))!;
  const [, id, data] = /^event: aggregate\nid: (\S+)\ndata: (.*)$/.exec(aggregate)!;
  t.like(JSON.parse(data), { event: 'aggregate', event_id: id, device_id: 'kiosk-3', interval_s: 0.5 });
  t.true(frameEvents[1].frame > frameEvents[0].frame);
  t.true(frameEvents.some((e) => e.faces.length === 2), JSON.stringify(frameEvents[0]));

  const status = await (await fetch(`${url}/status`)).json() as Record<string, any>;
  t.true(status.frames >= 3);
  t.true(status.stages.detect.p50_ms > 0);
  t.is(status.tracks.length, 2);
  t.deepEqual(Object.keys(status.tracks[0]).sort(), ['age', 'age_smoothed', 'box', 'bucket', 'dwell_s', 'score', 'track']);
  t.is((await fetch(`${url}/healthz`)).status, 200);

  const preview = await fetch(`${url}/preview`);
  t.regex(preview.headers.get('content-type') ?? '', /multipart\/x-mixed-replace; boundary=agekitframe/);
  const part = await readStream(preview, (b) => { const i = b.indexOf('\r\n\r\n'); const m = /content-length: (\d+)/.exec(b.toString('latin1')); return i > 0 && !!m && b.length >= i + 4 + Number(m[1]); });
  const start = part.indexOf('\r\n\r\n') + 4;
  t.deepEqual([...part.subarray(start, start + 2)], [0xff, 0xd8], 'a JPEG');
  t.is((await fetch(`${url}/nothing`)).status, 404);
});
