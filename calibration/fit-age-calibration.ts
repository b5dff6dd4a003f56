/**
 * Fit an age-output calibration and measure it honestly: split the (prediction, truth) pairs
 * into a fitting part and a held-apart part (seeded), fit isotonic regression and per-decade
 * bias on the first, score both on the second, and keep the one asked for (`auto`: the lower
 * held-apart MAE). Metrics before and after are on the held-apart part only.
 *
 * @example
 * const r = fitAgeCalibration(predictions, truths, { method: 'auto', holdout: 0.3, seed: 0 });
 * console.log(r.chosen, r.before.mae, r.after.mae); // r.calibration goes into ModelMetadata.ageCalibration
 */
import { DataError } from '../core/errors.ts';
import { calibrateAge, type AgeCalibration } from '../core/contract/model-metadata.ts';
import { SeededRandom } from '../host/data/seeded-random.ts';
import { ageMetrics, type AgeMetrics } from '../host/eval/metrics.ts';
import { fitIsotonic } from './isotonic-regression.ts';
import { fitDecadeBias } from './decade-bias.ts';

export type AgeCalibrationMethod = 'auto' | 'isotonic' | 'decade_bias';
export const AGE_CALIBRATION_METHODS: readonly AgeCalibrationMethod[] = ['auto', 'isotonic', 'decade_bias'];

export interface FitAgeCalibrationOptions {
  /** Default `auto`. */
  method?: AgeCalibrationMethod;
  /** Share (0..1, exclusive) of pairs held apart for scoring. Default 0.3. */
  holdout?: number;
  /** Seed of the split. Default 0. */
  seed?: number;
  /** Recorded as `fittedOn` in the calibration (e.g. the dataset spec). */
  fittedOn?: string;
}

export const DEFAULT_FIT_AGE_CALIBRATION = { method: 'auto', holdout: 0.3, seed: 0 } as const;

export interface AgeCalibrationFit {
  /** The calibration kept (goes into the model's metadata). */
  calibration: AgeCalibration;
  chosen: 'isotonic' | 'decade_bias';
  /** Held-apart MAE of each candidate fitted. */
  candidates: { kind: 'isotonic' | 'decade_bias'; heldApartMae: number }[];
  nFit: number;
  nHeldApart: number;
  /** Held-apart metrics of the raw predictions, and after the kept calibration. */
  before: AgeMetrics;
  after: AgeMetrics;
}

/** Apply a calibration to every prediction (a new array). */
export function applyAgeCalibration(pred: ArrayLike<number>, cal: AgeCalibration): Float32Array {
  return Float32Array.from(pred, (p) => calibrateAge(p, cal));
}

/** Split indices 0..n-1 into fit and held-apart parts, seeded; both in ascending order. */
export function splitForCalibration(n: number, holdout: number, seed: number): { fit: number[]; heldApart: number[] } {
  if (!(holdout > 0 && holdout < 1)) throw new DataError(`holdout ${holdout} is not between 0 and 1`, { where: '--holdout', hint: 'hold apart a share such as 0.3' });
  const shuffled = new SeededRandom(seed).shuffle(Array.from({ length: n }, (_, i) => i));
  const nHeld = Math.round(n * holdout);
  if (nHeld < 1 || n - nHeld < 1) throw new DataError(`${n} labelled faces cannot be split into fitting and held-apart parts with holdout ${holdout}`, { where: '--holdout', hint: 'use more faces (a few hundred at least)' });
  return { heldApart: shuffled.slice(0, nHeld).sort((a, b) => a - b), fit: shuffled.slice(nHeld).sort((a, b) => a - b) };
}

/** Fit and choose a calibration (see module doc). Arrays hold one raw (uncalibrated) prediction and one true age per face. */
export function fitAgeCalibration(pred: ArrayLike<number>, truth: ArrayLike<number>, options: FitAgeCalibrationOptions = {}): AgeCalibrationFit {
  const o = { ...DEFAULT_FIT_AGE_CALIBRATION, ...options };
  if (pred.length !== truth.length) throw new DataError(`${pred.length} predictions for ${truth.length} true ages`, { where: 'fitAgeCalibration', hint: 'pass one prediction per face' });
  const { fit, heldApart } = splitForCalibration(pred.length, o.holdout, o.seed);
  const pick = (a: ArrayLike<number>, idx: number[]) => Float32Array.from(idx, (i) => a[i]);
  const fitP = pick(pred, fit), fitT = pick(truth, fit), heldP = pick(pred, heldApart), heldT = pick(truth, heldApart);
  const kinds = o.method === 'auto' ? (['isotonic', 'decade_bias'] as const) : [o.method];
  const fitted = kinds.map((kind) => {
    const cal: AgeCalibration = kind === 'isotonic' ? fitIsotonic(fitP, fitT) : fitDecadeBias(fitP, fitT);
    if (options.fittedOn) cal.fittedOn = options.fittedOn;
    const after = ageMetrics(applyAgeCalibration(heldP, cal), heldT);
    return { kind, cal, after };
  });
  const best = fitted.reduce((a, b) => (b.after.mae < a.after.mae ? b : a));
  return {
    calibration: best.cal, chosen: best.kind,
    candidates: fitted.map((f) => ({ kind: f.kind, heldApartMae: f.after.mae })),
    nFit: fit.length, nHeldApart: heldApart.length,
    before: ageMetrics(heldP, heldT), after: best.after,
  };
}
