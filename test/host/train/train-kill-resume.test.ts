// A real `agekit train` process killed with SIGKILL at the two riskiest moments (while the epoch's
// checkpoints are being written, and in the middle of the next epoch) never leaves a broken
// checkpoint, and `--resume` finishes the run with each epoch recorded exactly once.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint } from '../../../host/checkpoint/checkpoint.ts';
import { dataTest, projectRoot, requireUtkface } from '../../support/shared-data.ts';

const EPOCHS = 3;

function agekit(args: string[]): { child: ChildProcess; exit: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli/main.ts'), ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  child.stdout!.resume();
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exit, stderr: () => err };
}

async function metricsEpochs(out: string): Promise<number[]> {
  try {
    return (await readFile(join(out, 'metrics.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l).epoch);
  } catch { return []; }
}

/** Wait until metrics.jsonl lists `n` epochs (or the process ends). */
async function waitForEpochs(out: string, n: number, exit: Promise<unknown>): Promise<boolean> {
  let done = false;
  void exit.then(() => { done = true; });
  while (!done) {
    if ((await metricsEpochs(out)).length >= n) return true;
    await sleep(20);
  }
  return (await metricsEpochs(out)).length >= n;
}

async function lastEpoch(out: string): Promise<number> {
  const { dir, model, meta } = await loadCheckpoint(join(out, 'last'));
  model.dispose();
  const state = JSON.parse(await readFile(join(dir, 'train-state.json'), 'utf8'));
  if (meta.training?.epoch !== state.epoch) throw new Error(`last/ is mixed: agekit.json says epoch ${meta.training?.epoch}, train-state.json ${state.epoch}`);
  return state.epoch;
}

dataTest(test)('SIGKILL during checkpoint writing and mid-epoch, then --resume: complete checkpoints, each epoch once', async (t) => {
  const data = requireUtkface(t);
  if (!data) return;
  await tf.setBackend('cpu');
  const out = join(await mkdtemp(join(tmpdir(), 'agekit-kill-')), 'run');
  const args = ['train', '--net', 'mobilenet64', '--head', 'dex', '--optimizer', 'adam', '--lr', '0.001:0.5:1',
    '--dataset', `utkface:${data}:split=train:limit=48:seed=2`, '--val-dataset', `utkface:${data}:split=val:limit=16:seed=2`,
    '--batch', '16', '--training-epochs', String(EPOCHS), '--augmentation', 'no', '--backend', 'wasm', '--out', out];

  // 1. Kill the moment epoch 1's metrics line appears: last/ is being written right then.
  const first = agekit(args);
  t.true(await waitForEpochs(out, 1, first.exit), `no epoch completed: ${first.stderr()}`);
  first.child.kill('SIGKILL');
  await first.exit;
  const afterFirst = await readdir(out);
  t.log(`after kill 1: ${afterFirst.join(' ')}`);
  // best/ exists (epoch 1 is the best so far); last/ is epoch 1 or, if the kill came first, absent/previous.
  const best = await loadCheckpoint(join(out, 'best'));
  best.model.dispose();
  t.is(best.meta.training?.epoch, 1);

  // 2. Resume, and kill again in the middle of the next epoch.
  const second = agekit([...args.slice(0, args.indexOf('--out')), '--out', out, '--resume']);
  const resumedFromCheckpoint = await waitForEpochs(out, 2, second.exit);
  t.true(resumedFromCheckpoint, `resume did not complete an epoch: ${second.stderr()}`);
  await sleep(1500);
  second.child.kill('SIGKILL');
  await second.exit;
  const e = await lastEpoch(out);
  t.true(e >= 2 && e <= EPOCHS, `last/ holds epoch ${e}`);

  // 3. Resume with only --out and --resume: the run's own config is used, and it finishes.
  // The second run may have finished before its kill (tiny epochs) and released its lock itself.
  const lockLeft = existsSync(join(out, '.lock'));
  const third = agekit(['train', '--out', out, '--resume', '--backend', 'wasm']);
  t.is(await third.exit, 0, third.stderr());
  t.regex(third.stderr(), /resuming .* after epoch \d/);
  const takeover = /run folder lock .* was left by process \d+, which has ended: taking it over/;
  if (lockLeft) t.regex(third.stderr(), takeover, 'the killed run\'s lock is taken over');
  else t.notRegex(third.stderr(), takeover, 'no lock was left, none is reported');
  t.deepEqual(await metricsEpochs(out), [1, 2, 3]);
  t.is(await lastEpoch(out), EPOCHS);
  const leftovers = (await readdir(out)).filter((n) => n.startsWith('.'));
  t.deepEqual(leftovers, [], 'no temp or previous folders are left behind');
  const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
  t.is(config.config.net, 'mobilenet64');
  t.true(config.command.includes('--dataset'), 'config.json keeps the original command');
});
