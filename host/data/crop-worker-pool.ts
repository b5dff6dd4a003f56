/**
 * A small pool of worker threads that decode, crop and augment batches, so image preparation
 * overlaps the model's compute (tfjs WASM runs single-threaded on the main thread). Requests go
 * to the worker with the fewest pending; results come back in a promise per request.
 * Under tsx (TypeScript sources) each worker registers tsx before importing its entry.
 * With a DecodedImageCache the pool attaches earlier decodes to each request and keeps the new
 * ones the workers send back, so a run that reads its images every epoch decodes them once.
 *
 * @example
 * const pool = new CropWorkerPool(1, { decodeCache: new DecodedImageCache() });
 * const result = await pool.run(request);
 * await pool.close();
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DecodedImageCache } from './decoded-image-cache.ts';
import { prepareCrops, type CropRequest, type CropResult } from './prepare-crops.ts';

/** Workers to use by default: one core stays for the training thread; at most 4. */
export function defaultCropWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

export interface CropWorkerPoolOptions {
  /** Keep decoded images across requests (epochs); default none: every request decodes its files. */
  decodeCache?: DecodedImageCache;
}

interface Pending { resolve: (r: CropResult) => void; reject: (e: Error) => void }

/** Start a worker on the TypeScript (or compiled JavaScript) entry next to this file. */
function startWorker(): Worker {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './crop-worker.ts' : './crop-worker.js', import.meta.url);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry);
  // `execArgv: ['--import', 'tsx']` does not reach a worker's module loader on Node 20 (the .ts
  // entry fails with ERR_UNKNOWN_FILE_EXTENSION), so register tsx's hooks first, then import.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsxApi)}).then((m) => m.register()).then(() => import(${JSON.stringify(entry.href)}))`;
  return new Worker(code, { eval: true });
}

export class CropWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly pending: Map<number, Pending>[] = [];
  private nextId = 0;
  private closed = false;
  private failure: Error | undefined;

  readonly decodeCache: DecodedImageCache | undefined;

  /** @param size worker threads; 0 prepares in the calling thread (no overlap; for tests and debugging). */
  constructor(readonly size: number = defaultCropWorkers(), options: CropWorkerPoolOptions = {}) {
    this.decodeCache = options.decodeCache;
    for (let w = 0; w < size; w++) {
      const worker = startWorker();
      const pending = new Map<number, Pending>();
      worker.on('message', (msg: { id: number; result?: CropResult; error?: string }) => {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (msg.result) p.resolve(msg.result);
        else p.reject(new Error(`crop worker failed: ${msg.error}`));
      });
      const fail = (err: Error) => {
        this.failure ??= err;
        for (const p of pending.values()) p.reject(err);
        pending.clear();
      };
      worker.on('error', fail);
      worker.on('exit', (code) => { if (!this.closed) fail(new Error(`crop worker exited unexpectedly (code ${code})`)); });
      this.workers.push(worker);
      this.pending.push(pending);
    }
  }

  /** Prepare one request on the least busy worker (or in this thread when size is 0). */
  run(request: CropRequest): Promise<CropResult> {
    if (this.closed) return Promise.reject(new Error('CropWorkerPool is closed'));
    if (this.failure) return Promise.reject(this.failure);
    const cache = this.decodeCache;
    if (!cache) return this.dispatch(request);
    const jobs = request.jobs.map((job) => {
      const decoded = cache.get(job.path);
      return decoded ? { ...job, decoded } : job;
    });
    return this.dispatch({ ...request, jobs, returnDecoded: cache.accepting }).then((result) => {
      for (const d of result.decoded ?? []) cache.offer(jobs[d.index].path, d.image);
      delete result.decoded;
      return result;
    });
  }

  private dispatch(request: CropRequest): Promise<CropResult> {
    if (this.size === 0) return prepareCrops(request);
    let best = 0;
    for (let w = 1; w < this.workers.length; w++) if (this.pending[w].size < this.pending[best].size) best = w;
    const id = this.nextId++;
    return new Promise<CropResult>((resolve, reject) => {
      this.pending[best].set(id, { resolve, reject });
      this.workers[best].postMessage({ id, request });
    });
  }

  /** Stop the workers; pending requests are rejected. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pending of this.pending) {
      for (const p of pending.values()) p.reject(new Error('CropWorkerPool closed'));
      pending.clear();
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
