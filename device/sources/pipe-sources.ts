/**
 * Camera pipes that are not ffmpeg: `rpicam` (rpicam-vid on a Raspberry Pi with libcamera,
 * raw I420) and `gst:<pipeline>` (gst-launch-1.0 ending in raw RGB, e.g. nvarguscamerasrc on a
 * Jetson). Both are live and restart with backoff like every raw pipe.
 *
 * @example
 * const src = createGstSource('gst:nvarguscamerasrc ! nvvidconv', 'nvarguscamerasrc ! nvvidconv', { fps: 30 });
 */
import { RawPipeSource } from './raw-pipe-source.ts';
import { DEFAULT_CAMERA_FPS, DEFAULT_CAMERA_SIZE, type SourceOptions } from './ffmpeg-sources.ts';

/** `rpicam` or `rpicam:<camera index>`: rpicam-vid writing I420 frames to stdout, no preview window. */
export function createRpicamSource(spec: string, camera: string, o: SourceOptions = {}): RawPipeSource {
  const size = o.size ?? DEFAULT_CAMERA_SIZE;
  const fps = o.fps ?? DEFAULT_CAMERA_FPS;
  return new RawPipeSource({
    id: spec, width: size.width, height: size.height, format: 'i420', live: true, fps,
    neverOpenedHint: 'check the camera cable and that rpicam-hello --list-cameras lists it (agekit-device cameras shows both V4L2 and libcamera cameras)',
    stallTimeoutMs: o.stallTimeoutMs, startTimeoutMs: o.startTimeoutMs, backoffMs: o.backoffMs, openTimeoutMs: o.openTimeoutMs, onEvent: o.onEvent, spawn: o.spawn,
    command: () => ({
      cmd: 'rpicam-vid',
      args: ['-t', '0', '-n', '--codec', 'yuv420', '--width', String(size.width), '--height', String(size.height),
        '--framerate', String(fps), ...(camera ? ['--camera', camera] : []), '-o', '-'],
    }),
  });
}

/**
 * `gst:<pipeline>`: gst-launch-1.0 runs the given pipeline, to which agekit appends
 * `! videoconvert ! videoscale ! video/x-raw,format=RGB,width=W,height=H ! fdsink fd=1`.
 */
export function createGstSource(spec: string, pipeline: string, o: SourceOptions = {}): RawPipeSource {
  const size = o.size ?? DEFAULT_CAMERA_SIZE;
  const tail = `videoconvert ! videoscale ! video/x-raw,format=RGB,width=${size.width},height=${size.height} ! fdsink fd=1`;
  return new RawPipeSource({
    id: spec, width: size.width, height: size.height, format: 'rgb24', live: true, fps: o.fps,
    neverOpenedHint: 'run the pipeline by hand with gst-launch-1.0 to see why it gives no frames',
    stallTimeoutMs: o.stallTimeoutMs, startTimeoutMs: o.startTimeoutMs, backoffMs: o.backoffMs, openTimeoutMs: o.openTimeoutMs, onEvent: o.onEvent, spawn: o.spawn,
    // gst-launch takes the pipeline as separate words; the shell-less split keeps quoting simple.
    command: () => ({ cmd: 'gst-launch-1.0', args: ['-q', ...`${pipeline} ! ${tail}`.split(/\s+/).filter(Boolean)] }),
  });
}
