/**
 * Sources through ffmpeg: a V4L2 camera (`v4l2:/dev/video0`), a video file (`file:walk.mp4`) and
 * a network stream (`rtsp://...`), each one ffmpeg process piping rawvideo rgb24.
 *
 * @example
 * const src = await createFileSource('file:walk.mp4', { loop: true });
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SourceError } from '../../core/errors.ts';
import { RawPipeSource, type RawPipeSourceOptions, type SourceEvent } from './raw-pipe-source.ts';

/** Options shared by every source factory. All optional. */
export interface SourceOptions {
  /** Output frame size; default 640x480 for cameras, the video's own size for files and streams. */
  size?: { width: number; height: number };
  /** Frames per second asked of a camera (default 30) or resampled from a file (default: its own). */
  fps?: number;
  /** Play a file again from the start when it ends. Default false. */
  loop?: boolean;
  /** Status events (restarts, stalls, bad frames) for the caller to print. */
  onEvent?: (event: SourceEvent) => void;
  /** See {@link RawPipeSourceOptions.stallTimeoutMs}. */
  stallTimeoutMs?: number;
  /** See {@link RawPipeSourceOptions.startTimeoutMs}. */
  startTimeoutMs?: number;
  /** See {@link RawPipeSourceOptions.backoffMs}. */
  backoffMs?: number;
  /** Live sources: give up when no frame came this long after the start. See {@link RawPipeSourceOptions.openTimeoutMs}. */
  openTimeoutMs?: number;
  /** Injected process spawner (tests of the restart logic). */
  spawn?: RawPipeSourceOptions['spawn'];
  /** The ffmpeg executable. Default `ffmpeg` on PATH. */
  ffmpegPath?: string;
}

export const DEFAULT_CAMERA_SIZE = { width: 640, height: 480 } as const;
export const DEFAULT_CAMERA_FPS = 30;

const QUIET = ['-hide_banner', '-nostdin', '-loglevel', 'error'];

function scaleFilter(size: SourceOptions['size'], fps?: number): string[] {
  const filters: string[] = [];
  if (fps) filters.push(`fps=${fps}`);
  if (size) filters.push(`scale=${size.width}:${size.height}`);
  return filters.length ? ['-vf', filters.join(',')] : [];
}

/** `v4l2:/dev/video0`: a USB or CSI camera through ffmpeg's v4l2 input, live. */
export function createV4l2Source(spec: string, device: string, o: SourceOptions = {}): RawPipeSource {
  const size = o.size ?? DEFAULT_CAMERA_SIZE;
  const fps = o.fps ?? DEFAULT_CAMERA_FPS;
  return new RawPipeSource({
    id: spec, width: size.width, height: size.height, format: 'rgb24', live: true, fps,
    neverOpenedHint: `check that ${device} exists and this user may open it (group video); agekit-device cameras lists the cameras and the --source for each`,
    stallTimeoutMs: o.stallTimeoutMs, startTimeoutMs: o.startTimeoutMs, backoffMs: o.backoffMs, openTimeoutMs: o.openTimeoutMs, onEvent: o.onEvent, spawn: o.spawn,
    command: () => ({
      cmd: o.ffmpegPath ?? 'ffmpeg',
      args: [...QUIET, '-f', 'v4l2', '-framerate', String(fps), '-video_size', `${size.width}x${size.height}`, '-i', device,
        ...scaleFilter(size), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    }),
  });
}

/** Size and frame rate of a video's first stream, from ffprobe. */
export interface VideoInfo { width: number; height: number; fps: number }

/** Ask ffprobe for a video's size and frame rate; a clear SourceError when it cannot. */
export function probeVideo(input: string, where: string, ffprobePath = 'ffprobe'): Promise<VideoInfo> {
  const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,avg_frame_rate,r_frame_rate', '-of', 'json', input];
  return new Promise((resolve, reject) => {
    execFile(ffprobePath, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        return reject(new SourceError(`ffprobe cannot read the video (${code === 'ENOENT' ? 'ffprobe not installed' : String(stderr).trim().split('\n').pop() || err.message})`, {
          where, hint: code === 'ENOENT' ? 'install ffmpeg (apt-get install ffmpeg)' : 'check the path or URL and that ffmpeg can play it',
        }));
      }
      const stream = (JSON.parse(stdout) as { streams?: Array<Record<string, unknown>> }).streams?.[0];
      if (!stream || !stream.width || !stream.height) return reject(new SourceError('no video stream found', { where, hint: 'give a file or URL with a video track' }));
      const rate = (r: unknown) => { const [n, d] = String(r ?? '0/1').split('/').map(Number); return d ? n / d : n; };
      const fps = rate(stream.avg_frame_rate) || rate(stream.r_frame_rate) || 25;
      resolve({ width: Number(stream.width), height: Number(stream.height), fps });
    });
  });
}

/** `file:<video>`: every frame of a video file, timestamped by its position in the video. */
export async function createFileSource(spec: string, path: string, o: SourceOptions = {}): Promise<RawPipeSource> {
  if (!existsSync(path)) throw new SourceError(`video file not found (${path})`, { where: spec, hint: 'give an existing file: file:<path>' });
  const info = await probeVideo(path, spec, o.ffmpegPath ? o.ffmpegPath.replace(/ffmpeg$/, 'ffprobe') : undefined);
  const size = o.size ?? { width: info.width, height: info.height };
  const fps = o.fps ?? info.fps;
  return new RawPipeSource({
    id: spec, width: size.width, height: size.height, format: 'rgb24', live: false, fps,
    stallTimeoutMs: o.stallTimeoutMs, startTimeoutMs: o.startTimeoutMs, backoffMs: o.backoffMs, openTimeoutMs: o.openTimeoutMs, onEvent: o.onEvent, spawn: o.spawn,
    command: (resumeAtFrame) => ({
      cmd: o.ffmpegPath ?? 'ffmpeg',
      // After a crash, resume where the last delivered frame was rather than replaying the file.
      args: [...QUIET, ...(o.loop ? ['-stream_loop', '-1'] : []), ...(resumeAtFrame > 0 && !o.loop ? ['-ss', (resumeAtFrame / fps).toFixed(3)] : []),
        '-i', path, ...scaleFilter(o.size, o.fps), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    }),
  });
}

/** `rtsp://...` (also rtmp, http, https, udp): a live network stream through ffmpeg. */
export async function createStreamSource(url: string, o: SourceOptions = {}): Promise<RawPipeSource> {
  let size = o.size;
  if (!size) {
    const info = await probeVideo(url, url, o.ffmpegPath ? o.ffmpegPath.replace(/ffmpeg$/, 'ffprobe') : undefined);
    size = { width: info.width, height: info.height };
  }
  const s = size;
  return new RawPipeSource({
    id: url, width: s.width, height: s.height, format: 'rgb24', live: true, fps: o.fps,
    neverOpenedHint: 'check the URL, the credentials and that the stream plays (ffplay it)',
    stallTimeoutMs: o.stallTimeoutMs, startTimeoutMs: o.startTimeoutMs, backoffMs: o.backoffMs, openTimeoutMs: o.openTimeoutMs, onEvent: o.onEvent, spawn: o.spawn,
    command: () => ({
      cmd: o.ffmpegPath ?? 'ffmpeg',
      args: [...QUIET, ...(url.startsWith('rtsp') ? ['-rtsp_transport', 'tcp'] : []), '-i', url,
        ...scaleFilter(s, o.fps), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    }),
  });
}
