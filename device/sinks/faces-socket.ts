/**
 * GET /faces as a WebSocket: per frame, one message per tracked face, shaped like ROS4HRI's
 * soft biometrics (hri_msgs/SoftBiometrics: `age`, `age_confidence`; the face id as in
 * /humans/faces/<id>/), plus the box, the frame's time and the device id, so a robot or a
 * signage player can bridge it to ROS topics without knowing agekit's frame format.
 *
 * Slow clients get what the SSE clients get: a bounded buffer (ws `bufferedAmount`); messages
 * beyond it are dropped for that client and counted, and a client full for `writeTimeoutMs` is
 * cut off. The HttpSink does the Host, token and client-cap checks before `accept`.
 *
 * @example
 * const faces = new FacesSocket({ deviceId: 'door1' });
 * server.on('upgrade', (req, socket, head) => faces.accept(req, socket, head));
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import type { FrameResult, Sink } from '../stages.ts';
import { envelopeFields } from '../events/event-envelope.ts';
import { nowMs } from '../stage-clock.ts';

export interface FacesSocketOptions {
  /** `device_id` of every message. */
  deviceId: string;
  /** Bytes a client may have waiting; messages beyond it are dropped for that client. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** A client whose buffer stays full this long is disconnected. Default 10000 ms. */
  writeTimeoutMs?: number;
  /** Per-track raw ages kept for `age_confidence`. Default 10. */
  confidenceWindow?: number;
}

/** Years of spread at which the confidence falls to 1/e (about 0.37). */
export const AGE_CONFIDENCE_SCALE_YEARS = 5;

/**
 * Confidence of a track's age, 0..1, from the spread of its recent per-frame estimates:
 * exp(-sd / 5 years). Identical estimates give 1; a spread of 5 years 0.37, of 10 years 0.14.
 * Fewer than two estimates give 0: one estimate says nothing about its own spread.
 */
export function ageConfidence(ages: readonly number[]): number {
  if (ages.length < 2) return 0;
  const mean = ages.reduce((a, b) => a + b, 0) / ages.length;
  const sd = Math.sqrt(ages.reduce((a, b) => a + (b - mean) ** 2, 0) / (ages.length - 1));
  return Math.exp(-sd / AGE_CONFIDENCE_SCALE_YEARS);
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const r3 = (v: number) => Math.round(v * 1000) / 1000;

export class FacesSocket implements Sink {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  private readonly fullSince = new Map<WebSocket, number>();
  private readonly ages = new Map<number, number[]>();
  /** Messages not sent to a client whose buffer was full. */
  dropped = 0;
  /** Clients disconnected after `writeTimeoutMs` stalled. */
  timedOut = 0;

  constructor(private readonly o: FacesSocketOptions) {}

  get clients(): number {
    return this.wss.clients.size;
  }

  /** Complete the WebSocket handshake (the caller has checked Host, token and the client cap). */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('close', () => this.fullSince.delete(ws));
      ws.on('error', () => ws.terminate());
      // Clients only listen; anything they send is ignored.
      ws.on('message', () => undefined);
    });
  }

  write(r: FrameResult): void {
    for (const f of r.faces) {
      if (f.age === undefined) continue;
      const list = this.ages.get(f.track) ?? [];
      list.push(f.age);
      if (list.length > (this.o.confidenceWindow ?? 10)) list.shift();
      this.ages.set(f.track, list);
    }
    // A tracker that never reports ends must not grow this for ever: forget the oldest tracks.
    for (const id of this.ages.keys()) { if (this.ages.size <= 10_000) break; this.ages.delete(id); }
    for (const e of r.ended) this.ages.delete(e.track);
    if (!this.wss.clients.size || !r.faces.length) return;
    const env = envelopeFields(r.epochMs ?? Date.now(), this.o.deviceId);
    const msgs = r.faces.map((f) => JSON.stringify({
      id: String(f.track),
      age: f.ageSmoothed === undefined ? null : r1(f.ageSmoothed),
      age_confidence: f.ageSmoothed === undefined ? 0 : r3(ageConfidence(this.ages.get(f.track) ?? [])),
      box: [r1(f.box.x), r1(f.box.y), r1(f.box.w), r1(f.box.h)],
      frame: r.frame, t_ms: Math.round(r.tMs * 100) / 100, ...env,
    }));
    for (const ws of this.wss.clients) this.send(ws, msgs);
  }

  private send(ws: WebSocket, msgs: string[]): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    const limit = this.o.maxBufferedBytes ?? 1 << 20;
    if (ws.bufferedAmount >= limit) {
      this.dropped += msgs.length;
      const since = this.fullSince.get(ws);
      if (since === undefined) this.fullSince.set(ws, nowMs());
      else if (nowMs() - since > (this.o.writeTimeoutMs ?? 10_000)) { this.timedOut++; ws.terminate(); }
      return;
    }
    this.fullSince.delete(ws);
    for (const m of msgs) ws.send(m);
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.close(1001, 'agekit run stopped');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
