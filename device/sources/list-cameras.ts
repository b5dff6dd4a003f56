/**
 * Which cameras this machine has: every /dev/video* with its name (from sysfs), whether it is a
 * capture device this user can open, and its formats and frame sizes (from ffmpeg's v4l2
 * input), plus the libcamera cameras rpicam-hello lists on a Raspberry Pi. Answers the first
 * question on a new device: "which /dev/video is my camera?".
 *
 * @example
 * for (const c of await listCameras()) console.log(c.device, c.name, c.usable ? c.source : c.problem);
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** One pixel format of a camera and the frame sizes it offers (`640x480`, or a range such as `{32-2592, 2}x{32-1944, 2}`). */
export interface CameraFormat { kind: 'raw' | 'compressed'; format: string; description: string; sizes: string[] }

export interface CameraInfo {
  /** `/dev/video0`, or `rpicam:0` for a libcamera camera. */
  device: string;
  /** What the driver calls it, e.g. `HD Pro Webcam C920`. */
  name?: string;
  /** The --source spec that reads it. */
  source: string;
  /** True when it is a capture device this user can open. */
  usable: boolean;
  /** Why it is not usable (permission, not a capture device, busy ...). */
  problem?: string;
  formats: CameraFormat[];
}

/** A command's result; the injected runner must never reject. */
export interface CommandResult { code: number | null; stdout: string; stderr: string; missing?: boolean }
export type CommandRunner = (cmd: string, args: string[], timeoutMs: number) => Promise<CommandResult>;

export interface ListCamerasOptions {
  /** Default /dev. */
  devDir?: string;
  /** Default /sys/class/video4linux. */
  sysDir?: string;
  /** Default `ffmpeg`. */
  ffmpegPath?: string;
  /** Ask rpicam-hello for libcamera cameras. Default true. */
  rpicam?: boolean;
  /** Runs ffmpeg and rpicam-hello; injected by tests with recorded output. */
  runCommand?: CommandRunner;
}

const realRunner: CommandRunner = (cmd, args, timeoutMs) => new Promise((resolve) => {
  execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 4 * 2 ** 20 }, (err, stdout, stderr) => {
    const e = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
    resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout: String(stdout), stderr: String(stderr), missing: e?.code === 'ENOENT' });
  });
});

/**
 * Formats in ffmpeg's `-list_formats all` output, lines such as
 * `[video4linux2,v4l2 @ 0x5581] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 320x240`.
 */
export function parseFfmpegFormats(stderr: string): CameraFormat[] {
  const formats: CameraFormat[] = [];
  for (const line of stderr.split('\n')) {
    // The description may hold colons (YUYV 4:2:2): the sizes are what ends the line, either
    // discrete (640x480 320x240) or one stepwise range ({min-max, step}x{min-max, step}).
    const m = /\]\s*(Raw|Compressed)\s*:\s*(\S+)\s*:\s*(.*?)\s+:\s+(\d+x\d+(?:\s+\d+x\d+)*|\{[^}]*\}x\{[^}]*\})\s*$/.exec(line);
    if (!m) continue;
    const sizes = m[4].startsWith('{') ? [m[4]] : m[4].split(/\s+/);
    formats.push({ kind: m[1] === 'Raw' ? 'raw' : 'compressed', format: m[2], description: m[3], sizes });
  }
  return formats;
}

/** Why ffmpeg could not list a device's formats, in a user's words, from its error output. */
function ffmpegProblem(stderr: string): string {
  if (/Permission denied/i.test(stderr)) return 'permission denied: add the user to the video group (sudo usermod -aG video $USER, then log in again)';
  if (/Not a video capture device/i.test(stderr)) return 'not a capture device (metadata, codec or ISP node)';
  if (/Device or resource busy/i.test(stderr)) return 'busy: another program has it open';
  if (/No such file or directory/i.test(stderr)) return 'gone: it was unplugged while listing';
  const last = stderr.trim().split('\n').filter(Boolean).pop();
  return last ? `ffmpeg cannot open it (${last.replace(/^\[[^\]]*\]\s*/, '')})` : 'ffmpeg lists no formats for it';
}

/** Cameras rpicam-hello --list-cameras reports: `0 : imx708 [4608x2592 10-bit RGGB] (...)` then `Modes:` lines with sizes. */
export function parseRpicamCameras(stdout: string): CameraInfo[] {
  const cameras: CameraInfo[] = [];
  for (const line of stdout.split('\n')) {
    const cam = /^\s*(\d+)\s*:\s*(\S+)\s*\[([^\]]*)\]/.exec(line);
    if (cam) {
      cameras.push({ device: `rpicam:${cam[1]}`, name: `${cam[2]} [${cam[3]}]`, source: cam[1] === '0' ? 'rpicam' : `rpicam:${cam[1]}`, usable: true, formats: [{ kind: 'raw', format: 'i420', description: 'libcamera', sizes: [] }] });
      continue;
    }
    const last = cameras[cameras.length - 1];
    if (!last) continue;
    for (const size of line.matchAll(/(?:^|[\s:])(\d+x\d+)\s*\[/g)) if (!last.formats[0].sizes.includes(size[1])) last.formats[0].sizes.push(size[1]);
  }
  return cameras;
}

export async function listCameras(o: ListCamerasOptions = {}): Promise<CameraInfo[]> {
  const devDir = o.devDir ?? '/dev';
  const sysDir = o.sysDir ?? '/sys/class/video4linux';
  const runCommand = o.runCommand ?? realRunner;
  const names = (await readdir(devDir).catch(() => [] as string[])).filter((n) => /^video\d+$/.test(n)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  const cameras: CameraInfo[] = [];
  for (const n of names) {
    const device = join(devDir, n);
    const name = (await readFile(join(sysDir, n, 'name'), 'utf8').catch(() => undefined))?.trim();
    const info: CameraInfo = { device, name, source: `v4l2:${device}`, usable: false, formats: [] };
    cameras.push(info);
    try {
      await access(device, constants.R_OK | constants.W_OK);
    } catch {
      info.problem = 'permission denied: add the user to the video group (sudo usermod -aG video $USER, then log in again)';
      continue;
    }
    const r = await runCommand(o.ffmpegPath ?? 'ffmpeg', ['-hide_banner', '-nostdin', '-f', 'v4l2', '-list_formats', 'all', '-i', device], 15_000);
    if (r.missing) {
      info.problem = 'ffmpeg is not installed, so its formats cannot be listed (sudo apt-get install ffmpeg)';
      continue;
    }
    info.formats = parseFfmpegFormats(r.stderr);
    info.usable = info.formats.length > 0;
    if (!info.usable) info.problem = ffmpegProblem(r.stderr);
  }
  if (o.rpicam ?? true) {
    const r = await runCommand('rpicam-hello', ['--list-cameras'], 15_000);
    if (!r.missing && r.code === 0) cameras.push(...parseRpicamCameras(r.stdout));
  }
  return cameras;
}

/** The cameras as an aligned text table: device, name, the --source to use or the problem, sizes. */
export function formatCameraTable(cameras: CameraInfo[]): string {
  const rows = cameras.map((c) => [c.device, c.name ?? '', c.usable ? `--source ${c.source}` : c.problem ?? 'not usable',
    c.formats.map((f) => `${f.format} ${f.sizes.slice(0, 8).join(' ')}${f.sizes.length > 8 ? ' ...' : ''}`.trim()).join('; ')]);
  const head = ['DEVICE', 'NAME', 'USE', 'FORMATS AND SIZES'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}
