/**
 * The flags `agekit eval` and `agekit compare` share for measuring through the device path:
 * `--path chip|camera|both`, the frame and face sizes, the scene seed and the detector.
 *
 * @example
 * addCameraPathOptions(cmd); ... const detector = await openPathDetector(flags);
 */
import { Option, type Command } from 'commander';
import { BlazeFaceDetector } from '../device/detectors/blazeface-detector.ts';
import { defaultDetectorPath } from '../device/pipeline.ts';
import { UsageError } from '../core/errors.ts';
import { DEFAULT_CAMERA_SCENE } from '../host/eval/camera-scene.ts';
import type { CameraSceneReport } from '../host/eval/camera-path-report.ts';
import { intArg } from './options.ts';

export type MeasurePath = 'chip' | 'camera' | 'both';

export interface CameraPathFlags { path: MeasurePath; frame: [number, number]; facePx: [number, number]; sceneSeed: number; detector?: string }

function pairArg(flag: string, sep: string, example: string) {
  return (value: string): [number, number] => {
    const m = new RegExp(`^(\\d+)${sep}(\\d+)$`, 'i').exec(value.trim());
    if (!m) throw new UsageError(`expected ${example} (got "${value}")`, { where: flag });
    return [Number(m[1]), Number(m[2])];
  };
}

/** Add --path, --frame, --face-px, --scene-seed and --detector. */
export function addCameraPathOptions(cmd: Command): Command {
  return addSceneOptions(cmd
    .addOption(new Option('--path <which>', 'chip: the dataset crop; camera: each face placed in a camera frame, found by the detector and cropped by the device code; both: side by side').choices(['chip', 'camera', 'both']).default('chip')));
}

/** Add --frame, --face-px, --scene-seed and --detector (the camera frames and their detector). */
export function addSceneOptions(cmd: Command): Command {
  const [fw, fh] = DEFAULT_CAMERA_SCENE.frameSize, [lo, hi] = DEFAULT_CAMERA_SCENE.facePx;
  return cmd
    .option('--frame <WxH>', 'camera path: frame size', pairArg('--frame', 'x', 'WIDTHxHEIGHT, e.g. 640x480'), [fw, fh])
    .option('--face-px <min-max>', 'camera path: side of the face in the frame, pixels, drawn uniformly', pairArg('--face-px', '-', 'MIN-MAX, e.g. 90-190'), [lo, hi])
    .option('--scene-seed <n>', 'camera path: seed of sizes, positions and backgrounds', intArg('--scene-seed', { min: 0 }), 0)
    .option('--detector <file>', 'camera path: face detector (default: the shipped samples/models/blazeface.tflite)');
}

/** The detector of the camera path, one native TFLite thread (as `agekit run --threads 1`). */
export async function openPathDetector(flags: Omit<CameraPathFlags, 'path'>): Promise<{ detector: BlazeFaceDetector; scene: CameraSceneReport }> {
  const modelPath = flags.detector ?? defaultDetectorPath();
  const detector = await BlazeFaceDetector.create({ modelPath, threads: 1 });
  return { detector, scene: { frameSize: flags.frame, facePx: flags.facePx, seed: flags.sceneSeed, detector: modelPath } };
}
