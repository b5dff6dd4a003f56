import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../../core/backend/tfjs-backend.ts';
import { datasetProtocolMetrics, runEvalProtocol } from '../../cli/eval-protocol.ts';
import type { EvalResult } from '../../host/eval/evaluate.ts';
import { ageMetrics } from '../../host/eval/metrics.ts';
import { loadDataset } from '../../host/data/load-dataset.ts';
import { evaluateAgePredictor } from '../../host/eval/evaluate.ts';
import { faceApiPredictor } from '../host/eval/protocol/faceapi-predictor.ts';
import { dataTest, utkfaceDir } from '../support/shared-data.ts';

test.before(async () => { await initBackend('wasm'); });

dataTest(test)('eval protocol flags write the error-by-age plot and the corruption bar plot and add both to the JSON fields', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-evalp-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const dataset = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=6:seed=1`);
  const predictor = await faceApiPredictor();
  try {
    const result = await evaluateAgePredictor(predictor, dataset, { batchSize: 6 });
    const json = join(dir, 'val.json');
    const extra = await runEvalProtocol({ json, batch: 6, errorPlot: join(dir, 'age.png'), corruptions: ['jpeg_compression'], severities: [5], corruptionSeed: 0 }, result, predictor, dataset);
    t.is(extra.error_plot, join(dir, 'age.png'));
    const c = extra.corruptions as { clean_mae: number; plot: string; by_corruption: Record<string, { mae: number[] }> };
    t.is(c.plot, join(dir, 'val-corruptions.png'));
    // The clean MAE of the corruption run is the plain evaluation's MAE (same crops, same model).
    t.true(Math.abs(c.clean_mae - result.metrics.mae) < 1e-3, `${c.clean_mae} vs ${result.metrics.mae}`);
    t.is(c.by_corruption.jpeg_compression.mae.length, 1);
    for (const png of [join(dir, 'age.png'), c.plot]) t.is((await sharp(png).metadata()).format, 'png');
  } finally {
    await predictor.close();
  }
});

function resultOf(pred: number[], truth: number[], extra: object[]): EvalResult {
  const predictions = Float32Array.from(pred), truths = Float32Array.from(truth);
  return { metrics: ageMetrics(predictions, truths), predictions, truths, samples: extra.map((e, i) => ({ path: `f${i}.jpg`, age: truth[i], ...e })), skipped: {}, seconds: 1, imagesPerSecond: 1, pipelineImagesPerSecond: 1 };
}

test('APPA-style samples (with an apparent-age std) get the epsilon-error; Adience-style samples the group accuracy', (t) => {
  // epsilon: (30 vs 25, sd 5) -> 1 - e^-0.5 = 0.39347; (20 vs 20) -> 0 ; mean 0.196735
  const appa = datasetProtocolMetrics(resultOf([30, 20], [25, 20], [{ ageStd: 5 }, { ageStd: 3 }]));
  t.true(Math.abs((appa.json.epsilon_error as number) - 0.19673467014368329) < 1e-6);
  t.is(appa.json.adience, undefined);
  // Adience: predictions 1 (group 0), 30 (group 4), 45 (nearest group 38-43, 5); true groups 0, 5, 5: exact 2/3, 1-off 3/3.
  const adience = datasetProtocolMetrics(resultOf([1, 30, 45], [1, 40.5, 40.5], [{ ageGroup: 0 }, { ageGroup: 5 }, { ageGroup: 5 }]));
  const a = adience.json.adience as { exact: number; one_off: number; confusion: number[][] };
  t.true(Math.abs(a.exact - 2 / 3) < 1e-12);
  t.is(a.one_off, 1);
  t.is(a.confusion[5][4], 1);
  t.is(a.confusion[5][5], 1);
  t.is(datasetProtocolMetrics(resultOf([1], [2], [{}])).lines.length, 0);
});
