import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import mqtt from 'mqtt';
import { freePort, startMosquitto, stopMosquitto } from '../support/mosquitto.ts';
import { MqttSink, parseMqttUrl } from '../../../device/sinks/mqtt-sink.ts';
import { AudienceEvents } from '../../../device/events/audience-events.ts';
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
const result = (tMs: number, faces: TrackedFace[], ended: EndedTrack[] = []): FrameResult => ({
  frame: tMs, tMs, width: 640, height: 480, faces, ended,
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

test('events on <topic>/event and aggregates on <topic>/aggregate reach a real broker; a broker restart loses none', async (t) => {
  const port = await freePort();
  let broker = await startBroker(port);
  const sub = subscribe(port, 'agekit/test');
  await sub.ready;
  const sink = await MqttSink.create({ url: `mqtt://127.0.0.1:${port}/agekit/test`, reconnectMs: 300 });
  // Hand-made frames through the real event builder: 1 s aggregates on the frame clock.
  const audience = new AudienceEvents({ deviceId: 'door1', aggregateMs: 1000, updateMs: 0 });
  const send = (r: FrameResult) => sink.writeEvents(audience.frame(r));
  await until(() => sink.connected);
  send(result(0, [face(1), face(2)]));
  send(result(100, [face(2)], [ended(1, '25-34', 2000)]));
  send(result(1000, [face(2), face(3)])); // closes [0, 1000)
  await until(() => sub.messages.length >= 5);
  t.deepEqual(sub.messages.filter((m) => m.topic === 'agekit/test/event').map((m) => [m.body.event, m.body.track]), [['track_start', 1], ['track_start', 2], ['track_end', 1], ['track_start', 3]]);

  // The broker goes away: tracks keep ending and aggregates keep coming, queued by agekit.
  await stopBroker(broker);
  await until(() => !sink.connected);
  send(result(1100, [face(3)], [ended(2, '65+', 5000)]));
  send(result(2000, [], [ended(3, '25-34', 1000)])); // closes [1000, 2000)
  sink.writeEvents(audience.finish([]));
  t.true(sink.queued >= 4, `${sink.queued} queued`);
  broker = await startBroker(port);
  await until(() => sink.queued === 0);
  t.is(sink.queued, 0, 'the sink reconnected and delivered its queue');
  await sink.close();
  await until(() => sub.messages.filter((m) => m.topic === 'agekit/test/aggregate').length >= 3);
  sub.client.end(true);

  const aggs = sub.messages.filter((m) => m.topic === 'agekit/test/aggregate').map((m) => m.body);
  t.log(`aggregates: ${aggs.map((a) => JSON.stringify({ ots: a.ots, impressions: a.impressions, by_bucket: a.by_bucket })).join(' | ')}`);
  t.deepEqual(aggs.map((a) => a.event), ['aggregate', 'aggregate', 'aggregate']);
  t.deepEqual(aggs.map((a) => [a.ots, a.impressions]), [[2, 1], [2, 1], [1, 1]]);
  // Every visit is counted once over the intervals: nothing lost, nothing doubled.
  const sum: Record<string, number> = {};
  for (const a of aggs) for (const [k, v] of Object.entries(a.by_bucket as Record<string, number>)) sum[k] = (sum[k] ?? 0) + v;
  t.like(sum, { '25-34': 2, '65+': 1, '0-15': 0 });
  t.deepEqual(sub.messages.filter((m) => m.body.event === 'track_end').map((m) => m.body.track), [1, 2, 3]);
  const ids = sub.messages.map((m) => m.body.event_id as string);
  t.is(new Set(ids).size, ids.length, 'event ids are unique');
  t.true(ids.every((id) => id.startsWith('door1-')));
  t.is(sink.dropped, 0);
});
