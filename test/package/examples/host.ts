// agekit/host: train a small student on UTKFace for one short epoch, then score it on val.
import { initBackend, loadDataset, resolveTrainConfig, trainRun, openAgePredictor, evaluateAgePredictor } from 'agekit/host';

const backend = await initBackend('wasm');
const utk = '../shared/data/utkface';
const config = resolveTrainConfig({
  net: 'mobilenet64', dataset: `utkface:${utk}:split=train:limit=2000`, valDataset: `utkface:${utk}:split=val:limit=300`,
  epochs: 1, batchSize: 32,
});
const train = await loadDataset(config.dataset), val = await loadDataset(config.valDataset);
const run = await trainRun({ config, outDir: 'runs/example', train, val, backend: backend.name, log: console.error });
const result = await evaluateAgePredictor(await openAgePredictor(run.outDir), val);
console.log(`val MAE ${result.metrics.mae.toFixed(2)} on ${result.metrics.n} faces`);
