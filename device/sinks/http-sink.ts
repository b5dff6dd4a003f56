/**
 * The HTTP face of a running device: GET /status (FPS, latencies, current tracks), /events
 * (server-sent events: one `frame` per processed frame, and the audience events `track_start`,
 * `track_update`, `track_end` and `aggregate`, each with its `id:` the event id), /healthz (200 while frames flow, 503 when none came for `staleMs`) and, only when
 * enabled, /preview (MJPEG with boxes and ages drawn); /metrics (Prometheus text format, see
 * DeviceMetrics) and /faces (a WebSocket of per-face soft biometrics, see FacesSocket), under the
 * same Host, token and client-cap checks. Binds 127.0.0.1 unless told otherwise.
 *
 * A device is left alone for months, so the server defends itself: requests whose Host header
 * is not the bound address (or a configured name) are refused, which stops DNS rebinding from a
 * web page the kiosk opens; with a token, every endpoint but /healthz needs it; each streaming
 * client has a bounded buffer (a slow /events or /preview reader loses frames, counted, and is
 * cut off once stalled for `writeTimeoutMs`); and streaming clients are capped.
 *
 * @example
 * const http = await HttpSink.create({ host: '127.0.0.1', port: 8080, stats, preview: true });
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../core/errors.ts';
import { redactCredentials } from '../../core/redact.ts';
import type { Frame, FramePixels, FrameResult, Sink, SourceHealth, TrackedFace } from '../stages.ts';
import { nowMs } from '../stage-clock.ts';
import { faceRecord, frameRecord } from './json-lines-sink.ts';
import { eventRecord, type AudienceEvent } from '../events/audience-event.ts';
import { defaultDeviceId } from '../events/event-envelope.ts';
import type { LatencyStats } from './latency-stats.ts';
import { renderPreview } from './preview-renderer.ts';
import type { OutputHealth } from './output-health.ts';
import { DeviceMetrics } from './device-metrics.ts';
import { FacesSocket } from './faces-socket.ts';
import type { Duplex } from 'node:stream';

export interface HttpSinkOptions {
  /** Default 127.0.0.1 (local only: faces are personal data). */
  host?: string;
  /** Default 8080; 0 picks a free port (see `port` after create). */
  port?: number;
  stats: LatencyStats;
  /** `device_id` of every frame event. Default: the host name. */
  deviceId?: string;
  /** Serve /preview (MJPEG). Default false. */
  preview?: boolean;
  /** Most preview frames per second sent. Default 10. */
  previewFps?: number;
  /** /healthz fails when no frame came for this long. Default 10000 ms. */
  staleMs?: number;
  /** Extra fields for /status (source health, models). */
  describe?: () => { source?: string; health?: SourceHealth; models?: Record<string, string | null>; outputs?: OutputHealth[]; mqtt?: object };
  /**
   * Host names accepted in the Host header besides the bound address (and `localhost` when bound
   * to a loopback address); IP literals are accepted when bound to 0.0.0.0 or [::]. Default none.
   */
  allowedHosts?: string[];
  /** Required on every endpoint but /healthz: `Authorization: Bearer <token>` or `?token=<token>`. Default none. */
  token?: string;
  /** Most /events and /preview clients at once; more get 503. Default 16. */
  maxClients?: number;
  /** Bytes a streaming client may have waiting; frames beyond it are dropped for that client. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** A streaming client whose buffer stays full this long is disconnected. Default 10000 ms. */
  writeTimeoutMs?: number;
}

/** Counters of what the server refused or dropped, in /status under `http`. */
export interface HttpCounters {
  /** Requests refused for their Host header. */
  rejected_host: number;
  /** Requests refused for a missing or wrong token. */
  rejected_token: number;
  /** Streaming clients refused because `maxClients` were connected. */
  rejected_busy: number;
  /** Frames (events or preview images) not sent to a client whose buffer was full. */
  dropped_slow_client: number;
  /** Streaming clients disconnected after `writeTimeoutMs` stalled. */
  timed_out: number;
  /** The largest backlog any one client's socket held, in bytes: bounded by `maxBufferedBytes` plus one frame. */
  peak_client_buffer_bytes: number;
}

