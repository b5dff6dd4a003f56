/**
 * The machine a measurement ran on, for run and bench reports: CPU model, cores, architecture,
 * OS, and where readable the CPU temperature and throttling state (on a Raspberry Pi, thermal
 * throttling silently changes FPS, so a figure without it is hard to compare).
 *
 * @example
 * const machine = await describeMachine({ runtime: 'tflite', threads: 2 });
 */
import { cpus, arch, platform, release, totalmem } from 'node:os';
import { readFile, readdir } from 'node:fs/promises';
import { execFile } from 'node:child_process';

export interface MachineInfo {
  cpu: string;
  cores: number;
  arch: string;
  os: string;
  memory_gb: number;
  node: string;
  runtime?: string;
  threads?: number;
  /** Hottest CPU-ish thermal zone, degrees C, when /sys/class/thermal is readable. */
  cpu_temp_c?: number;
  /** Current / maximum CPU frequency of core 0, MHz, when cpufreq is readable. */
  cpu_mhz?: number;
  cpu_max_mhz?: number;
  /** `vcgencmd get_throttled` on a Raspberry Pi, e.g. `0x0` (not throttled) or `0x50005`. */
  throttled?: string;
  /** Human summary of the throttled bits. */
  throttled_meaning?: string;
  /**
   * Set when this process runs under CPU emulation (qemu-user): what gave it away. Speeds
   * measured then say nothing about the real machine.
   */
  emulated?: string;
}

/**
 * Why this process looks emulated, from /proc/cpuinfo and its own architecture, or undefined.
 * qemu-user runs arm64 programs on an x86 host but passes the host's /proc/cpuinfo through, so
 * an arm64 process reading x86 fields (vendor_id, flags), or an x64 process reading ARM ones
 * (CPU implementer, Features), is emulated.
 */
export function detectEmulation(cpuinfo: string | undefined, processArch: string = arch()): string | undefined {
  if (!cpuinfo) return undefined;
  const x86 = /^(vendor_id|flags)\s*:/m.test(cpuinfo);
  const armCpu = /^(CPU implementer|Features)\s*:/m.test(cpuinfo);
  if ((processArch === 'arm64' || processArch === 'arm') && x86 && !armCpu) {
    const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim();
    return `${processArch} process on an x86 CPU${model ? ` (${model})` : ''}: emulated, e.g. by qemu-user`;
  }
  if ((processArch === 'x64' || processArch === 'ia32') && armCpu && !x86) return `${processArch} process on an ARM CPU: emulated, e.g. by qemu-user or Rosetta`;
  return undefined;
}

async function text(path: string): Promise<string | undefined> {
  try { return (await readFile(path, 'utf8')).trim(); } catch { return undefined; }
}

async function osName(): Promise<string> {
  const rel = await text('/etc/os-release');
  const pretty = rel && /^PRETTY_NAME="?([^"\n]+)"?/m.exec(rel)?.[1];
  return `${pretty ?? platform()} (${platform()} ${release()})`;
}

/** Highest temperature among CPU/SoC thermal zones (all zones if none is labelled), degrees C. */
export async function cpuTemperature(root = '/sys/class/thermal'): Promise<number | undefined> {
  let zones: string[];
  try { zones = (await readdir(root)).filter((z) => z.startsWith('thermal_zone')); } catch { return undefined; }
  const temps: Array<{ type: string; c: number }> = [];
  for (const z of zones) {
    const t = Number(await text(`${root}/${z}/temp`));
    if (Number.isFinite(t) && t > 0) temps.push({ type: (await text(`${root}/${z}/type`)) ?? '', c: t / 1000 });
  }
  const cpuish = temps.filter((t) => /cpu|soc|x86_pkg|core|package/i.test(t.type));
  const pick = cpuish.length ? cpuish : temps;
  return pick.length ? Math.max(...pick.map((t) => t.c)) : undefined;
}

/** Decode the Raspberry Pi firmware's throttled bits. */
export function describeThrottled(hex: string): string {
  const v = parseInt(hex, 16);
  if (!Number.isFinite(v)) return 'unknown';
  const now = [[0, 'under-voltage'], [1, 'frequency capped'], [2, 'throttled'], [3, 'soft temperature limit']] as const;
  const active = now.filter(([b]) => v & (1 << b)).map(([, n]) => n);
  const past = now.filter(([b]) => v & (1 << (b + 16))).map(([, n]) => n);
  if (!active.length && !past.length) return 'not throttled';
  return [active.length ? `now: ${active.join(', ')}` : '', past.length ? `since boot: ${past.join(', ')}` : ''].filter(Boolean).join('; ');
}

function vcgencmdThrottled(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('vcgencmd', ['get_throttled'], { timeout: 2000 }, (err, stdout) => {
      if (err) return resolve(undefined);
      resolve(/throttled=(0x[0-9a-f]+)/i.exec(stdout)?.[1]);
    });
  });
}

export async function describeMachine(run: { runtime?: string; threads?: number } = {}): Promise<MachineInfo> {
  const c = cpus();
  const info: MachineInfo = {
    cpu: c[0]?.model?.trim() || (await text('/proc/device-tree/model'))?.replace(/\0/g, '') || 'unknown',
    cores: c.length, arch: arch(), os: await osName(), memory_gb: Math.round(totalmem() / 2 ** 30 * 10) / 10,
    node: process.version, ...run,
  };
  const temp = await cpuTemperature();
  if (temp !== undefined) info.cpu_temp_c = Math.round(temp * 10) / 10;
  const cur = Number(await text('/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq'));
  const max = Number(await text('/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq'));
  if (cur > 0) info.cpu_mhz = Math.round(cur / 1000);
  if (max > 0) info.cpu_max_mhz = Math.round(max / 1000);
  const emulated = detectEmulation(await text('/proc/cpuinfo'));
  if (emulated) info.emulated = emulated;
  const thr = await vcgencmdThrottled();
  if (thr) { info.throttled = thr; info.throttled_meaning = describeThrottled(thr); }
  return info;
}

/** One line naming the machine, for stderr. */
export function formatMachine(m: MachineInfo): string {
  return `${m.cpu}, ${m.cores} cores, ${m.arch}, ${m.os}` +
    (m.cpu_temp_c !== undefined ? `, CPU ${m.cpu_temp_c} C` : '') +
    (m.cpu_mhz !== undefined ? `, ${m.cpu_mhz}${m.cpu_max_mhz ? `/${m.cpu_max_mhz}` : ''} MHz` : '') +
    (m.throttled ? `, ${m.throttled_meaning}` : '') +
    (m.emulated ? `; EMULATED (${m.emulated}): speeds measured here say nothing about real hardware` : '');
}
