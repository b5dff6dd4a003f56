// The HTTP sink on a device left alone: Host-header check, token, slow and stalled clients, a client cap.
import test from 'ava';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { HttpSink, readHttpToken } from '../../../device/sinks/http-sink.ts';
import { LatencyStats } from '../../../device/sinks/latency-stats.ts';
import { frameRecord } from '../../../device/sinks/json-lines-sink.ts';
import { runDevice } from '../../../device/cli/run-device.ts';
import type { FrameResult } from '../../../device/stages.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { writeFaceFrames } from '../support/face-images.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-http-hardening-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const TOKEN = 'a-long-enough-test-token-1234';

/** GET with an explicit Host header (fetch may not set it), through a real socket. */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; if (res.headers['content-type']?.startsWith('text/event-stream')) res.destroy(); });
      res.on('close', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A frame result with `n` faces (about 120 bytes of JSON each). */
function frame(i: number, n: number): FrameResult {
  const faces = Array.from({ length: n }, (_, k) => ({ track: k + 1, box: { x: k, y: k, w: 50, h: 50, score: 0.9 }, age: 30, ageSmoothed: 30.5, bucket: '25-34', dwellMs: 1000 }));
  return { frame: i, tMs: i * 33, width: 640, height: 480, faces, stageMs: { capture: 1, detect: 1, crop: 1, estimate: 1, track: 1, output: 1, total: 6 }, ended: [] };
}

/** A client that asks for /events and then never reads. */
function stalledClient(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      s.pause();
      resolve(s);
    });
    s.on('error', () => undefined);
  });
}

test('a Host header other than the bound address or an allowed name is refused (DNS rebinding)', async (t) => {
  const http = await HttpSink.create({ port: 0, stats: new LatencyStats(), allowedHosts: ['kiosk.local'] });
  t.teardown(() => http.close());
  const p = http.port;
  t.is((await get(p, '/status', { host: 'evil.example.com' })).status, 421);
  t.is((await get(p, '/events', { host: `evil.example.com:${p}` })).status, 421);
  t.is((await get(p, '/status', { host: `127.0.0.1:${p + 1}` })).status, 421, 'another port is another origin');
  t.is((await get(p, '/status')).status, 200);
  t.is((await get(p, '/status', { host: `localhost:${p}` })).status, 200);
  t.is((await get(p, '/status', { host: `KIOSK.local:${p}` })).status, 200);
  const status = JSON.parse((await get(p, '/status')).body);
  t.is(status.http.rejected_host, 3);
});

