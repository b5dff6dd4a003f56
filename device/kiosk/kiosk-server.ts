/**
 * The kiosk's HTTP server: the page (/, /kiosk.js bundled at start by esbuild), its config, the
 * two .tflite files, the runtimes' WebAssembly files from node_modules, and POST /report where
 * the page sends the errors it shows. Every response is cross-origin isolated (COOP same-origin,
 * COEP require-corp), which WebAssembly threads need (SharedArrayBuffer). Nothing comes from a CDN.
 *
 * @example
 * const server = await startKioskServer({ port: 8080, onReport: (r) => console.error(r.message) });
 * // chromium --kiosk http://127.0.0.1:8080/
 * await server.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { AgekitError, ModelFormatError, UsageError } from '../../core/errors.ts';
import { defaultDetectorPath, defaultStudentPath } from '../pipeline.ts';
import { DEFAULT_AGE_BUCKETS, parseAgeBuckets } from '../trackers/age-buckets.ts';
import { withDefaults } from '../option-defaults.ts';
import { bundleKioskPage } from './bundle-kiosk-page.ts';
import { KIOSK_PAGE_HTML } from './kiosk-page-html.ts';
import { DEFAULT_KIOSK_RUNTIME, KIOSK_RUNTIMES, type KioskConfig, type KioskReport, type KioskRuntime } from './kiosk-config.ts';

export interface KioskServerOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Address to bind. Default 127.0.0.1 (the kiosk's browser runs on the same machine; getUserMedia needs localhost or https). */
  host?: string;
  /** Age model (.tflite with agekit metadata). Default: the shipped student. */
  modelPath?: string;
  /** Face detector (.tflite). Default: the shipped BlazeFace. */
  detectorPath?: string;
  /** Default `litert`. */
  runtime?: KioskRuntime;
  /** WASM threads per model in the page. Default: the cores of this machine, at most 4. */
  threads?: number;
  /** Detector minimum score. Default 0.5. */
  minScore?: number;
  /** Faces narrower than this (frame px) are ignored. Default 0. */
  minFacePx?: number;
  /** Default median. */
  smoothing?: 'median' | 'exponential';
  /** Default 10. */
  window?: number;
  /** Default 0-12,13-17,18-24,25-34,35-44,45-54,55-64,65+. */
  buckets?: string;
  /** Camera size asked for. Default 640x480. */
  width?: number;
  height?: number;
  /** Draw boxes, ages and speed over the video. Default true. */
  overlay?: boolean;
  /** Called with every error report the page POSTs. */
  onReport?: (report: KioskReport) => void;
}

export const DEFAULT_KIOSK_SERVER = {
  port: 8080, host: '127.0.0.1', runtime: DEFAULT_KIOSK_RUNTIME, minScore: 0.5, minFacePx: 0, smoothing: 'median' as const, window: 10,
  buckets: DEFAULT_AGE_BUCKETS, width: 640, height: 480, overlay: true,
};

export interface KioskServer {
  /** The page's address, e.g. `http://127.0.0.1:8080/`. */
  url: string;
  port: number;
  config: KioskConfig;
  close(): Promise<void>;
}

/** The runtimes' WebAssembly folders, served under these URL prefixes. */
const WASM_DIRS: Record<string, { pkg: string; sub: string }> = {
  '/litert/': { pkg: '@litertjs/core', sub: 'wasm' },
  '/tflite/': { pkg: '@tensorflow/tfjs-tflite', sub: 'wasm' },
};

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8', '.json': 'application/json', '.tflite': 'application/octet-stream' };
const typeOf = (name: string) => TYPES[/\.[a-z]+$/i.exec(name)?.[0] ?? ''] ?? 'application/octet-stream';

/** Headers of every response: cross-origin isolation (WASM threads) and no caching (a kiosk shows what the server has now). */
const BASE_HEADERS = {
  'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store', 'x-content-type-options': 'nosniff',
};

const MAX_REPORT_BYTES = 16 * 1024;

async function wasmFiles(): Promise<Map<string, string>> {
  const require = createRequire(import.meta.url);
  const files = new Map<string, string>();
  for (const [prefix, { pkg, sub }] of Object.entries(WASM_DIRS)) {
    let dir: string;
    try {
      dir = join(dirname(require.resolve(`${pkg}/package.json`)), sub);
    } catch (err) {
      throw new AgekitError(`${pkg} is not installed`, { where: 'agekit kiosk', hint: 'run npm ci in the agekit folder', cause: err });
    }
    for (const f of await readdir(dir)) if (/\.(js|wasm)$/.test(f)) files.set(prefix + f, join(dir, f));
  }
  return files;
}

