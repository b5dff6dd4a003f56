// `agekit nets`: the table and JSON agree with the networks' own counts; unknown names exit 2 listing the names.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { projectRoot } from '../support/shared-data.ts';
import { describeNets, formatNetTable } from '../../cli/nets.ts';
import { buildNet, countMultiplyAdds, countParams, listNets } from '../../host/nets/index.ts';

function agekit(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: projectRoot, encoding: 'utf8' });
}

test.before(async () => {
  await tf.setBackend('cpu');
});

test('describeNets measures each network with the chosen head, and the table prints one aligned row each', (t) => {
  const rows = describeNets('dex', ['mobilenet64', 'edgenet']);
  t.deepEqual(rows.map((r) => r.name), ['mobilenet64', 'edgenet']);
  for (const r of rows) {
    const model = buildNet(r.name, { head: 'dex' });
    t.is(r.params, countParams(model));
    t.is(r.trainableParams, countParams(model, { trainableOnly: true }));
    t.is(r.multiplyAdds, countMultiplyAdds(model));
    t.is(r.head, 'dex');
    model.dispose();
  }
  const lines = formatNetTable(rows).split('\n');
  t.is(lines.length, 3);
  t.regex(lines[0], /^net\s+input\s+params\s+MACs\s+description$/);
  t.regex(lines[1], new RegExp(`^mobilenet64\\s+64x64x3\\s+${(rows[0].params / 1e6).toFixed(2)} M\\s+${(rows[0].multiplyAdds / 1e6).toFixed(1)} M\\s+MobileNetV2`));
  t.is(lines[1].indexOf('64x64x3'), lines[2].indexOf('80x80x3'), 'columns are aligned');
});

test('agekit nets --json prints the rows on stdout and the backend on stderr', (t) => {
  const r = agekit('nets', '--net', 'mobilenet64', '--net', 'mobilenetv3small112', '--json', '--backend', 'cpu');
  t.is(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout);
  t.deepEqual(rows.map((x: { name: string }) => x.name), ['mobilenet64', 'mobilenetv3small112']);
  t.deepEqual(rows[1].inputSize, [112, 112]);
  t.is(rows[0].head, 'regression');
  t.true(rows.every((x: { params: number; multiplyAdds: number }) => x.params > 0 && x.multiplyAdds > 0));
  t.regex(r.stderr, /backend cpu: tfjs-backend-cpu/);
});

test('agekit nets with an unknown name exits 2 and lists the known networks', (t) => {
  const r = agekit('nets', '--net', 'resnet51', '--backend', 'cpu');
  t.is(r.status, 2);
  t.regex(r.stderr, /--net: unknown network "resnet51"; use one of /);
  for (const n of listNets()) t.true(r.stderr.includes(n.name));
  t.is(r.stdout, '');
});
