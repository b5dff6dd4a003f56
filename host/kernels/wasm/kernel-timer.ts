/**
 * Per-kernel time of a backend, measured by wrapping every kernel registered for it. Counts
 * only top-level kernel calls (the agekit kernels call other kernels inside; those are part of
 * their time). Records CPU time (process.cpuUsage) as well as wall time: on a shared machine the
 * CPU time is the steadier figure.
 *
 * @example
 * const timer = new KernelTimer('wasm');
 * timer.start(); step(batch); timer.stop();
 * console.log(timer.slowest(5)); // [{ name: 'Conv2DBackpropFilter', cpuMs: 120.4, wallMs: 131.0, calls: 35 }, ...]
 */
import { getKernelsForBackend, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

export interface KernelTime {
  name: string;
  /** CPU time of this process in the kernel, milliseconds. */
  cpuMs: number;
  /** Wall time in the kernel, milliseconds. */
  wallMs: number;
  calls: number;
}

export class KernelTimer {
  readonly backendName: string;
  private readonly totals = new Map<string, KernelTime>();
  private originals: KernelConfig[] = [];
  private depth = 0;

  private readonly keyOf: (name: string, inputs: TensorInfo[]) => string;

  /**
   * @param backendName default `wasm`
   * @param keyOf how calls are grouped; default by kernel name (pass one that adds input shapes to see which calls are slow)
   */
  constructor(backendName = 'wasm', keyOf: (name: string, inputs: TensorInfo[]) => string = (name) => name) {
    this.backendName = backendName;
    this.keyOf = keyOf;
  }

  /** Wrap every kernel of the backend; kernels registered after this are not timed. */
  start(): void {
    if (this.originals.length) throw new Error('KernelTimer: already started');
    this.originals = getKernelsForBackend(this.backendName);
    for (const config of this.originals) {
      unregisterKernel(config.kernelName, this.backendName);
      registerKernel({ ...config, kernelFunc: this.wrap(config.kernelName, config.kernelFunc) });
    }
  }

  /** Put the original kernels back. */
  stop(): void {
    for (const config of this.originals) {
      unregisterKernel(config.kernelName, this.backendName);
      registerKernel(config);
    }
    this.originals = [];
  }

  /** Forget the times recorded so far. */
  reset(): void {
    this.totals.clear();
  }

  /** The `n` kernels with the most CPU time, slowest first. */
  slowest(n = 5): KernelTime[] {
    return [...this.totals.values()].sort((a, b) => b.cpuMs - a.cpuMs).slice(0, n);
  }

  /** Total CPU time over all kernels, milliseconds. */
  totalCpuMs(): number {
    return [...this.totals.values()].reduce((s, k) => s + k.cpuMs, 0);
  }

  private wrap(name: string, fn: KernelFunc): KernelFunc {
    return (args) => {
      if (this.depth > 0) return fn(args);
      this.depth++;
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      try {
        return fn(args);
      } finally {
        const c = process.cpuUsage(c0);
        const key = this.keyOf(name, Object.values(args.inputs as Record<string, TensorInfo>));
        const entry = this.totals.get(key) ?? { name: key, cpuMs: 0, wallMs: 0, calls: 0 };
        entry.cpuMs += (c.user + c.system) / 1000;
        entry.wallMs += performance.now() - w0;
        entry.calls++;
        this.totals.set(key, entry);
        this.depth--;
      }
    };
  }
}
