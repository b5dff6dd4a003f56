/**
 * `webcam:/dev/video0`: one still per call through node-webcam (fswebcam). Simple and slow
 * (each frame starts fswebcam), for cameras ffmpeg's v4l2 input cannot open. The still goes to a
 * private file in RAM (/dev/shm when present) that is read and deleted at once: node-webcam's
 * in-memory mode passes the image through a text stream and corrupts it.
 * A camera that disappears is retried with backoff; one that never gave a still stops after
 * `openTimeoutMs`; an undecodable still is skipped and counted.
 *
 * @example
 * const src = new WebcamSource('webcam:/dev/video0', '/dev/video0', { size: { width: 640, height: 480 } });
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import NodeWebcam from 'node-webcam';
import type { Frame, Source, SourceHealth } from '../stages.ts';
import { nowMs } from '../stage-clock.ts';
import { decodeImage } from './decode-image.ts';
import { DEFAULT_CAMERA_SIZE, type SourceOptions } from './ffmpeg-sources.ts';
import { DEFAULT_RAW_PIPE, sleep } from './raw-pipe-source.ts';
import { SourceError } from '../../core/errors.ts';

interface NodeWebcamInstance { capture(location: string, cb: (err: Error | null, data?: unknown) => void): void }

export class WebcamSource implements Source {
  readonly health: SourceHealth = { badFrames: 0, restarts: 0, stalls: 0, dropped: 0 };
  private dir?: string;
  private closed = false;

  constructor(readonly id: string, private readonly device: string, private readonly o: SourceOptions = {}) {}

  async *frames(signal: AbortSignal): AsyncIterable<Frame> {
    const size = this.o.size ?? DEFAULT_CAMERA_SIZE;
    const cam = NodeWebcam.create({
      width: size.width, height: size.height, device: this.device, output: 'jpeg', quality: 90,
      delay: 0, callbackReturn: 'location', verbose: false,
    }) as unknown as NodeWebcamInstance;
    this.dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'agekit-webcam-'));
    const shot = join(this.dir, 'shot.jpg');
    let index = 0, failures = 0, lastT = -Infinity;
    const base = this.o.backoffMs ?? 250;
    const openTimeoutMs = this.o.openTimeoutMs ?? DEFAULT_RAW_PIPE.openTimeoutMs;
    const firstTry = nowMs();
    while (!signal.aborted && !this.closed) {
      const t0 = nowMs();
      const err = await new Promise<Error | null>((resolve) => cam.capture(shot, (e) => resolve(e)));
      let data: Buffer | undefined;
      if (!err) data = await readFile(shot).catch(() => undefined);
      await rm(shot, { force: true });
      if (err || !data) {
        // No still at all: the camera is gone or busy. Back off and report, forever.
        failures++;
        this.health.lastProblem = `fswebcam: ${err ? err.message.trim().split('\n').pop() : 'no image written'}`;
        // Never a single still: the camera is missing or not permitted. Stop after a bounded wait.
        const waited = nowMs() - firstTry;
        if (index === 0 && openTimeoutMs > 0 && waited >= openTimeoutMs) {
          throw new SourceError(`never opened: no still in ${(waited / 1000).toFixed(0)} s and ${failures} attempt${failures === 1 ? '' : 's'} (${this.health.lastProblem})`, {
            where: this.id, hint: `check that ${this.device} exists and this user may open it (group video); agekit-device cameras lists the cameras`,
          });
        }
        let wait = Math.min(30_000, base * 2 ** (failures - 1));
        if (index === 0 && openTimeoutMs > 0) wait = Math.max(0, Math.round(Math.min(wait, openTimeoutMs - waited)));
        this.health.restarts++;
        this.o.onEvent?.({ source: this.id, kind: 'restarting', message: `${this.health.lastProblem}; retrying in ${wait} ms` });
        await sleep(wait, signal);
        continue;
      }
      failures = 0;
      let img;
      try {
        img = await decodeImage(data, `${this.id} still ${index}`, this.o.size);
      } catch (e) {
        this.health.badFrames++;
        this.health.lastProblem = (e as Error).message;
        this.o.onEvent?.({ source: this.id, kind: 'bad-frame', message: (e as Error).message });
        continue;
      }
      const tMs = Math.max(t0, lastT + 0.001);
      lastT = tMs;
      yield { index: index++, tMs, width: img.width, height: img.height, rgb: img.data };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
