import test from 'ava';
import { LAYERS, layerCycles, readImportEdges, upwardImports, type ImportEdge } from './import-graph.ts';
import { projectRoot } from '../support/shared-data.ts';

const edges = readImportEdges(projectRoot);
const show = (es: ImportEdge[]) => es.map((e) => `${e.from} -> ${e.to}`).join('\n');

test(`imports only go down the layers ${LAYERS.join(' < ')}`, (t) => {
  t.true(edges.length > 500, `only ${edges.length} imports read: is the graph reader broken?`);
  t.is(show(upwardImports(edges)), '', 'these imports go up a layer');
});

test('no cycle between top-level folders', (t) => {
  t.deepEqual(layerCycles(edges), []);
});

test('the checks find an upward import and a cycle when there is one', (t) => {
  const fake: ImportEdge[] = [
    { from: 'core/a.ts', to: 'device/b.ts', fromLayer: 'core', toLayer: 'device' },
    { from: 'device/b.ts', to: 'core/a.ts', fromLayer: 'device', toLayer: 'core' },
  ];
  t.is(upwardImports(fake).length, 1);
  t.deepEqual(layerCycles(fake), [['core', 'device', 'core']]);
});

test('every layer is used by the ones above it: host, converters and calibration reach the shared core directly', (t) => {
  const pairs = new Set(edges.map((e) => `${e.fromLayer}>${e.toLayer}`));
  for (const l of ['device', 'host', 'calibration', 'converters', 'cli']) t.true(pairs.has(`${l}>core`), `${l} imports nothing from core`);
});
