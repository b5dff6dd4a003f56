// agekit/calibration: fit an age calibration on a model's raw predictions and write it into the model.
import { loadDataset } from 'agekit/host';
import { predictRawAges, fitAgeCalibration, formatCalibrationTable, readModelMetadata, writeModelMetadata } from 'agekit/calibration';

const model = 'student-int8.tflite';
const val = await loadDataset('utkface:../shared/data/utkface:split=val');
const raw = await predictRawAges(model, val);
const fit = fitAgeCalibration(raw.predictions, raw.truths, { method: 'auto', fittedOn: 'utkface val' });
console.log(formatCalibrationTable(fit));
const file = await readModelMetadata(model);
await writeModelMetadata(file, { ...file.meta, ageCalibration: fit.calibration }, 'student-calibrated.tflite');
