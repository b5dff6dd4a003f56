import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import mqtt from 'mqtt';
import { freePort, startMosquitto, stopMosquitto } from '../support/mosquitto.ts';
import { MqttSink, parseMqttUrl } from '../../../device/sinks/mqtt-sink.ts';
import type { EndedTrack, FrameResult, TrackedFace } from '../../../device/stages.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-mqtt-'));
const brokers: ChildProcess[] = [];
test.after.always(() => { for (const b of brokers) b.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); });

/** The real mosquitto on a loopback port, with persistence so sessions survive a restart. */
async function startBroker(port: number): Promise<ChildProcess> {
  const b = await startMosquitto(dir, port, { persistence: true });
  brokers.push(b);
  return b;
}

const stopBroker = stopMosquitto;

/** A subscriber whose session (clean: false, QoS 1) lives in the broker across restarts. */
function subscribe(port: number, topic: string): { messages: Array<{ topic: string; body: any }>; client: mqtt.MqttClient; ready: Promise<void> } {
  const messages: Array<{ topic: string; body: any }> = [];
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: `agekit-test-${port}`, clean: false, reconnectPeriod: 200 });
  client.on('message', (t, p) => messages.push({ topic: t, body: JSON.parse(p.toString()) }));
  const ready = new Promise<void>((resolve) => client.once('connect', () => client.subscribe(`${topic}/#`, { qos: 1 }, () => resolve())));
  return { messages, client, ready };
}

const face = (track: number): TrackedFace => ({ track, box: { x: 10, y: 10, w: 80, h: 80, score: 0.9 }, age: 30, ageSmoothed: 30, bucket: '25-34', dwellMs: 0 });
const result = (frame: number, faces: TrackedFace[], ended: EndedTrack[] = []): FrameResult => ({
  frame, tMs: frame * 33, width: 640, height: 480, faces, ended,
  stageMs: { capture: 1, detect: 1, crop: 1, estimate: 1, track: 1, output: 1, total: 5 },
});
const ended = (track: number, bucket: string, dwellMs: number): EndedTrack => ({ track, bucket, ageSmoothed: 30, dwellMs, firstMs: 0, lastMs: dwellMs });

async function until(cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

test('mqtt URL: broker and topic prefix; bad URLs name the flag', (t) => {
  t.deepEqual(parseMqttUrl('mqtt://10.0.0.2:1883/shop/door1'), { broker: 'mqtt://10.0.0.2:1883', topic: 'shop/door1' });
  t.deepEqual(parseMqttUrl('mqtt://h:1883'), { broker: 'mqtt://h:1883', topic: 'agekit' });
  t.throws(() => parseMqttUrl('http://h/x'), { message: /--mqtt: unsupported scheme "http:"/ });
});

test('track events and aggregates reach a real broker; a broker restart loses no aggregate', async (t) => {
  const port = await freePort();
  let broker = await startBroker(port);
  const sub = subscribe(port, 'agekit/test');
  await sub.ready;
  const sink = await MqttSink.create({ url: `mqtt://127.0.0.1:${port}/agekit/test`, intervalMs: 3_600_000, reconnectMs: 300 });
  await until(() => sink.connected);
  sink.write(result(0, [face(1), face(2)]));
  sink.write(result(1, [face(2)], [ended(1, '25-34', 2000)]));
  sink.aggregate();
  await until(() => sub.messages.length >= 4);
  t.deepEqual(sub.messages.filter((m) => m.topic === 'agekit/test/track').map((m) => [m.body.event, m.body.track]), [['start', 1], ['start', 2], ['end', 1]]);

  // The broker goes away: tracks keep ending and aggregates keep coming, queued by agekit.
  await stopBroker(broker);
  await until(() => !sink.connected);
  sink.write(result(2, [face(3)], [ended(2, '65+', 5000)]));
  sink.aggregate();
  sink.write(result(3, [], [ended(3, '25-34', 1000)]));
  sink.aggregate();
  t.true(sink.queued >= 4, `${sink.queued} queued`);
  broker = await startBroker(port);
  await until(() => sink.queued === 0);
  t.is(sink.queued, 0, 'the sink reconnected and delivered its queue');
  await sink.close();
  await until(() => sub.messages.filter((m) => m.topic === 'agekit/test/aggregate').length >= 4);
  sub.client.end(true);

  const aggs = sub.messages.filter((m) => m.topic === 'agekit/test/aggregate').map((m) => m.body);
  t.log(`aggregates: ${aggs.map((a) => JSON.stringify(a.by_bucket)).join(' | ')}`);
  // Every window's counts add up to the totals since start: nothing lost, nothing doubled.
  const sum: Record<string, number> = {};
  for (const a of aggs) for (const [k, v] of Object.entries(a.by_bucket as Record<string, { tracks: number }>)) sum[k] = (sum[k] ?? 0) + v.tracks;
  t.deepEqual(sum, { '25-34': 2, '65+': 1 });
  const last = aggs[aggs.length - 1].since_start;
  t.deepEqual(last, { '25-34': { tracks: 2, dwell_s: 3 }, '65+': { tracks: 1, dwell_s: 5 } });
  t.deepEqual(sub.messages.filter((m) => m.body.event === 'end').map((m) => m.body.track), [1, 2, 3]);
  t.is(sink.dropped, 0);
});
