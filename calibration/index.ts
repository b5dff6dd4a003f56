/**
 * agekit/calibration: representative sets for int8 quantization, activation-range methods, and
 * age-output calibration (isotonic or per-decade bias) written into a model's metadata.
 *
 * @example
 * import { buildRepresentativeSet, fitAgeCalibration } from 'agekit/calibration';
 */
export { buildRepresentativeSet, type BuildSetOptions, type BuiltSet } from './build-representative-set.ts';
export { openRepresentativeSet, writeRepresentativeSet, isRepresentativeSetDir, type RepresentativeSetDir, type RepresentativeSetManifest } from '../core/contract/representative-set-dir.ts';
export { checkRepresentativeSet, type RepresentativeSet } from './representative-set.ts';
export { stratifiedSample, type StratifiedSample } from './stratified-sample.ts';
export { createRangeObserver, CALIBRATION_METHODS, DEFAULT_RANGE_OBSERVER, type CalibrationMethod, type RangeObserver, type RangeObserverOptions } from './ranges/range-observer.ts';
export { fitAgeCalibration, applyAgeCalibration, AGE_CALIBRATION_METHODS, DEFAULT_FIT_AGE_CALIBRATION, type AgeCalibrationFit, type AgeCalibrationMethod, type FitAgeCalibrationOptions } from './fit-age-calibration.ts';
export { predictRawAges, openRawAgePredictor, type PredictRawOptions } from './predict-raw-ages.ts';
export { readModelMetadata, writeModelMetadata, type ModelMetadataFile } from './model-metadata-file.ts';
export { formatCalibrationTable, calibrationJson } from './age-calibration-report.ts';
