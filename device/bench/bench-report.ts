/**
 * The `agekit bench --json` document: what comparing two devices needs, in one file. The machine
 * (CPU model, cores, temperature and throttling before and after, null where the machine does not
 * expose them), the detection schedule, and per configuration the runtime, threads, delegate,
 * per-stage p50/p95 ms and FPS. Field names are snake_case (a wire format); README documents it.
 *
 * @example
 * const doc = buildBenchReport({ machine, machineAfter, frames: where, results });
 * await writeFileAtomic('bench.json', JSON.stringify(doc, null, 2) + '\n');
 */
import { AGEKIT_VERSION } from '../../core/version.ts';
import type { MachineInfo } from '../report/machine-info.ts';
import { BENCH_SCHEDULE, type BenchResult } from './run-bench.ts';
import { compareTimes, configName } from './bench-table.ts';

/** Identifies this layout; bumped when a field changes meaning or goes away. */
export const BENCH_REPORT_SCHEMA = 'agekit-bench/2';

/** Temperature, clock and throttling at one moment; null where the machine does not say. */
export interface BenchThermal {
  /** Hottest CPU thermal zone in /sys/class/thermal, degrees C. */
  cpu_temp_c: number | null;
  /** Core 0's current clock, MHz (cpufreq). */
  cpu_mhz: number | null;
  /** `vcgencmd get_throttled` (Raspberry Pi), e.g. `0x0`. */
  throttled: string | null;
  /** The throttled bits in words, e.g. `not throttled`, `now: under-voltage`. */
  throttled_meaning: string | null;
}

export interface BenchReportMachine extends BenchThermal, Pick<MachineInfo, 'cpu' | 'cores' | 'arch' | 'os' | 'memory_gb' | 'node'> {
  cpu_max_mhz: number | null;
  /** Why this process looks emulated (qemu-user), or null: an emulated speed says nothing about the real machine. */
  emulated: string | null;
}

/** One configuration's figures. */
export interface BenchReportResult extends BenchResult {
  /** What ran the detector's ops: `xnnpack`, `xnnpack-wasm` (TFLite WASM's own), `none` (builtin kernels, tfjs), or an external delegate's library. */
  delegate: string;
  /** Which frames ran full detection (see BENCH_SCHEDULE). */
  schedule: string;
  /** `1.30x faster`, `2.05x slower`, `same` or `baseline`: its mean frame against the first configuration's. */
  vs_baseline: string;
}

export interface BenchReport {
  schema: typeof BENCH_REPORT_SCHEMA;
  agekit: string;
  /** ISO 8601, when the measurement ended. */
  measured_at: string;
  machine: BenchReportMachine;
  /** Temperature, clock and throttling after the last configuration ran (machine has them from before). */
  machine_after: BenchThermal;
  /** What the frames were, e.g. `30 640x480 frames, 1 face(s) of 160 px from ...`. */
  frames: string;
  schedule: string;
  /** The configuration the others are compared with, e.g. `tflite, 1 thread, xnnpack`. */
  baseline: string | null;
  results: BenchReportResult[];
  /** Set (with `note`) only under emulation. */
  emulated?: string;
  note?: string;
}

/** The delegate of a result, as BenchReportResult.delegate says. */
export function benchDelegate(r: Pick<BenchResult, 'runtime' | 'accelerator'>): string {
  if (r.runtime === 'tfjs') return 'none';
  if (r.runtime === 'tflite-wasm') return 'xnnpack-wasm';
  if (r.accelerator.startsWith('xnnpack')) return 'xnnpack';
  if (r.accelerator.startsWith('builtin')) return 'none';
  return r.accelerator.replace(/^external delegate /, '');
}

const thermal = (m: MachineInfo): BenchThermal => ({
  cpu_temp_c: m.cpu_temp_c ?? null, cpu_mhz: m.cpu_mhz ?? null, throttled: m.throttled ?? null, throttled_meaning: m.throttled_meaning ?? null,
});

export function buildBenchReport(a: { machine: MachineInfo; machineAfter: MachineInfo; frames: string; results: BenchResult[]; now?: () => Date }): BenchReport {
  const m = a.machine;
  const base = a.results[0];
  return {
    schema: BENCH_REPORT_SCHEMA, agekit: AGEKIT_VERSION, measured_at: (a.now?.() ?? new Date()).toISOString(),
    ...(m.emulated ? { emulated: m.emulated, note: 'measured under CPU emulation: these speeds say nothing about the real machine' } : {}),
    machine: {
      cpu: m.cpu, cores: m.cores, arch: m.arch, os: m.os, memory_gb: m.memory_gb, node: m.node,
      ...thermal(m), cpu_max_mhz: m.cpu_max_mhz ?? null, emulated: m.emulated ?? null,
    },
    machine_after: thermal(a.machineAfter),
    frames: a.frames, schedule: BENCH_SCHEDULE, baseline: base ? configName(base) : null,
    results: a.results.map((r) => ({
      ...r, delegate: benchDelegate(r), schedule: BENCH_SCHEDULE,
      vs_baseline: r === base ? 'baseline' : compareTimes(r.stages.total.mean_ms, base.stages.total.mean_ms),
    })),
  };
}
