/**
 * The device's face boxes for a dataset, computed once: each face is placed in camera frames
 * (renderCameraScene), the detector runs on them, and the detected box is mapped back into the
 * image's own pixels and averaged over the placements. Training then crops from these boxes, so
 * it sees the crops the device gives the model. The spread of the placements around each face's
 * mean box is the detector's frame-to-frame noise, which box-jitter augmentation imitates.
 *
 * @example
 * const r = await detectDatasetBoxes(ds, { detector, placements: 2 });
 * await writeDetectorBoxes(r, 'train-boxes.csv'); // then: agekit train --dataset csv:train-boxes.csv
 */
import type { Box } from '../../core/contract/face-crop.ts';
import { writeFileAtomic } from '../../core/atomic-file.ts';
import { DataError } from '../../core/errors.ts';
import type { Detector } from '../../device/stages.ts';
import { boxIou, boxNoise, boxNoiseJson, type BoxNoise, type BoxPair } from '../eval/box-noise.ts';
import { renderCameraScene, type CameraSceneOptions } from '../eval/camera-scene.ts';
import { readRgb } from '../../core/images.ts';
import type { Dataset, Sample } from './dataset.ts';
import { mixSeeds, SeededRandom } from './seeded-random.ts';

export interface DetectBoxesOptions extends CameraSceneOptions {
  detector: Detector;
  /** Frames per face; the cached box is their mean. Default 2. */
  placements?: number;
  /** Scene seed: sample i, placement j is drawn from mixSeeds(seed, i, j). Default 0. */
  seed?: number;
  /** A detection is the face when its IoU with the true box is at least this. Default 0.3. */
  minIou?: number;
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_DETECT_BOXES = { placements: 2, seed: 0, minIou: 0.3 } as const;

/** One face's cached box. */
export interface DetectedBox {
  sample: Sample;
  /** Mean detected box in the image's pixels; for a face never found, the mean relative box of the found faces. */
  box: Box;
  /** Placements in which the detector found the face (0: `box` is the fallback). */
  found: number;
  /** Mean detector score over the found placements (0 when never found). */
  score: number;
}

export interface DetectBoxesResult {
  boxes: DetectedBox[];
  placements: number;
  /** Detected against true boxes in the frames, every found placement (withinFaceSd: the frame-to-frame part). */
  noise?: BoxNoise;
  /** Samples whose image could not be read, per reason. */
  skipped: Record<string, number>;
}

/** Map a box from frame pixels back to the image: the face was pasted at `placed` from `source`. */
function toImage(b: Box, placed: Box, source: Box): Box {
  const s = source.w / placed.w;
  return { x: source.x + (b.x - placed.x) * s, y: source.y + (b.y - placed.y) * s, w: b.w * s, h: b.h * s };
}

/** Detect every sample's face in `placements` camera frames and cache the mean box in image pixels. */
export async function detectDatasetBoxes(ds: Dataset, o: DetectBoxesOptions): Promise<DetectBoxesResult> {
  const placements = o.placements ?? DEFAULT_DETECT_BOXES.placements;
  const seed = o.seed ?? DEFAULT_DETECT_BOXES.seed;
  const minIou = o.minIou ?? DEFAULT_DETECT_BOXES.minIou;
  if (!Number.isInteger(placements) || placements < 1) throw new DataError(`placements must be a positive integer (got ${placements})`, { where: 'placements' });
  const out: (DetectedBox & { source: Box })[] = [];
  const pairs: BoxPair[] = [];
  const skipped: Record<string, number> = {};
  for (let i = 0; i < ds.samples.length; i++) {
    const s = ds.samples[i];
    let img;
    try { img = await readRgb(s.path); } catch (err) {
      if (!(err instanceof DataError)) throw err;
      const reason = /missing/.test(err.message) ? 'missing_file' : 'unreadable_image';
      skipped[reason] = (skipped[reason] ?? 0) + 1;
      continue;
    }
    const source = s.box ?? { x: 0, y: 0, w: img.width, h: img.height };
    const sum = { x: 0, y: 0, w: 0, h: 0 };
    let found = 0, score = 0;
    for (let j = 0; j < placements; j++) {
      const { frame, faceBox } = renderCameraScene(img, s.box, new SeededRandom(mixSeeds(seed, i, j)), o);
      const dets = await o.detector.detect({ index: j, tMs: j, width: frame.width, height: frame.height, rgb: frame.data });
      let best, bestIou = minIou;
      for (const d of dets) { const iou = boxIou(d, faceBox); if (iou >= bestIou) { best = d; bestIou = iou; } }
      if (!best) continue;
      pairs.push({ faceId: i, detected: best, truth: faceBox });
      const b = toImage(best, faceBox, source);
      sum.x += b.x; sum.y += b.y; sum.w += b.w; sum.h += b.h;
      found++; score += best.score;
    }
    const box = found ? { x: sum.x / found, y: sum.y / found, w: sum.w / found, h: sum.h / found } : source;
    out.push({ sample: s, box, found, score: found ? score / found : 0, source });
    o.onProgress?.(i + 1, ds.samples.length);
  }
  const noise = boxNoise(pairs);
  // A face never found gets the typical detector box relative to its true box, not the bare true box.
  if (noise) {
    for (const d of out) {
      if (d.found > 0) continue;
      const side = Math.max(d.source.w, d.source.h), w = side * noise.scale.mean;
      const cx = d.source.x + d.source.w / 2 + noise.dx.mean * side, cy = d.source.y + d.source.h / 2 + noise.dy.mean * side;
      d.box = { x: cx - w / 2, y: cy - w / 2, w, h: w };
    }
  }
  return { boxes: out.map(({ source: _source, ...d }) => d), placements, noise, skipped };
}

/** `format` of the sidecar of a boxes CSV. */
export const DETECTOR_BOXES_FORMAT = 'agekit-boxes';

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * Write the boxes as a `csv:` label file (`path,age,split,x,y,w,h,found,score`, absolute paths)
 * and a `.json` sidecar with the detector, scene settings and the measured box noise.
 */
export async function writeDetectorBoxes(r: DetectBoxesResult, file: string, about: Record<string, unknown>): Promise<void> {
  const rows = r.boxes.map((d) => [
    csvCell(d.sample.path), d.sample.age ?? '', csvCell(d.sample.split ?? ''),
    d.box.x.toFixed(2), d.box.y.toFixed(2), d.box.w.toFixed(2), d.box.h.toFixed(2), d.found, d.score.toFixed(3),
  ].join(','));
  await writeFileAtomic(file, ['path,age,split,x,y,w,h,found,score', ...rows].join('\n') + '\n');
  // The format marks the CSV as agekit's own: its absolute paths are read as written (see the csv: loader).
  const sidecar = {
    format: DETECTOR_BOXES_FORMAT, ...about, placements: r.placements, faces: r.boxes.length, never_found: r.boxes.filter((d) => d.found === 0).length,
    skipped: r.skipped, box_noise: r.noise ? boxNoiseJson(r.noise) : null,
  };
  await writeFileAtomic(file.replace(/\.csv$/i, '') + '.json', JSON.stringify(sidecar, null, 2) + '\n');
}
