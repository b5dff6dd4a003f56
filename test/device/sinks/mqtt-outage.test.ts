// MQTT through broker outages with a real mosquitto: logged once each way, drops and undelivered counted.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import { MqttSink } from '../../../device/sinks/mqtt-sink.ts';
import { AudienceEvents } from '../../../device/events/audience-events.ts';
import { runDevice } from '../../../device/cli/run-device.ts';
import type { EndedTrack, FrameResult } from '../../../device/stages.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { writeFaceFrames } from '../support/face-images.ts';
import { freePort, startMosquitto, stopMosquitto } from '../support/mosquitto.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-mqtt-outage-'));
const brokers: ChildProcess[] = [];
test.after.always(async () => { for (const b of brokers) await stopMosquitto(b); rmSync(dir, { recursive: true, force: true }); });

const ended = (track: number): EndedTrack => ({ track, bucket: '25-34', ageSmoothed: 30, dwellMs: 1000, firstMs: 0, lastMs: 1000 });
const result = (frame: number, end: EndedTrack[]): FrameResult => ({
  frame, tMs: frame * 33, width: 640, height: 480, faces: [], ended: end, stageMs: { capture: 1, detect: 1, crop: 1, estimate: 1, track: 1, output: 1, total: 5 },
});
async function until(cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

test.serial('an outage is logged once and its end once, a full queue drops (counted) and what is left at exit is said', async (t) => {
  const port = await freePort();
  let broker = await startMosquitto(dir, port);
  brokers.push(broker);
  const events: string[] = [];
  const sink = await MqttSink.create({ url: `mqtt://127.0.0.1:${port}/door`, reconnectMs: 200, maxQueued: 5, onEvent: (m) => events.push(m) });
  const audience = new AudienceEvents({ deviceId: 'door', aggregateMs: 3_600_000 });
  await until(() => sink.connected);
  await stopMosquitto(broker);
  await until(() => !sink.connected);
  await new Promise((r) => setTimeout(r, 2500)); // about 12 failed reconnects
  for (let i = 0; i < 8; i++) sink.writeEvents(audience.frame(result(i, [ended(i + 1)])));
  t.is(events.filter((e) => /unreachable/.test(e)).length, 1, events.join('\n'));
  t.is(events.filter((e) => /queue full \(5 messages\)/.test(e)).length, 1);
  t.like(sink.stats(), { connected: false, queued: 5, dropped: 3, outages: 1 });

  broker = await startMosquitto(dir, port);
  brokers.push(broker);
  await until(() => sink.queued === 0);
  t.is(events.filter((e) => /back after [\d.]+ s; sending 5 queued messages \(3 dropped while it was away: queue full\)/.test(e)).length, 1, events.join('\n'));
  t.is(sink.stats().sent, 5);

  await stopMosquitto(broker);
  await until(() => !sink.connected);
  sink.writeEvents(audience.frame(result(9, [ended(20), ended(21)])));
  sink.writeEvents(audience.finish([]));
  const stats = await sink.finish(500);
  t.is(stats.undelivered, 3, 'two track ends and the last aggregate');
  t.is(stats.outages, 2);
  t.true(events.some((e) => /^mqtt: 3 messages not delivered at exit \(broker unreachable\), 3 dropped earlier \(queue full\); 5 delivered$/.test(e)), events.join('\n'));
  await sink.close();
});

dataTest(test.serial)('agekit run with the broker down: one outage line, the undelivered count in the exit line and the report', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const imgs = await writeFaceFrames(utk, join(dir, 'imgs'), 4);
  const port = await freePort(); // nothing listens there
  const report = join(dir, 'report.json');
  let stderr = '';
  await runDevice({ source: `images:${imgs}`, ages: false, threads: 1, status: false, report, mqtt: `mqtt://127.0.0.1:${port}/door`, aggregateMs: 200 },
    new AbortController().signal, { stdout: new PassThrough().resume(), stderr: new PassThrough().on('data', (d) => { stderr += d; }) });
  t.is(stderr.match(/mqtt broker \S+ unreachable/g)?.length, 1, stderr);
  t.regex(stderr, /mqtt: \d+ messages? not delivered at exit \(broker unreachable\)/);
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  t.true(rep.mqtt.undelivered >= 1, JSON.stringify(rep.mqtt));
  t.like(rep.mqtt, { connected: false, sent: 0, outages: 1 });
});
