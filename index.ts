/**
 * agekit: the package's main entry is the device runtime (the API most users need on a camera);
 * training, conversion and calibration have their own entries: agekit/host, agekit/converters,
 * agekit/calibration.
 *
 * @example
 * import { createPipeline } from 'agekit';
 */
export * from './device/index.ts';
