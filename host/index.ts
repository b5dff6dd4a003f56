/**
 * agekit/host: datasets, networks, training and distillation, evaluation, teachers and relabelling.
 *
 * @example
 * import { loadDataset, openAgePredictor, evaluateAgePredictor } from 'agekit/host';
 * const val = await loadDataset('utkface:../shared/data/utkface:split=val:limit=200');
 * const result = await evaluateAgePredictor(await openAgePredictor('samples/models/student.tflite'), val);
 * console.log(result.metrics.mae);
 */
// Datasets, named by spec (`utkface:<dir>:split=val`, `csv:<file>`, `vggface2:<dir>`, ...).
export { loadDataset, registerDatasetLoader, datasetLoaders, SHARED_OPTIONS, type DatasetLoader, type DatasetRef, type LoadDatasetOptions, type LoadedItems } from './data/load-dataset.ts';
export { parseDatasetSpec, type ParsedDatasetSpec } from './data/dataset-spec.ts';
export type { Dataset, Sample, SkipTally } from './data/dataset.ts';
export { batchStream, DEFAULT_BATCH_STREAM, type Batch, type BatchStreamOptions, type Augmentation } from './data/batch-stream.ts';
// Networks.
export { buildNet, listNets, netNames, getNet, countParams, countMultiplyAdds, DEX_BINS, type BuildNetOptions, type NetSpec } from './nets/index.ts';
// Training and checkpoints.
export { trainRun, type TrainRunOptions, type TrainRunResult } from './train/train-run.ts';
export { resolveTrainConfig, DEFAULT_TRAIN_CONFIG, type TrainConfig } from './train/train-config.ts';
export { parseLrSchedule, learningRateAt, type LrSchedule } from './train/lr-schedule.ts';
export { saveCheckpoint, loadCheckpoint, readCheckpointMetadata, type LoadedCheckpoint } from './checkpoint/checkpoint.ts';
export { finetuneAppa, DEFAULT_APPA_FINETUNE, type AppaFinetuneOptions, type AppaFinetuneResult } from './finetune/appa-finetune.ts';
export { finetuneAdience, DEFAULT_ADIENCE_FINETUNE, type AdienceFinetuneOptions, type AdienceFinetuneResult } from './finetune/adience-finetune.ts';
// Evaluation.
export { openAgePredictor, type OpenPredictorOptions } from './eval/open-predictor.ts';
export { tfjsAgePredictor, runnerAgePredictor, type AgePredictor } from './eval/age-predictor.ts';
export { evaluateAgePredictor, type EvaluateOptions, type EvalResult } from './eval/evaluate.ts';
export { ageMetrics, meanAbsoluteError, type AgeMetrics, type DecadeMetrics } from './eval/metrics.ts';
export { formatEvalTable, evalJson } from './eval/eval-report.ts';
// Teachers, relabelling and distillation.
export { loadTeacher, builtinTeacherNames, resolveTeacherDescriptor } from './distill/teacher-registry.ts';
export type { Teacher, TeacherPrediction } from './distill/teacher.ts';
export { parseTeacherDescriptor, type TeacherDescriptor } from './distill/teacher-descriptor.ts';
export { relabelSamples, type RelabelOptions, type RelabelResult } from './distill/relabel.ts';
export { distillRunTargets, type DistillRunOptions } from './distill/distill-run.ts';
// The tfjs backend used by all of the above.
export { initBackend, currentBackend, BACKEND_CHOICES, type BackendChoice, type BackendInfo } from '../core/backend/tfjs-backend.ts';
