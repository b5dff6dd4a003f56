/**
 * From a source spec to a Source, through one table of scheme -> factory.
 *
 * | spec | source |
 * |---|---|
 * | `v4l2:/dev/video0` | ffmpeg v4l2 input, one long-running process (the fast path) |
 * | `webcam:/dev/video0` | node-webcam / fswebcam, one still per frame |
 * | `file:<video>` | ffmpeg, every frame, `loop` to repeat |
 * | `rtsp://...`, `rtmp://...`, `http(s)://...` | ffmpeg network input |
 * | `rpicam`, `rpicam:<camera>` | rpicam-vid raw I420 |
 * | `gst:<pipeline>` | gst-launch-1.0 ending in raw RGB |
 * | `images:<dir>` | the folder's images in name order |
 *
 * @example
 * const source = await createSource('file:walk.mp4', { loop: true, onEvent: (e) => console.error(e.message) });
 */
import { UsageError } from '../../core/errors.ts';
import type { Source } from '../stages.ts';
import { createFileSource, createStreamSource, createV4l2Source, type SourceOptions } from './ffmpeg-sources.ts';
import { createGstSource, createRpicamSource } from './pipe-sources.ts';
import { ImagesSource } from './images-source.ts';
import { WebcamSource } from './webcam-source.ts';

/** Makes a source from the full spec and the part after `scheme:`. */
export type SourceFactory = (spec: string, rest: string, options: SourceOptions) => Source | Promise<Source>;

const stream: SourceFactory = (spec, _rest, o) => createStreamSource(spec, o);

/** Every source scheme agekit knows. Add a scheme by adding a line. */
export const SOURCE_SCHEMES: Readonly<Record<string, SourceFactory>> = {
  v4l2: (spec, rest, o) => createV4l2Source(spec, rest || '/dev/video0', o),
  webcam: (spec, rest, o) => new WebcamSource(spec, rest || '/dev/video0', o),
  file: (spec, rest, o) => createFileSource(spec, rest, o),
  rtsp: stream, rtsps: stream, rtmp: stream, http: stream, https: stream, udp: stream, srt: stream,
  rpicam: (spec, rest, o) => createRpicamSource(spec, rest, o),
  gst: (spec, rest, o) => createGstSource(spec, rest, o),
  images: (spec, rest, o) => ImagesSource.create(spec, rest, o),
};

/** Split `scheme:rest` (or `scheme://...` for URLs). */
export function parseSourceSpec(spec: string): { scheme: string; rest: string } {
  const m = /^([a-z0-9]+):(.*)$/i.exec(spec);
  if (!m) return { scheme: spec.toLowerCase(), rest: '' };
  return { scheme: m[1].toLowerCase(), rest: m[2] };
}

/** Build the source a spec names; an unknown scheme is a UsageError listing the known ones. */
export async function createSource(spec: string, options: SourceOptions = {}): Promise<Source> {
  const { scheme, rest } = parseSourceSpec(spec);
  const factory = Object.hasOwn(SOURCE_SCHEMES, scheme) ? SOURCE_SCHEMES[scheme] : undefined;
  if (!factory) {
    throw new UsageError(`unknown source "${spec}"`, {
      where: '--source',
      hint: 'use v4l2:/dev/video0, webcam:/dev/video0, file:<video>, rtsp://..., rpicam, gst:<pipeline> or images:<dir>',
    });
  }
  return factory(spec, rest, options);
}
