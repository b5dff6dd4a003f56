/**
 * BlazeFace over any opened ModelRunner (MediaPipe's full-range "back" model, 256x256, as shipped in
 * @vladmandic/human and converted to .tflite by agekit): letterbox the frame, run the model
 * through any ModelRunner, decode the 896 anchors and suppress overlaps in TypeScript.
 *
 * Model contract (read from human's blazeface.ts): input [1, 256, 256, 3] RGB in -1..1; outputs
 * scores [1, 512, 1] and [1, 384, 1] (logits) and regressors [1, 512, 16] and [1, 384, 16]:
 * (dx, dy, w, h, then 6 keypoints) in input pixels, the centre relative to the anchor. A
 * single-output variant [1, 896, 17] (score first) is accepted too. Outputs are told apart by
 * size, so the order a converter writes them in does not matter.
 *
 * This file imports nothing of Node: the browser kiosk's page bundles it with its own runner
 * (device/kiosk/page). Opening a model file is BlazeFaceDetector.create (blazeface-detector.ts).
 *
 * @example
 * const detector = BlazeFaceModel.fromRunner(runner, 'blazeface.tflite', { minFacePx: 40 });
 * const faces = await detector.detect(frame);
 */
import { ModelFormatError } from '../../core/errors.ts';
import type { ModelRunner } from '../../core/runtime/model-runner.ts';
import type { Detector, FaceBox, Frame } from '../stages.ts';
import { blazeFaceAnchors } from './blazeface-anchors.ts';
import { letterbox, planLetterbox, type LetterboxMap, type LetterboxPlan } from './letterbox.ts';
import { nonMaxSuppression } from './non-max-suppression.ts';
import { withDefaults } from '../option-defaults.ts';
import { nowMs, type StagePartTimer } from '../stage-clock.ts';

export interface BlazeFaceOptions {
  /** Minimum face score, 0..1. Default 0.5. */
  minScore?: number;
  /** Overlap above which the weaker of two boxes is dropped. Default 0.3. */
  iouThreshold?: number;
  /** At most this many faces per frame. Default 20. */
  maxFaces?: number;
  /** Faces narrower than this (frame pixels) are ignored. Default 0. */
  minFacePx?: number;
}

export const DEFAULT_BLAZEFACE: Required<BlazeFaceOptions> = { minScore: 0.5, iouThreshold: 0.3, maxFaces: 20, minFacePx: 0 };

/** Where the scores and regressors of each anchor are in the model outputs. */
interface OutputLayout { scores: Array<{ out: number; count: number }>; boxes: Array<{ out: number; count: number; stride: number }> }

/** Decoded, suppressed faces from raw BlazeFace outputs, in input pixels (before the letterbox map). */
export function decodeBlazeFace(outputs: Float32Array[], layout: OutputLayout, anchors: Float32Array, minScore: number, iouThreshold: number, maxFaces: number): FaceBox[] {
  const logitMin = Math.log(minScore / (1 - minScore));
  const found: FaceBox[] = [];
  let anchor = 0;
  for (let part = 0; part < layout.scores.length; part++) {
    const s = outputs[layout.scores[part].out];
    const b = layout.boxes[part];
    const r = outputs[b.out];
    // One combined output: [score, dx, dy, w, h, ...] per anchor; otherwise separate tensors.
    const combined = layout.scores[part].out === b.out;
    const sStride = combined ? b.stride : 1;
    const rOff = combined ? 1 : 0;
    for (let i = 0; i < b.count; i++, anchor++) {
      const logit = s[i * sStride];
      if (!(logit >= logitMin)) continue;
      const o = i * b.stride + rOff;
      const cx = anchors[anchor * 2] + r[o], cy = anchors[anchor * 2 + 1] + r[o + 1];
      const w = r[o + 2], h = r[o + 3];
      if (!(w > 0 && h > 0)) continue;
      const face: FaceBox = { x: cx - w / 2, y: cy - h / 2, w, h, score: 1 / (1 + Math.exp(-Math.max(-80, Math.min(80, logit)))) };
      // Keypoints, like the box centre, are offsets from the anchor; only when the regressor has all 6 (4 + 12 values).
      if (b.stride - rOff >= 16) {
        face.keypoints = [];
        for (let k = 0; k < 6; k++) face.keypoints.push({ x: anchors[anchor * 2] + r[o + 4 + 2 * k], y: anchors[anchor * 2 + 1] + r[o + 5 + 2 * k] });
      }
      found.push(face);
    }
  }
  return nonMaxSuppression(found, iouThreshold, maxFaces).map((i) => found[i]);
}

