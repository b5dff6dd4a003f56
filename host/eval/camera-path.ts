/**
 * Accuracy where users see it: every labelled face measured twice, on its dataset chip (the crop
 * training and `agekit eval` use) and through the device path (the face placed in a camera frame
 * by renderCameraScene, found by the detector, cut out by the device's own cropFaces). Faces the
 * detector misses are counted, not scored; the chip figures on the same found faces are kept too,
 * so the two paths compare the same faces.
 *
 * @example
 * const detector = await BlazeFaceDetector.create({ modelPath: defaultDetectorPath(), threads: 1 });
 * const r = await evaluateCameraPath(predictorCropModel(predictor), ds, { detector, seed: 0 });
 * console.log(r.chip.metrics.mae, r.camera.metrics?.mae, r.camera.missed);
 */
import { cropFace, type CropSpec } from '../../core/contract/face-crop.ts';
import { normalizePixels } from '../../core/contract/preprocessing.ts';
import { cropFaces } from '../../device/estimators/crop-faces.ts';
import { DataError } from '../../core/errors.ts';
import type { Detector, FaceBox } from '../../device/stages.ts';
import type { Dataset, Sample } from '../data/dataset.ts';
import { mixSeeds, SeededRandom } from '../data/seeded-random.ts';
import { readRgb } from '../../core/images.ts';
import type { AgePredictor } from './age-predictor.ts';
import { boxIou, boxNoise, type BoxNoise, type BoxPair } from './box-noise.ts';
import { renderCameraScene, type CameraSceneOptions } from './camera-scene.ts';
import { ageMetrics, type AgeMetrics } from './metrics.ts';

/** An age model seen from the crop side: its crop size and spec, and ages for RGB crops. */
export interface CropAgeModel {
  readonly name: string;
  /** Crop [height, width]. */
  readonly inputSize: [number, number];
  readonly crop: CropSpec;
  /** Ages (years) of RGB crops, HWC bytes of inputSize each. */
  predictCrops(crops: Uint8Array[]): Promise<Float32Array>;
}

/** An {@link AgePredictor} as a {@link CropAgeModel}: crops normalized as its metadata says. */
export function predictorCropModel(p: AgePredictor): CropAgeModel {
  const [h, w] = p.meta.inputSize;
  const size = h * w * 3;
  return {
    name: p.name, inputSize: p.meta.inputSize, crop: p.meta.crop,
    async predictCrops(crops) {
      const x = new Float32Array(crops.length * size);
      crops.forEach((c, i) => normalizePixels(c, p.meta.preprocessing, x.subarray(i * size, (i + 1) * size)));
      return p.predict({ n: crops.length, x, ages: new Float32Array(crops.length).fill(NaN), samples: [] });
    },
  };
}

