/**
 * How an output of `agekit run` (the JSON lines file, saved frames, calibration crops) is
 * faring when the disk refuses writes (full, I/O error, read-only): the run keeps going, the
 * output degrades, and what was lost is counted, logged once when the outage starts and once
 * when it ends, served on /status and /healthz and written in the report.
 *
 * @example
 * const health = new OutputHealthTracker('frames', 'out.jsonl', { onEvent: say });
 * try { await write(); health.ok(); } catch (err) { if (!isWriteFault(err)) throw err; health.fault(err); }
 */
import { WRITE_FAULT_CODES } from '../../core/errors.ts';

/** The state of one output, as /status and the report show it (snake_case wire form). */
export interface OutputHealth {
  output: string;
  path: string;
  degraded: boolean;
  /** Items (lines, frames, crops) written. */
  written: number;
  /** Items not written because the disk refused them. */
  not_written: number;
  /** The last refusal: errno and what it means. */
  last_error?: string;
}

/** A sink whose writes can degrade (see {@link OutputHealthTracker}). */
export interface DegradableOutput {
  outputHealth(): OutputHealth;
}

/** True for a sink that reports an {@link OutputHealth}. */
export function isDegradableOutput<T>(x: T): x is T & DegradableOutput {
  return typeof (x as DegradableOutput | undefined)?.outputHealth === 'function';
}

export interface OutputHealthOptions {
  /** Status lines: the start and the end of an outage, once each. */
  onEvent?: (message: string) => void;
  /** While degraded, try writing again at most this often. Default 5000 ms. */
  retryMs?: number;
  /** Clock (ms); injectable for tests. Default Date.now. */
  now?: () => number;
}

export class OutputHealthTracker {
  private written = 0;
  private notWritten = 0;
  private lostThisOutage = 0;
  private failedAt?: number;
  private lastError?: string;

  constructor(readonly output: string, readonly path: string, private readonly o: OutputHealthOptions = {}) {}

  get degraded(): boolean {
    return this.failedAt !== undefined;
  }

  /** False while degraded and the last failure is more recent than `retryMs`: count the item as lost instead of writing. */
  shouldTry(): boolean {
    if (this.failedAt === undefined) return true;
    return (this.o.now ?? Date.now)() - this.failedAt >= (this.o.retryMs ?? 5000);
  }

  /** An item was written. Ends an outage (one line). */
  ok(): void {
    this.written++;
    if (this.failedAt !== undefined) {
      this.o.onEvent?.(`${this.output} ${this.path}: writing again after ${this.lostThisOutage} not written`);
      this.failedAt = undefined;
      this.lostThisOutage = 0;
    }
  }

  /** An item was not written (the disk refused it, or it was skipped while degraded). Starts an outage (one line). */
  fault(err?: NodeJS.ErrnoException): void {
    this.notWritten++;
    this.lostThisOutage++;
    if (err) {
      this.lastError = `${err.code}: ${WRITE_FAULT_CODES[err.code ?? ''] ?? err.message}`;
      if (this.failedAt === undefined) {
        this.o.onEvent?.(`${this.output} ${this.path}: not written from now on (${this.lastError}); what was written stays whole, the run goes on, retrying every ${((this.o.retryMs ?? 5000) / 1000).toFixed(0)} s`);
      }
      this.failedAt = (this.o.now ?? Date.now)();
    }
  }

  health(): OutputHealth {
    return { output: this.output, path: this.path, degraded: this.degraded, written: this.written, not_written: this.notWritten, ...(this.lastError ? { last_error: this.lastError } : {}) };
  }
}
