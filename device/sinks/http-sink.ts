/**
 * The HTTP face of a running device: GET /status (FPS, latencies, current tracks), /events
 * (server-sent events, one `frame` event per processed frame and a `track_end` per ended
 * track), /healthz (200 while frames flow, 503 when none came for `staleMs`) and, only when
 * enabled, /preview (MJPEG with boxes and ages drawn). Binds 127.0.0.1 unless told otherwise.
 *
 * @example
 * const http = await HttpSink.create({ host: '127.0.0.1', port: 8080, stats, preview: true });
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../../core/errors.ts';
import type { Frame, FramePixels, FrameResult, Sink, SourceHealth, TrackedFace } from '../stages.ts';
import { nowMs } from '../stage-clock.ts';
import { faceRecord, frameRecord } from './json-lines-sink.ts';
import type { LatencyStats } from './latency-stats.ts';
import { renderPreview } from './preview-renderer.ts';

export interface HttpSinkOptions {
  /** Default 127.0.0.1 (local only: faces are personal data). */
  host?: string;
  /** Default 8080; 0 picks a free port (see `port` after create). */
  port?: number;
  stats: LatencyStats;
  /** Serve /preview (MJPEG). Default false. */
  preview?: boolean;
  /** Most preview frames per second sent. Default 10. */
  previewFps?: number;
  /** /healthz fails when no frame came for this long. Default 10000 ms. */
  staleMs?: number;
  /** Extra fields for /status (source health, models). */
  describe?: () => { source?: string; health?: SourceHealth; models?: Record<string, string | null> };
}

export const DEFAULT_HTTP_HOST = '127.0.0.1';

/** Parse `host:port` or `port`, naming the flag on error. */
export function parseListen(value: string, where = '--http'): { host: string; port: number } {
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+)$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new UsageError(`expected host:port or port (got "${value}")`, { where, hint: 'e.g. 127.0.0.1:8080' });
  return { host: m[1]?.replace(/^\[|\]$/g, '') ?? DEFAULT_HTTP_HOST, port };
}

export class HttpSink implements Sink {
  readonly wantsPixels: boolean;
  private readonly events = new Set<ServerResponse>();
  private readonly previews = new Set<ServerResponse>();
  private lastFrameAt?: number;
  private last?: FrameResult;
  private lastPreviewAt = 0;
  private rendering = false;
  private readonly started = nowMs();

  private constructor(private readonly server: Server, private readonly o: HttpSinkOptions, readonly host: string, readonly port: number) {
    this.wantsPixels = Boolean(o.preview);
  }

  static async create(o: HttpSinkOptions): Promise<HttpSink> {
    const host = o.host ?? DEFAULT_HTTP_HOST;
    let sink: HttpSink | undefined;
    const server = createServer((req, res) => sink!.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new UsageError(`cannot listen on ${host}:${o.port ?? 8080} (${err.code ?? err.message})`, { where: '--http', hint: err.code === 'EADDRINUSE' ? 'the port is taken: pick another' : 'check the address' })));
      server.listen(o.port ?? 8080, host, () => resolve());
    });
    sink = new HttpSink(server, o, host, (server.address() as AddressInfo).port);
    return sink;
  }

  /** The URL the server answers on. */
  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') { res.writeHead(405, { allow: 'GET' }).end('only GET\n'); return; }
    switch (path) {
      case '/status': return this.json(res, this.status());
      case '/healthz': {
        const age = this.lastFrameAt === undefined ? Infinity : nowMs() - this.lastFrameAt;
        const ok = age <= (this.o.staleMs ?? 10_000);
        res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : `no frame for ${Number.isFinite(age) ? (age / 1000).toFixed(1) + ' s' : 'the whole run'}\n`);
        return;
      }
      case '/events':
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        res.write(': agekit events\n\n');
        this.events.add(res);
        req.on('close', () => this.events.delete(res));
        return;
      case '/preview':
        if (!this.o.preview) { res.writeHead(404, { 'content-type': 'text/plain' }).end('preview is off: start agekit run with --preview\n'); return; }
        res.writeHead(200, { 'content-type': 'multipart/x-mixed-replace; boundary=agekitframe', 'cache-control': 'no-cache', connection: 'close' });
        this.previews.add(res);
        req.on('close', () => this.previews.delete(res));
        return;
      case '/':
        res.writeHead(200, { 'content-type': 'text/html' }).end(`<html><body><h3>agekit</h3><a href="/status">status</a> · <a href="/events">events</a> · <a href="/healthz">healthz</a>${this.o.preview ? ' · <a href="/preview">preview</a><br><img src="/preview">' : ''}</body></html>`);
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /status, /events, /healthz, /preview\n');
    }
  }

  private json(res: ServerResponse, body: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body) + '\n');
  }

  /** The /status body. */
  status(): Record<string, unknown> {
    const s = this.o.stats.summary();
    const d = this.o.describe?.() ?? {};
    const stages: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s.stages)) stages[k] = { p50_ms: round(v.p50Ms), p95_ms: round(v.p95Ms), max_ms: round(v.maxMs) };
    return {
      fps: round(s.recentFps), fps_overall: round(s.fps), frames: s.frames, faces: s.faces,
      uptime_s: round((nowMs() - this.started) / 1000), stages,
      tracks: (this.last?.faces ?? []).map((f: TrackedFace) => ({ ...faceRecord(f), dwell_s: round(f.dwellMs / 1000) })),
      source: d.source, source_health: d.health, models: d.models,
    };
  }

  write(r: FrameResult, pixels?: FramePixels): void {
    this.lastFrameAt = nowMs();
    this.last = r;
    if (this.events.size) {
      const msg = `event: frame\ndata: ${JSON.stringify(frameRecord(r))}\n\n` +
        r.ended.map((t) => `event: track_end\ndata: ${JSON.stringify({ track: t.track, dwell_s: round(t.dwellMs / 1000), age_smoothed: t.ageSmoothed === undefined ? null : round(t.ageSmoothed), bucket: t.bucket ?? null })}\n\n`).join('');
      for (const res of this.events) res.write(msg);
    }
    if (pixels && this.previews.size && !this.rendering && nowMs() - this.lastPreviewAt >= 1000 / (this.o.previewFps ?? 10)) {
      this.lastPreviewAt = nowMs();
      this.sendPreview(pixels.frame, r.faces);
    }
  }

  private sendPreview(frame: Frame, faces: TrackedFace[]): void {
    // Rendered off the frame loop: a slow viewer never slows detection.
    this.rendering = true;
    const copy: Frame = { ...frame, rgb: frame.rgb.slice() };
    renderPreview(copy, faces).then((jpeg) => {
      const head = `--agekitframe\r\ncontent-type: image/jpeg\r\ncontent-length: ${jpeg.length}\r\n\r\n`;
      for (const res of this.previews) { res.write(head); res.write(jpeg); res.write('\r\n'); }
    }).catch(() => undefined).finally(() => { this.rendering = false; });
  }

  async close(): Promise<void> {
    for (const res of [...this.events, ...this.previews]) res.end();
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
