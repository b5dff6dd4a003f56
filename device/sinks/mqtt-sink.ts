/**
 * MQTT output of the audience events, in their one wire form (see eventRecord): `track_start`,
 * `track_update` and `track_end` on `<topic>/event`, `aggregate` on `<topic>/aggregate`, QoS 1,
 * each with its `event_id` (a collector drops redelivered copies by it). While the broker is away
 * the client reconnects with backoff and the messages wait in agekit's own queue, so no
 * aggregate is lost; they go out in order once it is back. An outage is logged once when it
 * starts and once when it ends (not on every reconnect attempt); messages dropped because the
 * queue was full, and those still undelivered at exit, are counted ({@link MqttStats}) and said.
 * The queue lives in memory only: a restart during an outage loses it, and the exit line says
 * how many messages that was.
 *
 * @example
 * const sink = await MqttSink.create({ url: 'mqtt://127.0.0.1:1883/agekit/door1' });
 * // the pipeline calls sink.writeEvents(events) with each frame's events
 */
import mqtt, { type MqttClient } from 'mqtt';
import { UsageError } from '../../core/errors.ts';
import { redactCredentials } from '../../core/redact.ts';
import type { FrameResult, Sink } from '../stages.ts';
import { eventRecord, type AudienceEvent } from '../events/audience-event.ts';

export interface MqttSinkOptions {
  /** `mqtt://host:port/topic/prefix` (also mqtts://, ws://). Topic default `agekit`. */
  url: string;
  /** Reconnect wait. Default 1000 ms. */
  reconnectMs?: number;
  /** Most messages kept while disconnected (oldest dropped beyond). Default 10000. */
  maxQueued?: number;
  clientId?: string;
  /** Connection state changes, for the CLI's stderr. */
  onEvent?: (message: string) => void;
}

/** Split an MQTT URL into the broker URL and the topic prefix. */
export function parseMqttUrl(value: string, where = '--mqtt'): { broker: string; topic: string } {
  let u: URL;
  try { u = new URL(value); } catch {
    throw new UsageError(`not a URL (got "${value}")`, { where, hint: 'e.g. mqtt://127.0.0.1:1883/agekit' });
  }
  if (!/^(mqtts?|wss?|tcp|ssl):$/.test(u.protocol)) throw new UsageError(`unsupported scheme "${u.protocol}"`, { where, hint: 'use mqtt://host:port/topic' });
  const topic = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, '')) || 'agekit';
  const auth = u.username ? `${u.username}${u.password ? ':' + u.password : ''}@` : '';
  return { broker: `${u.protocol}//${auth}${u.host}`, topic };
}

/** What became of the messages, for /status, the report and the exit line (snake_case wire form). */
export interface MqttStats {
  connected: boolean;
  /** Messages the broker acknowledged. */
  sent: number;
  /** Messages waiting for the broker now. */
  queued: number;
  /** Messages dropped (oldest first) because the queue held `maxQueued`. */
  dropped: number;
  /** Broker outages seen (connection lost, or never made at start). */
  outages: number;
  /** Messages still queued when the sink closed: never delivered. Set by close(). */
  undelivered?: number;
}

export class MqttSink implements Sink {
  private readonly queue: Array<{ topic: string; payload: string }> = [];
  private flushing = false;
  /** Messages dropped because the offline queue was full. */
  dropped = 0;
  /** Messages the broker acknowledged. */
  sent = 0;
  private outages = 0;
  /** When the current outage began (undefined while connected or before the first attempt ends). */
  private outageSince?: number;
  private droppedThisOutage = 0;
  private lastError?: string;
  private undelivered?: number;
  private finished = false;

