// agekit train against a bad resume state (missing, cut, tampered) and a full disk (a real tmpfs).
import test from 'ava';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataTest, projectRoot, requireUtkface, utkfaceDir } from '../../support/shared-data.ts';
import { mountSmallDisk } from '../../support/tmpfs.ts';
import { runCli } from '../../device/support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'agekit-train-faults-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const agekit = (args: string[]) => runCli(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli', 'main.ts'), ...args], { cwd: projectRoot, timeoutMs: 300_000 });
const trainArgs = (out: string) => ['train', '--net', 'mobilenet64', '--head', 'dex', '--optimizer', 'adam',
  '--dataset', `utkface:${utkfaceDir()}:split=train:limit=16:seed=2`, '--val-dataset', `utkface:${utkfaceDir()}:split=val:limit=8:seed=2`,
  '--batch', '16', '--training-epochs', '1', '--augmentation', 'no', '--backend', 'wasm', '--out', out];

dataTest(test.serial)('train --resume names a missing, cut or tampered last/train-state.json and what to do, and changes nothing', async (t) => {
  if (!requireUtkface(t)) return;
  const run = join(dir, 'run');
  const first = await agekit(trainArgs(run));
  t.is(first.code, 0, first.stderr);
  const cases: Array<[string, (file: string) => void, RegExp]> = [
    ['missing', (f) => rmSync(f), /train-state\.json: the resume state is missing: last\/ is incomplete; delete .*last to train again from epoch 1/],
    ['cut', (f) => writeFileSync(f, readFileSync(f, 'utf8').slice(0, 9)), /train-state\.json: the resume state is not valid JSON/],
    ['tampered', (f) => writeFileSync(f, JSON.stringify({ ...JSON.parse(readFileSync(f, 'utf8')), epoch: -7 })), /train-state\.json: the resume state is not one agekit wrote: epoch -7 is not a completed epoch/],
  ];
  for (const [name, spoil, message] of cases) {
    const copy = join(dir, `run-${name}`);
    cpSync(run, copy, { recursive: true });
    spoil(join(copy, 'last', 'train-state.json'));
    const metrics = readFileSync(join(copy, 'metrics.jsonl'), 'utf8');
    const r = await agekit(['train', '--out', copy, '--resume', '--backend', 'wasm', '--training-epochs', '2']);
    t.is(r.code, 1, `${name}: ${r.stderr}`);
    t.regex(r.stderr, message, name);
    t.notRegex(r.stderr, /internal error/, name);
    t.is(readFileSync(join(copy, 'metrics.jsonl'), 'utf8'), metrics, `${name}: metrics.jsonl untouched`);
  }
});

dataTest(test.serial)('train on a full disk: the checkpoint that did not fit is named, no .tmp folder is left', async (t) => {
  if (!requireUtkface(t)) return;
  const disk = mountSmallDisk(t, '1m');
  if (!disk) return;
  const out = join(disk.dir, 'run');
  const r = await agekit(trainArgs(out));
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /run\/(best|last): checkpoint (best|last)\/ was not written: the disk is full \(ENOSPC\); the previous checkpoint there \(if any\) is unchanged/);
  t.notRegex(r.stderr, /internal error/);
  t.deepEqual(readdirSync(out).filter((n) => n.includes('.tmp')), []);
});