/** Work out which output is which from element counts (converters may reorder outputs). */
export function blazeFaceLayout(lengths: number[], anchors: number, where: string): OutputLayout {
  if (lengths.length === 1 && lengths[0] % anchors === 0 && lengths[0] / anchors >= 5) {
    const stride = lengths[0] / anchors;
    return { scores: [{ out: 0, count: anchors }], boxes: [{ out: 0, count: anchors, stride }] };
  }
  const fine = (anchors * 512) / 896, coarse = (anchors * 384) / 896;
  const find = (n: number) => lengths.findIndex((l) => l === n);
  const sFine = find(fine), sCoarse = find(coarse);
  // The two regressor outputs have the same values per anchor (16: box and 6 keypoints).
  let bFine = -1, bCoarse = -1;
  lengths.forEach((l, i) => lengths.forEach((m, j) => {
    if (i !== j && i !== sFine && i !== sCoarse && j !== sFine && j !== sCoarse && l / fine === m / coarse && Number.isInteger(l / fine) && l / fine >= 4) { bFine = i; bCoarse = j; }
  }));
  if (lengths.length !== 4 || [sFine, sCoarse, bFine, bCoarse].some((i) => i < 0)) {
    throw new ModelFormatError(`model outputs do not look like BlazeFace (element counts ${lengths.join(', ')})`, {
      where, hint: `expected scores of ${fine} and ${coarse} anchors and their regressors, or one [${anchors}, 17] output`,
    });
  }
  return {
    scores: [{ out: sFine, count: fine }, { out: sCoarse, count: coarse }],
    boxes: [{ out: bFine, count: fine, stride: lengths[bFine] / fine }, { out: bCoarse, count: coarse, stride: lengths[bCoarse] / coarse }],
  };
}

export class BlazeFaceModel implements Detector {
  readonly id: string;
  private readonly o: Required<BlazeFaceOptions>;
  private readonly anchors: Float32Array;
  private readonly input: Float32Array;
  /** Where prepareInput wrote: the runner's input array, or `input`. */
  private target: Float32Array;
  /** Letterbox tables for the current frame size (recomputed when it changes). */
  private plan?: LetterboxPlan;
  private layout?: OutputLayout;

  protected constructor(private readonly runner: ModelRunner, readonly inputSize: number, id: string, options: BlazeFaceOptions) {
    this.o = withDefaults(DEFAULT_BLAZEFACE, options);
    this.anchors = blazeFaceAnchors(inputSize);
    this.input = new Float32Array(inputSize * inputSize * 3);
    this.target = this.input;
    this.id = id;
  }