  private constructor(private readonly client: MqttClient, readonly topic: string, private readonly o: MqttSinkOptions) {
    const broker = redactCredentials(parseMqttUrl(o.url).broker);
    client.on('connect', () => {
      if (this.outageSince !== undefined) {
        o.onEvent?.(`mqtt broker ${broker} back after ${((Date.now() - this.outageSince) / 1000).toFixed(1)} s; sending ${this.queue.length} queued messages${this.droppedThisOutage ? ` (${this.droppedThisOutage} dropped while it was away: queue full)` : ''}`);
        this.outageSince = undefined;
        this.droppedThisOutage = 0;
      } else o.onEvent?.(`mqtt connected to ${broker}`);
      void this.flush();
    });
    // Reconnect attempts fail every reconnectMs for the whole outage: say it once, not each time.
    const down = (why?: string) => {
      if (why) this.lastError = why;
      if (this.outageSince !== undefined) return;
      this.outageSince = Date.now();
      this.outages++;
      o.onEvent?.(`mqtt broker ${broker} unreachable${this.lastError ? ` (${this.lastError})` : ''}; queueing up to ${o.maxQueued ?? 10_000} messages and retrying every ${((o.reconnectMs ?? 1000) / 1000).toFixed(1)} s`);
    };
    client.on('offline', () => down());
    client.on('error', (err) => down(err.message));
  }

  /** Counters for /status and the report. */
  stats(): MqttStats {
    return { connected: this.client.connected, sent: this.sent, queued: this.queue.length, dropped: this.dropped, outages: this.outages, ...(this.undelivered !== undefined ? { undelivered: this.undelivered } : {}) };
  }

  /** Connect (without waiting for the broker: an absent broker is retried in the background). */
  static async create(o: MqttSinkOptions): Promise<MqttSink> {
    const { broker, topic } = parseMqttUrl(o.url);
    const client = mqtt.connect(broker, {
      reconnectPeriod: o.reconnectMs ?? 1000, connectTimeout: 5000,
      clientId: o.clientId ?? `agekit-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      // agekit queues itself; the client's own offline queue would duplicate on reconnect.
      queueQoSZero: false,
    });
    return new MqttSink(client, topic, o);
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Messages waiting for the broker. */
  get queued(): number {
    return this.queue.length;
  }

  /** Frames are not published (the events and aggregates are). */
  write(_r: FrameResult): void {}

  /** Queue each event for `<topic>/event`, or `<topic>/aggregate` for aggregates. Nothing is queued after finish(). */
  writeEvents(events: AudienceEvent[]): void {
    if (this.finished) return;
    for (const e of events) this.enqueue(e.type === 'aggregate' ? 'aggregate' : 'event', eventRecord(e));
  }

  private enqueue(sub: string, body: unknown): void {
    this.queue.push({ topic: `${this.topic}/${sub}`, payload: JSON.stringify(body) });
    const max = this.o.maxQueued ?? 10_000;
    while (this.queue.length > max) {
      this.queue.shift();
      this.dropped++;
      if (this.droppedThisOutage++ === 0) this.o.onEvent?.(`mqtt queue full (${max} messages): dropping the oldest while the broker is away`);
    }
    void this.flush();
  }

  /** Send queued messages in order, QoS 1; a message leaves the queue only once acknowledged. */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length && this.client.connected) {
        const m = this.queue[0];
        const ok = await new Promise<boolean>((resolve) => this.client.publish(m.topic, m.payload, { qos: 1 }, (err) => resolve(!err)));
        if (!ok) break;
        this.queue.shift();
        this.sent++;
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Wait until the queue is empty or `timeoutMs` passes. */
  async drain(timeoutMs = 3000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.queue.length && Date.now() < until) {
      await this.flush();
      if (this.queue.length) await new Promise((r) => setTimeout(r, 50));
    }
    return this.queue.length === 0;
  }

  /**
   * Try to deliver everything for up to `timeoutMs`; what is left is counted as undelivered and
   * said (once). Called by close(); call it after Pipeline.finish() (which sends the last
   * aggregate) to have the counts for a report. No message is queued after it.
   */
  async finish(timeoutMs = 3000): Promise<MqttStats> {
    if (!this.finished) {
      this.finished = true;
      await this.drain(timeoutMs);
      this.undelivered = this.queue.length;
      if (this.undelivered > 0 || this.dropped > 0) {
        this.o.onEvent?.(`mqtt: ${this.undelivered} message${this.undelivered === 1 ? '' : 's'} not delivered at exit (broker ${this.client.connected ? 'too slow' : 'unreachable'})${this.dropped ? `, ${this.dropped} dropped earlier (queue full)` : ''}; ${this.sent} delivered`);
      }
    }
    return this.stats();
  }

  /** {@link finish}, then disconnect. */
  async close(): Promise<void> {
    await this.finish();
    await new Promise<void>((resolve) => this.client.end(false, {}, () => resolve()));
  }
}