function checkModel(path: string, flag: string): string {
  if (!/\.tflite$/i.test(path)) throw new UsageError(`the kiosk runs .tflite files in the browser (got ${path})`, { where: flag, hint: 'convert the model with agekit convert' });
  if (!existsSync(path)) throw new ModelFormatError('model not found', { where: path, hint: `check ${flag}` });
  return path;
}

export async function startKioskServer(options: KioskServerOptions = {}): Promise<KioskServer> {
  const o = withDefaults({ ...DEFAULT_KIOSK_SERVER, threads: Math.min(4, availableParallelism()), modelPath: '', detectorPath: '', onReport: () => undefined }, options);
  if (!KIOSK_RUNTIMES.includes(o.runtime)) throw new UsageError(`unknown kiosk runtime "${o.runtime}"`, { where: '--runtime', hint: `use one of ${KIOSK_RUNTIMES.join(', ')}` });
  parseAgeBuckets(o.buckets);
  const detectorPath = checkModel(o.detectorPath || defaultDetectorPath(), '--detector');
  const student = o.modelPath || defaultStudentPath();
  if (!student) throw new ModelFormatError('no age model found', { where: 'samples/models/student.tflite', hint: 'give --model <file.tflite>' });
  const modelPath = checkModel(student, '--model');
  const [script, wasm] = await Promise.all([bundleKioskPage(), wasmFiles()]);
  const config: KioskConfig = {
    runtime: o.runtime, threads: o.threads, detectorUrl: '/models/detector.tflite', modelUrl: '/models/age.tflite',
    detectorName: basename(detectorPath), modelName: basename(modelPath), litertWasmUrl: '/litert/', tfliteWasmUrl: '/tflite/',
    minScore: o.minScore, minFacePx: o.minFacePx, smoothing: o.smoothing, window: o.window, buckets: o.buckets, width: o.width, height: o.height, overlay: o.overlay,
  };
  const send = (res: ServerResponse, status: number, type: string, body: string | Uint8Array) => {
    res.writeHead(status, { ...BASE_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const sendFile = async (res: ServerResponse, path: string) => {
    // Read at each request: a model replaced on disk is served at the next page load.
    const bytes = await readFile(path).catch(() => undefined);
    if (!bytes) return send(res, 404, 'text/plain', `${basename(path)}: not found on the kiosk server`);
    send(res, 200, typeOf(path), bytes);
  };
  const onReport = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REPORT_BYTES) { send(res, 413, 'text/plain', 'report too large'); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_REPORT_BYTES) return;
      let r: KioskReport;
      try {
        const j = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<KioskReport>;
        if (typeof j.code !== 'string' || typeof j.message !== 'string') throw new Error('code and message must be strings');
        r = { kind: 'error', code: j.code.slice(0, 64), message: j.message, ...(typeof j.hint === 'string' ? { hint: j.hint } : {}) };
      } catch (err) {
        return send(res, 400, 'text/plain', `bad report (${(err as Error).message})`);
      }
      o.onReport(r);
      send(res, 204, 'text/plain', '');
    });
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://kiosk').pathname;
    if (req.method === 'POST' && path === '/report') return onReport(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
    if (path === '/' || path === '/index.html') return send(res, 200, TYPES['.html'], KIOSK_PAGE_HTML);
    if (path === '/kiosk.js') return send(res, 200, TYPES['.js'], script);
    // Browsers ask for it; a 404 would be a console error on every kiosk start.
    if (path === '/favicon.ico') return send(res, 204, 'image/x-icon', '');
    if (path === '/config.json') return send(res, 200, TYPES['.json'], JSON.stringify(config));
    if (path === config.detectorUrl) return void sendFile(res, detectorPath);
    if (path === config.modelUrl) return void sendFile(res, modelPath);
    const file = wasm.get(path);
    if (file) return void sendFile(res, file);
    send(res, 404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new AgekitError(`cannot listen on ${o.host}:${o.port} (${err.code ?? err.message})`, {
      where: '--port', hint: err.code === 'EADDRINUSE' ? 'another program uses the port: pick another with --port' : 'check --host and --port',
    })));
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}/`, port, config,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