export const DEFAULT_HTTP_LIMITS = { maxClients: 16, maxBufferedBytes: 1 << 20, writeTimeoutMs: 10_000 } as const;

/**
 * The HTTP token from `token` or the first line of `tokenFile` (the file wins over nothing, a
 * flag over the file); undefined when neither is given. Tokens shorter than 16 characters are
 * refused: a short one can be guessed over the network.
 */
export async function readHttpToken(o: { httpToken?: string; httpTokenFile?: string }): Promise<string | undefined> {
  let token = o.httpToken;
  let where = '--http-token';
  if (token === undefined && o.httpTokenFile !== undefined) {
    where = o.httpTokenFile;
    const text = await readFile(o.httpTokenFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read the token file (${err.code ?? err.message})`, { where: '--http-token-file', hint: `check ${o.httpTokenFile}` });
    });
    token = text.split('\n')[0].trim();
  }
  if (token === undefined) return undefined;
  if (token.length < 16) throw new UsageError(`the HTTP token is ${token.length} characters; at least 16 are needed`, { where, hint: 'make one with: head -c 24 /dev/urandom | base64' });
  return token;
}

/** True for an address that listens on every interface. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
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
  /** When each streaming client's buffer first went over the limit (cleared when it drains). */
  private readonly fullSince = new Map<ServerResponse, number>();
  readonly counters: HttpCounters = { rejected_host: 0, rejected_token: 0, rejected_busy: 0, dropped_slow_client: 0, timed_out: 0, peak_client_buffer_bytes: 0 };
  private lastFrameAt?: number;
  private last?: FrameResult;
  private lastPreviewAt = 0;
  private rendering = false;
  private readonly started = nowMs();
  /** What GET /metrics serves. */
  readonly metrics: DeviceMetrics;
  private readonly faces: FacesSocket;

  private constructor(private readonly server: Server, private readonly o: HttpSinkOptions, readonly host: string, readonly port: number) {
    this.wantsPixels = Boolean(o.preview);
    this.faces = new FacesSocket({ deviceId: o.deviceId ?? defaultDeviceId(), maxBufferedBytes: o.maxBufferedBytes, writeTimeoutMs: o.writeTimeoutMs });
    this.metrics = new DeviceMetrics({
      stats: o.stats, deviceId: o.deviceId, health: () => o.describe?.().health,
      droppedHttpFrames: () => this.counters.dropped_slow_client + this.faces.dropped, httpClients: () => this.clients,
    });
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
  }

  /** Streaming clients connected: /events, /preview and /faces. */
  private get clients(): number {
    return this.events.size + this.previews.size + this.faces.clients;
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
    // A client that never finishes its request head must not hold a socket for ever.
    server.headersTimeout = 10_000;
    server.requestTimeout = 15_000;
    return sink;
  }

  /** True when the Host header names this server: the bound address, localhost on loopback, an allowed name, or any IP when bound to all interfaces. */
  private hostAllowed(header: string | undefined): boolean {
    if (!header) return false;
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(header.trim().toLowerCase());
    if (!m) return false;
    const name = m[1].replace(/^\[|\]$/g, '');
    if (m[2] !== undefined && Number(m[2]) !== this.port) return false;
    const bound = this.host.toLowerCase();
    if (name === bound) return true;
    if ((this.o.allowedHosts ?? []).some((h) => h.toLowerCase() === name)) return true;
    if (name === 'localhost' && (bound === '127.0.0.1' || bound === '::1' || bound === 'localhost' || isWildcardHost(bound))) return true;
    // Bound to every interface: any address of this machine is fine, and an IP literal cannot be rebound.
    return isWildcardHost(bound) && isIP(name) !== 0;
  }

  private tokenOk(req: IncomingMessage): boolean {
    const want = this.o.token;
    if (!want) return true;
    const auth = req.headers.authorization;
    let got = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    if (got === undefined) got = new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? undefined;
    if (got === undefined) return false;
    const a = Buffer.from(got), b = Buffer.from(want);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Send `chunks` to a streaming client unless its buffer is full (then count a drop, and cut a client stalled too long). */
  private send(res: ServerResponse, chunks: (string | Uint8Array)[]): void {
    const limit = this.o.maxBufferedBytes ?? DEFAULT_HTTP_LIMITS.maxBufferedBytes;
    if (res.writableLength >= limit) {
      this.counters.dropped_slow_client++;
      const since = this.fullSince.get(res);
      if (since === undefined) this.fullSince.set(res, nowMs());
      else if (nowMs() - since > (this.o.writeTimeoutMs ?? DEFAULT_HTTP_LIMITS.writeTimeoutMs)) {
        this.counters.timed_out++;
        this.drop(res);
        res.destroy();
      }
      return;
    }
    this.fullSince.delete(res);
    for (const c of chunks) res.write(c);
    if (res.writableLength > this.counters.peak_client_buffer_bytes) this.counters.peak_client_buffer_bytes = res.writableLength;
  }

  private drop(res: ServerResponse): void {
    this.events.delete(res);
    this.previews.delete(res);
    this.fullSince.delete(res);
  }

  /** Register a streaming client, or answer 503 when `maxClients` are connected. */
  private addStream(set: Set<ServerResponse>, req: IncomingMessage, res: ServerResponse): boolean {
    if (this.clients >= (this.o.maxClients ?? DEFAULT_HTTP_LIMITS.maxClients)) {
      this.counters.rejected_busy++;
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '10' }).end('too many streaming clients\n');
      return false;
    }
    set.add(res);
    req.on('close', () => this.drop(res));
    return true;
  }

  /** The URL the server answers on. */
  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** WebSocket handshakes: only /faces, after the same Host, token and client-cap checks as GET. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const refuse = (status: string, text: string) => { socket.end(`HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${text}\n`); };
    const path = (req.url ?? '/').split('?')[0];
    if (!this.hostAllowed(req.headers.host)) { this.counters.rejected_host++; return refuse('421 Misdirected Request', 'Host header not accepted: use the address agekit run listens on, or add the name with --http-allow-host'); }
    if (!this.tokenOk(req)) { this.counters.rejected_token++; return refuse('401 Unauthorized', 'token required: Authorization: Bearer <token>, or ?token=<token>'); }
    if (path !== '/faces') return refuse('404 Not Found', 'WebSocket only on /faces');
    if (this.clients >= (this.o.maxClients ?? DEFAULT_HTTP_LIMITS.maxClients)) { this.counters.rejected_busy++; return refuse('503 Service Unavailable', 'too many streaming clients'); }
    this.faces.accept(req, socket, head);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (!this.hostAllowed(req.headers.host)) {
      this.counters.rejected_host++;
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Host header not accepted: use the address agekit run listens on, or add the name with --http-allow-host\n');
      return;
    }
    if (req.method !== 'GET') { res.writeHead(405, { allow: 'GET' }).end('only GET\n'); return; }
    if (path !== '/healthz' && !this.tokenOk(req)) {
      this.counters.rejected_token++;
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('token required: Authorization: Bearer <token>, or ?token=<token>\n');
      return;
    }
    switch (path) {
      case '/status': return this.json(res, this.status());
      case '/metrics':
        this.metrics.render().then(
          (text) => res.writeHead(200, { 'content-type': this.metrics.contentType }).end(text),
          (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`),
        );
        return;
      case '/healthz': {
        const age = this.lastFrameAt === undefined ? Infinity : nowMs() - this.lastFrameAt;
        const ok = age <= (this.o.staleMs ?? 10_000);
        // Frames flow but an output lost writes (full disk): still 200 (a restart would not help), saying so.
        const degraded = (this.o.describe?.().outputs ?? []).filter((out) => out.degraded);
        const note = degraded.length ? `, degraded: ${degraded.map((out) => `${out.output} ${out.path} not written (${out.last_error})`).join('; ')}` : '';
        res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? `ok${note}\n` : `no frame for ${Number.isFinite(age) ? (age / 1000).toFixed(1) + ' s' : 'the whole run'}${note}\n`);
        return;
      }
      case '/events':
        if (!this.addStream(this.events, req, res)) return;
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        res.write(': agekit events\n\n');
        return;
      case '/preview':
        if (!this.o.preview) { res.writeHead(404, { 'content-type': 'text/plain' }).end('preview is off: start agekit run with --preview\n'); return; }
        if (!this.addStream(this.previews, req, res)) return;
        res.writeHead(200, { 'content-type': 'multipart/x-mixed-replace; boundary=agekitframe', 'cache-control': 'no-cache', connection: 'close' });
        return;
      case '/':
        {
          // Links carry the token the page was opened with, so a browser can follow them.
          const q = this.o.token ? `?token=${encodeURIComponent(this.o.token)}` : '';
          res.writeHead(200, { 'content-type': 'text/html' }).end(`<html><body><h3>agekit</h3><a href="/status${q}">status</a> · <a href="/events${q}">events</a> · <a href="/healthz">healthz</a> · <a href="/metrics${q}">metrics</a>${this.o.preview ? ` · <a href="/preview${q}">preview</a><br><img src="/preview${q}">` : ''}</body></html>`);
        }
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /status, /events, /healthz, /metrics, /preview, /faces (WebSocket)\n');
    }
  }

  private json(res: ServerResponse, body: unknown): void {
    // Source health quotes ffmpeg and camera messages, which may carry the stream's URL.
    res.writeHead(200, { 'content-type': 'application/json' }).end(redactCredentials(JSON.stringify(body)) + '\n');
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
      http: { clients: this.clients, ...this.counters, faces_dropped: this.faces.dropped },
      // Memory of the process, for leak watching over weeks (npm run bench:soak samples it).
      process: processMemory(),
      ...(d.outputs ? { outputs: d.outputs } : {}),
      ...(d.mqtt ? { mqtt: d.mqtt } : {}),
    };
  }

  write(r: FrameResult, pixels?: FramePixels): void {
    this.lastFrameAt = nowMs();
    this.last = r;
    this.metrics.write(r);
    this.faces.write(r);
    if (this.events.size) {
      const msg = `event: frame\ndata: ${JSON.stringify(frameRecord(r, this.o.deviceId ?? defaultDeviceId()))}\n\n`;
      for (const res of [...this.events]) this.send(res, [msg]);
    }
    if (pixels && this.previews.size && !this.rendering && nowMs() - this.lastPreviewAt >= 1000 / (this.o.previewFps ?? 10)) {
      this.lastPreviewAt = nowMs();
      this.sendPreview(pixels.frame, r.faces);
    }
  }

  /** Audience events as server-sent events named by their type; `id:` is the event id (a reconnecting EventSource sends it back as Last-Event-ID). */
  writeEvents(events: AudienceEvent[]): void {
    if (!this.events.size) return;
    const msg = events.map((e) => `event: ${e.type}\nid: ${e.eventId}\ndata: ${JSON.stringify(eventRecord(e))}\n\n`).join('');
    for (const res of [...this.events]) this.send(res, [msg]);
  }

  private sendPreview(frame: Frame, faces: TrackedFace[]): void {
    // Rendered off the frame loop: a slow viewer never slows detection.
    this.rendering = true;
    const copy: Frame = { ...frame, rgb: frame.rgb.slice() };
    renderPreview(copy, faces).then((jpeg) => {
      const head = `--agekitframe\r\ncontent-type: image/jpeg\r\ncontent-length: ${jpeg.length}\r\n\r\n`;
      for (const res of [...this.previews]) this.send(res, [head, jpeg, '\r\n']);
    }).catch(() => undefined).finally(() => { this.rendering = false; });
  }

  async close(): Promise<void> {
    for (const res of [...this.events, ...this.previews]) res.end();
    await this.faces.close();
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function processMemory(): { rss_mb: number; heap_used_mb: number; external_mb: number } {
  const m = process.memoryUsage();
  return { rss_mb: round(m.rss / 2 ** 20), heap_used_mb: round(m.heapUsed / 2 ** 20), external_mb: round(m.external / 2 ** 20) };
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
