/**
 * The page's frame loop: camera -> detect -> crop -> estimate -> track -> overlay and window.agekit,
 * with the device pipeline's StageClock and stage names, and the same detector, crop, read-out and
 * tracker code (device/detectors, device/estimators, device/trackers). As in runPipeline, `output`
 * is the previous frame's (known only after it ran); a frame that arrives while the page is busy
 * is skipped (the video shows the newest), and the wait for a new frame is `capture.wait`.
 *
 * @example
 * await runKioskLoop({ camera, detector, estimator, tracker, output }, signal);
 */
import { StageClock, nowMs } from '../../stage-clock.ts';
import type { Detector, Estimator, Frame, FrameResult, Tracker } from '../../stages.ts';
import { cropFaces } from '../../estimators/crop-faces.ts';
import { agedFaces } from '../../trackers/aged-faces.ts';
import type { CameraFrames } from './camera-frames.ts';

export interface KioskLoopOptions {
  camera: CameraFrames;
  detector: Detector;
  estimator: Estimator;
  tracker: Tracker;
  /** Called with each result and its frame (draw, publish); its time is the next frame's `output`. The frame's pixels are valid during the call only. */
  output(result: FrameResult, frame: Frame): void;
  /** A frame whose processing threw is skipped after this. */
  onFrameError(err: unknown): void;
}

export async function runKioskLoop(o: KioskLoopOptions, signal: AbortSignal): Promise<void> {
  const clock = new StageClock();
  const detectParts = clock.parts('detect');
  let outputMs = 0;
  while (!signal.aborted) {
    clock.reset();
    const tWait = nowMs();
    await o.camera.nextFrame();
    clock.extraMs['capture.wait'] = nowMs() - tWait;
    const frame = clock.timeSync('capture', () => o.camera.grab());
    let result: FrameResult;
    try {
      const boxes = await clock.time('detect', () => o.detector.detect(frame, detectParts));
      const crops = clock.timeSync('crop', () => cropFaces(frame, boxes, o.estimator.meta));
      const ages = crops.length ? await clock.time('estimate', () => o.estimator.estimate(crops)) : [];
      const tracked = clock.timeSync('track', () => o.tracker.update(frame.tMs, agedFaces(boxes, ages, crops, o.tracker, o.estimator.meta.inputSize)));
      const ms = clock.ms;
      result = {
        frame: frame.index, tMs: frame.tMs, width: frame.width, height: frame.height, faces: tracked, ended: o.tracker.takeEnded(),
        stageMs: { ...ms, output: outputMs, total: ms.capture + ms.detect + ms.crop + ms.estimate + ms.track },
        extraMs: { ...clock.extraMs },
      };
    } catch (err) {
      o.onFrameError(err);
      continue;
    }
    const t1 = nowMs();
    o.output(result, frame);
    outputMs = nowMs() - t1;
  }
}
