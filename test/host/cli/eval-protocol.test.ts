import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../../../device/backend/tfjs-backend.ts';
import { runEvalProtocol } from '../../../host/cli/eval-protocol.ts';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import { evaluateAgePredictor } from '../../../host/eval/evaluate.ts';
import { faceApiPredictor } from '../eval/protocol/faceapi-predictor.ts';
import { dataTest, utkfaceDir } from '../../support/shared-data.ts';

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