  /** Wrap an already opened runner (tests, custom runtimes, the kiosk's page) and check that it is BlazeFace-shaped. */
  static fromRunner(runner: ModelRunner, where: string, options: BlazeFaceOptions = {}): BlazeFaceModel {
    const shape = runner.inputs[0]?.shape ?? [];
    if (runner.inputs.length !== 1 || shape.length !== 4 || shape[1] !== shape[2] || shape[3] !== 3) {
      throw new ModelFormatError(`detector input is not [1, n, n, 3] (got ${JSON.stringify(runner.inputs.map((i) => i.shape))})`, { where, hint: 'give the BlazeFace model' });
    }
    // `new this`: BlazeFaceDetector.fromRunner makes a BlazeFaceDetector.
    const detector = new this(runner, shape[1], `blazeface:${runner.runtime}`, options);
    // Check the outputs now (where the runtime knows their shapes), while the error can name the file: a wrong model (an age model given
    // as --detector) would otherwise fail on every frame instead of once at start.
    const perItem = runner.outputs.map((o) => o.shape.slice(1).reduce((a, d) => a * d, 1));
    if (runner.outputs.every((o) => o.shape.length >= 2 && o.shape.slice(1).every((d) => Number.isInteger(d) && d > 0))) {
      detector.layout = blazeFaceLayout(perItem, detector.anchors.length / 2, where);
    }
    return detector;
  }

  /** The runner underneath, for reports. */
  get modelRunner(): ModelRunner {
    return this.runner;
  }

  /**
   * Letterbox the frame into the model input: in place in the runner's own input array when it
   * offers one (native TFLite, TFLite WASM), saving a 256x256x3 float copy per frame.
   * @returns the map from input pixels back to frame pixels, for {@link decodeFaces}
   */
  prepareInput(frame: Frame): LetterboxMap {
    this.target = this.runner.inputArray?.(0) ?? this.input;
    if (!this.plan || this.plan.width !== frame.width || this.plan.height !== frame.height) this.plan = planLetterbox(frame.width, frame.height, this.inputSize);
    return letterbox({ width: frame.width, height: frame.height, data: frame.rgb }, this.inputSize, -1, 1, this.target, this.plan).map;
  }

  /** Run the model on the input {@link prepareInput} filled: the raw BlazeFace outputs. */
  async infer(): Promise<Float32Array[]> {
    return this.runner.run([this.target], 1);
  }

  /** Anchor decoding, suppression and the map back to frame pixels, boxes clipped to the frame (keypoints are not). */
  decodeFaces(outputs: Float32Array[], map: LetterboxMap, frame: Pick<Frame, 'width' | 'height'>): FaceBox[] {
    this.layout ??= blazeFaceLayout(outputs.map((o) => o.length), this.anchors.length / 2, this.id);
    const faces = decodeBlazeFace(outputs, this.layout, this.anchors, this.o.minScore, this.o.iouThreshold, this.o.maxFaces);
    const out: FaceBox[] = [];
    for (const f of faces) {
      let x = (f.x - map.padX) / map.scale, y = (f.y - map.padY) / map.scale;
      let x2 = x + f.w / map.scale, y2 = y + f.h / map.scale;
      x = Math.max(0, x); y = Math.max(0, y); x2 = Math.min(frame.width, x2); y2 = Math.min(frame.height, y2);
      const w = x2 - x, h = y2 - y;
      if (w <= 0 || h <= 0 || Math.max(w, h) < this.o.minFacePx) continue;
      const face: FaceBox = { x, y, w, h, score: f.score };
      if (f.keypoints) face.keypoints = f.keypoints.map((p) => ({ x: (p.x - map.padX) / map.scale, y: (p.y - map.padY) / map.scale }));
      out.push(face);
    }
    return out;
  }

  /**
   * Faces in frame pixels, best first: {@link prepareInput}, {@link infer}, {@link decodeFaces}.
   * With `parts`, the time of each is reported as `input`, `infer` and `decode`.
   */
  async detect(frame: Frame, parts?: StagePartTimer): Promise<FaceBox[]> {
    if (!parts) {
      const map = this.prepareInput(frame);
      return this.decodeFaces(await this.infer(), map, frame);
    }
    let t = nowMs();
    const map = this.prepareInput(frame);
    parts.add('input', nowMs() - t);
    t = nowMs();
    const raw = await this.infer();
    parts.add('infer', nowMs() - t);
    t = nowMs();
    const faces = this.decodeFaces(raw, map, frame);
    parts.add('decode', nowMs() - t);
    return faces;
  }

  async close(): Promise<void> {
    await this.runner.close();
  }
}