export interface CameraPathOptions extends CameraSceneOptions {
  /** The detector of the device path (the shipped BlazeFace in `agekit eval`). */
  detector: Detector;
  /** Seed of the scenes: sample i, placement j is drawn from mixSeeds(seed, i, j). Default 0. */
  seed?: number;
  /** Placements of each face (each its own frame). Default 1. */
  placements?: number;
  /** Also measure each face's chip. Default true. */
  chip?: boolean;
  /** A detection is the placed face when its IoU with the true box is at least this. Default 0.3. */
  minIou?: number;
  /** Crops per model call. Default 32. */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_CAMERA_PATH = { seed: 0, placements: 1, chip: true, minIou: 0.3, batchSize: 32 } as const;

export interface CameraPathResult {
  /** Faces measured (unreadable images left out), in dataset order. */
  samples: Sample[];
  truths: Float32Array;
  /** Chip path: one prediction per sample (absent with `chip: false` or without a model). */
  chip?: { predictions: Float32Array; metrics: AgeMetrics };
  camera: {
    /** Prediction of sample i, placement j at i * placements + j; NaN where the detector missed the face. */
    predictions?: Float32Array;
    /** Metrics over the found placements (undefined when none was found or there is no model). */
    metrics?: AgeMetrics;
    /** Chip-path metrics of the same found placements' faces (each face once per found placement). */
    chipOnFound?: AgeMetrics;
    placements: number;
    found: number;
    /** Placements where no detection overlapped the face's true box by minIou. */
    missed: number;
    /** Detections that matched no placed face. */
    falsePositives: number;
    /** Detected against true boxes of the found faces. */
    boxNoise?: BoxNoise;
  };
  /** Samples left out, per reason. */
  skipped: Record<string, number>;
  seconds: number;
}

/** The detection that is the placed face: the best IoU with its true box, if at least minIou. */
function matchFace(boxes: FaceBox[], truth: { x: number; y: number; w: number; h: number }, minIou: number): { box?: FaceBox; others: number } {
  let best: FaceBox | undefined, bestIou = minIou;
  for (const b of boxes) {
    const iou = boxIou(b, truth);
    if (iou >= bestIou) { best = b; bestIou = iou; }
  }
  return { box: best, others: boxes.length - (best ? 1 : 0) };
}

/**
 * Measure `model` (optional: without it only the detector's boxes are measured) on every labelled
 * sample of `ds` through the chip and the camera path.
 */
export async function evaluateCameraPath(model: CropAgeModel | undefined, ds: Dataset, options: CameraPathOptions): Promise<CameraPathResult> {
  const seed = options.seed ?? DEFAULT_CAMERA_PATH.seed;
  const placements = options.placements ?? DEFAULT_CAMERA_PATH.placements;
  const minIou = options.minIou ?? DEFAULT_CAMERA_PATH.minIou;
  const batchSize = options.batchSize ?? DEFAULT_CAMERA_PATH.batchSize;
  const doChip = (options.chip ?? DEFAULT_CAMERA_PATH.chip) && model !== undefined;
  if (!Number.isInteger(placements) || placements < 1) throw new DataError(`placements must be a positive integer (got ${placements})`, { where: 'placements' });
  const unlabelled = ds.samples.find((s) => s.age === undefined || !Number.isFinite(s.age));
  if (unlabelled) throw new DataError('sample has no age, so the camera path cannot be scored on it', { where: unlabelled.path, hint: 'evaluate on a labelled dataset' });
  if (ds.samples.length === 0) throw new DataError('has no samples to evaluate', { where: ds.spec, hint: 'check the spec and its :split=' });

  const t0 = performance.now();
  const [h, w] = model?.inputSize ?? [0, 0];
  const samples: Sample[] = [];
  const skipped: Record<string, number> = {};
  const chipPred: number[] = [];
  const camPred: number[] = [];
  const pairs: BoxPair[] = [];
  let falsePositives = 0;
  // Crops waiting for the model, and where their ages go.
  let pending: { crop: Uint8Array; into: number[]; at: number }[] = [];
  const flush = async () => {
    if (!model || pending.length === 0) return;
    const ages = await model.predictCrops(pending.map((p) => p.crop));
    pending.forEach((p, i) => { p.into[p.at] = ages[i]; });
    pending = [];
  };

  const decode = (s: Sample) => readRgb(s.path).catch((err: unknown) => {
    if (err instanceof DataError) return err;
    throw err;
  });
  let next = decode(ds.samples[0]);
  for (let i = 0; i < ds.samples.length; i++) {
    const s = ds.samples[i];
    const img = await next;
    if (i + 1 < ds.samples.length) next = decode(ds.samples[i + 1]);
    if (img instanceof DataError) {
      const reason = /missing/.test(img.message) ? 'missing_file' : 'unreadable_image';
      skipped[reason] = (skipped[reason] ?? 0) + 1;
      continue;
    }
    const k = samples.length;
    samples.push(s);
    if (doChip) pending.push({ crop: cropFace(img, s.box ?? { x: 0, y: 0, w: img.width, h: img.height }, model!.crop, w, h), into: chipPred, at: k });
    for (let j = 0; j < placements; j++) {
      const { frame, faceBox } = renderCameraScene(img, s.box, new SeededRandom(mixSeeds(seed, i, j)), options);
      const boxes = await options.detector.detect({ index: k * placements + j, tMs: k * placements + j, width: frame.width, height: frame.height, rgb: frame.data });
      const { box, others } = matchFace(boxes, faceBox, minIou);
      falsePositives += others;
      camPred[k * placements + j] = NaN;
      if (!box) continue;
      pairs.push({ faceId: k, detected: box, truth: faceBox });
      if (model) {
        const [crop] = cropFaces({ index: 0, tMs: 0, width: frame.width, height: frame.height, rgb: frame.data }, [box], model);
        pending.push({ crop: crop.rgb, into: camPred, at: k * placements + j });
      }
    }
    if (pending.length >= batchSize) await flush();
    options.onProgress?.(i + 1, ds.samples.length);
  }
  await flush();

  const truths = Float32Array.from(samples, (s) => s.age!);
  const found = pairs.length;
  const result: CameraPathResult = {
    samples, truths, skipped, seconds: 0,
    camera: { placements, found, missed: samples.length * placements - found, falsePositives, boxNoise: boxNoise(pairs) },
  };
  if (doChip) {
    const predictions = Float32Array.from(chipPred);
    result.chip = { predictions, metrics: ageMetrics(predictions, truths) };
  }
  if (model) {
    const predictions = Float32Array.from({ length: samples.length * placements }, (_, q) => camPred[q] ?? NaN);
    result.camera.predictions = predictions;
    const idx = [...predictions.keys()].filter((q) => Number.isFinite(predictions[q]));
    if (idx.length > 0) {
      const t = Float32Array.from(idx, (q) => truths[Math.floor(q / placements)]);
      result.camera.metrics = ageMetrics(Float32Array.from(idx, (q) => predictions[q]), t);
      if (result.chip) result.camera.chipOnFound = ageMetrics(Float32Array.from(idx, (q) => result.chip!.predictions[Math.floor(q / placements)]), t);
    }
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}