test('with a token every endpoint but /healthz needs it, as a Bearer header or ?token=', async (t) => {
  const http = await HttpSink.create({ port: 0, stats: new LatencyStats(), token: TOKEN });
  t.teardown(() => http.close());
  const p = http.port;
  t.is((await get(p, '/status')).status, 401);
  t.is((await get(p, '/events')).status, 401);
  t.is((await get(p, '/status', { authorization: 'Bearer wrong-token-of-some-length' })).status, 401);
  t.is((await get(p, '/status', { authorization: `Bearer ${TOKEN}` })).status, 200);
  t.is((await get(p, `/status?token=${TOKEN}`)).status, 200);
  t.is((await get(p, `/events?token=${TOKEN}`)).status, 200);
  t.is((await get(p, '/healthz')).status, 503, '/healthz answers without a token (no frames yet)');
  t.regex((await get(p, `/?token=${TOKEN}`)).body, /href="\/status\?token=/);
  t.is(http.counters.rejected_token, 3);
  const file = join(dir, 'token');
  writeFileSync(file, `${TOKEN}\n`);
  t.is(await readHttpToken({ httpTokenFile: file }), TOKEN);
  await t.throwsAsync(readHttpToken({ httpToken: 'short' }), { message: /--http-token: the HTTP token is 5 characters; at least 16/ });
  await t.throwsAsync(readHttpToken({ httpTokenFile: join(dir, 'missing') }), { message: /--http-token-file: cannot read the token file \(ENOENT\)/ });
});

test('stalled /events clients get a bounded buffer, lose frames (counted) and are cut off; a reading client gets every frame', async (t) => {
  const http = await HttpSink.create({ port: 0, stats: new LatencyStats(), maxBufferedBytes: 64 * 1024, writeTimeoutMs: 1500 });
  t.teardown(() => http.close());
  const stalled = await Promise.all(Array.from({ length: 5 }, () => stalledClient(http.port)));
  t.teardown(() => stalled.forEach((s) => s.destroy()));
  let received = 0;
  const reader = new Promise<void>((resolve) => {
    request({ host: '127.0.0.1', port: http.port, path: '/events' }, (res) => {
      res.setEncoding('utf8');
      let text = '';
      res.on('data', (d) => { text += d; const parts = text.split('\n\n'); text = parts.pop()!; received += parts.filter((m) => m.startsWith('event: frame')).length; });
      res.on('close', () => resolve());
    }).end();
  });
  while (http.status().http && (http.status().http as { clients: number }).clients < 6) await new Promise((r) => setTimeout(r, 10));
  const rssBefore = process.memoryUsage().rss;
  const frames = 2500;
  const started = Date.now();
  // 2500 frames of about 6 KB of events each: 15 MB per client if nothing were dropped.
  for (let i = 0; i < frames; i++) {
    http.write(frame(i, 50));
    await new Promise((r) => setTimeout(r, 1));
  }
  const grownMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  const c = http.counters;
  t.log(`${frames} frames in ${Date.now() - started} ms: dropped ${c.dropped_slow_client}, timed out ${c.timed_out}, reader got ${received}, RSS +${grownMb.toFixed(1)} MB`);
  t.true(c.dropped_slow_client > 0);
  t.is(c.timed_out, 5, 'every stalled client is cut off after writeTimeoutMs');
  t.is((http.status().http as { clients: number }).clients, 1);
  // The bound itself, not RSS (which a loaded machine's GC timing moves by tens of MB): no client's
  // backlog passed the limit by more than the frame written while under it.
  const frameBytes = Buffer.byteLength(`event: frame\ndata: ${JSON.stringify(frameRecord(frame(0, 50)))}\n\n`);
  t.true(c.peak_client_buffer_bytes < 64 * 1024 + 2 * frameBytes, `peak backlog ${c.peak_client_buffer_bytes} B (limit 65536 + frames of ${frameBytes} B)`);
  t.true(c.peak_client_buffer_bytes > 64 * 1024 - 2 * frameBytes, 'the stalled clients did fill their buffers');
  await http.close();
  await reader;
  t.true(received >= frames - 5, `the reading client got ${received} of ${frames} frames`);
});

test('streaming clients are capped; the next one gets 503', async (t) => {
  const http = await HttpSink.create({ port: 0, stats: new LatencyStats(), maxClients: 2 });
  t.teardown(() => http.close());
  const held = await Promise.all([stalledClient(http.port), stalledClient(http.port)]);
  t.teardown(() => held.forEach((s) => s.destroy()));
  while ((http.status().http as { clients: number }).clients < 2) await new Promise((r) => setTimeout(r, 10));
  const third = await get(http.port, '/events');
  t.is(third.status, 503);
  t.is((await get(http.port, '/status')).status, 200, 'plain requests still answer');
  t.is(http.counters.rejected_busy, 1);
});

dataTest(test)('agekit run on 0.0.0.0 without a token warns on stderr', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const imgs = await writeFaceFrames(utk, join(dir, 'imgs'), 2);
  mkdirSync(imgs, { recursive: true });
  let err = '';
  const stderr = new PassThrough();
  stderr.on('data', (d) => { err += d; });
  await runDevice({ source: `images:${imgs}`, ages: false, http: '0.0.0.0:0', status: false, threads: 1, maxFrames: 2 }, new AbortController().signal, { stdout: new PassThrough().resume(), stderr });
  t.regex(err, /warning: --http 0\.0\.0\.0:0 serves every network interface without a token/);
});
