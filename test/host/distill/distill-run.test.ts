// A resumed distillation run must keep its targets: switching teacher flags on --resume is refused, naming the original flags.
import test from 'ava';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../core/errors.ts';
import { writeRunConfig } from '../../../host/train/run-folder.ts';
import { resolveTrainConfig } from '../../../host/train/train-config.ts';
import { groundTruthTargets } from '../../../host/train/targets.ts';
import { distillTargets } from '../../../host/distill/distill-targets.ts';
import { distillRunTargets } from '../../../host/distill/distill-run.ts';
import type { Dataset } from '../../../host/data/dataset.ts';

const train: Dataset = { spec: 'none', kind: 'none', root: '', samples: [], skipped: { counts: {}, examples: {} }, splits: [] };
const config = resolveTrainConfig({ net: 'mobilenet64', dataset: 'a', valDataset: 'b', head: 'dex' });

async function runFolder(targets: { id: string; describe(): Record<string, unknown> }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-distill-run-'));
  // Recorded exactly as trainRun records it.
  await writeRunConfig(dir, { command: [], config, targets: { id: targets.id, ...targets.describe() }, startedAt: new Date().toISOString() });
  return dir;
}

test('resuming a distillation run without --teacher, or with another alpha, is a usage error naming the original flags', async (t) => {
  const dir = await runFolder(distillTargets({ head: 'dex', alpha: 0.5, temperature: 2, source: 'labels.csv' }));
  const base = { alpha: 0.5, temperature: 2, head: 'dex' as const, train, runDir: dir, resume: true };
  const e1 = await t.throwsAsync(distillRunTargets({ ...base, teacher: undefined }), { instanceOf: UsageError });
  t.regex(e1!.message, /started with --teacher labels\.csv --distill-alpha 0\.5 --temperature 2/);
  await t.throwsAsync(distillRunTargets({ ...base, teacher: 'labels.csv', alpha: 1 }), { instanceOf: UsageError });
  await t.throwsAsync(distillRunTargets({ ...base, teacher: 'labels.csv', temperature: 4 }), { instanceOf: UsageError });
});

test('resuming a ground-truth run with --teacher is refused; without it, targets stay ground truth', async (t) => {
  const dir = await runFolder(groundTruthTargets('dex'));
  const base = { alpha: 0.5, temperature: 1, head: 'dex' as const, train, runDir: dir, resume: true };
  const err = await t.throwsAsync(distillRunTargets({ ...base, teacher: 'labels.csv' }), { instanceOf: UsageError });
  t.regex(err!.message, /ground-truth targets/);
  t.is(await distillRunTargets({ ...base, teacher: undefined }), undefined);
});
