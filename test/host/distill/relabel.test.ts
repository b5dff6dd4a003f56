// Relabelling real UTKFace faces: the file holds the teacher's own predictions, loads as relabel:/csv:, and survives a SIGKILL.
import test from 'ava';
import { spawn } from 'node:child_process';
import { appendFile, copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../core/backend/tfjs-backend.ts';
import { datasetLoaders, loadDataset, registerDatasetLoader } from '../../../host/data/load-dataset.ts';
import { relabelLoader } from '../../../host/data/loaders/relabel.ts';
import { relabelSamples } from '../../../host/distill/relabel.ts';
import { scoreRelabelFile } from '../../../host/distill/relabel-score.ts';
import { ageMetrics } from '../../../host/eval/metrics.ts';
import { builtinDescriptor, createTeacher } from '../../../host/distill/teacher-registry.ts';
import { readTeacherCrop } from '../../../host/distill/teacher-input.ts';
import { projectRoot, dataTest, utkfaceDir } from '../../support/shared-data.ts';
import { mountSmallDisk } from '../../support/tmpfs.ts';

test.before(async () => {
  await initBackend('wasm');
  if (!datasetLoaders().some((l) => l.kind === 'relabel')) registerDatasetLoader(relabelLoader);
});

dataTest(test.serial)('relabel writes the teacher\'s own ages and distributions, and the file loads as relabel: and csv:', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-relabel-'));
  const ds = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=7:seed=11`);
  const teacher = await createTeacher(builtinDescriptor('faceres'));
  const out = join(dir, 'labels.csv');
  const r = await relabelSamples({ teacher, teacherId: 'faceres', samples: ds.samples, datasetSpec: ds.spec, out, batchSize: 3 });
  t.like(r, { total: 7, labelled: 7, resumed: 0, skipped: 0 });

  const direct = await teacher.predict(await Promise.all(ds.samples.map((s) => readTeacherCrop(teacher.descriptor, s))));
  const loaded = await loadDataset(`relabel:${out}`);
  t.notDeepEqual(loaded.samples.map((s) => s.path), ds.samples.map((s) => s.path), 'labelled in a shuffled order');
  const byPath = new Map(loaded.samples.map((s) => [s.path, s]));
  const relabelled = ds.samples.map((s) => byPath.get(s.path)!);
  t.is(byPath.size, ds.samples.length);
  relabelled.forEach((s, i) => {
    t.is(s.age, ds.samples[i].age, 'ground truth kept');
    t.is(s.split, 'val');
    t.true(Math.abs(s.teacherAge! - direct.ages[i]) < 1e-4, `${s.path}: file ${s.teacherAge}, teacher ${direct.ages[i]}`);
    t.is(s.teacherDist!.length, 100);
    for (let k = 0; k < 100; k++) {
      const p = direct.dist![i * 100 + k];
      t.true(Math.abs(s.teacherDist![k] - p) <= Math.max(p * 2 ** -10, 1e-7), `bin ${k}`);
    }
  });
  const score = (await scoreRelabelFile(out, 'val'))!;
  const expected = ageMetrics(direct.ages, Float32Array.from(ds.samples, (s) => s.age!));
  t.is(score.n, 7);
  t.true(Math.abs(score.mae - expected.mae) < 1e-3, `file MAE ${score.mae}, direct ${expected.mae}`);
  const gt = await loadDataset(`csv:${out}`);
  t.deepEqual(gt.samples.map((s) => s.age), loaded.samples.map((s) => s.age));
  const sidecar = JSON.parse(await readFile(`${out}.json`, 'utf8'));
  t.like(sidecar, { format: 'agekit-relabel', teacher: 'faceres', bins: 100, firstAge: 0, distEncoding: 'float16-base64' });

  // The same file with another teacher's labelling is refused, not mixed.
  const other = await createTeacher(builtinDescriptor('faceapi'));
  await t.throwsAsync(relabelSamples({ teacher: other, teacherId: 'faceapi', samples: ds.samples, datasetSpec: ds.spec, out }), { message: /written by teacher "faceres"/ });
  await Promise.all([teacher.close(), other.close()]);
});

dataTest(test.serial)('an unlabelled image folder relabels too; the teacher age never passes for ground truth', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-relabel-folder-'));
  const src = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=3:seed=4`);
  await mkdir(join(dir, 'faces'));
  await Promise.all(src.samples.map((s, i) => copyFile(s.path, join(dir, 'faces', `face${i}.jpg`))));
  const folder = await loadDataset(`folder:${join(dir, 'faces')}`);
  const teacher = await createTeacher(builtinDescriptor('faceapi'));
  const out = join(dir, 'labels.csv');
  t.like(await relabelSamples({ teacher, teacherId: 'faceapi', samples: folder.samples, datasetSpec: folder.spec, out }), { labelled: 3 });
  await teacher.close();
  const relabelled = await loadDataset(`relabel:${out}`);
  t.is(relabelled.samples.length, 3);
  for (const s of relabelled.samples) {
    t.is(s.age, undefined);
    t.true(Number.isFinite(s.teacherAge));
  }
  t.is(await scoreRelabelFile(out), undefined, 'nothing to score without ground truth');
  // csv: reads only ground truth; with none, it says why every row was skipped rather than loading nothing.
  await t.throwsAsync(loadDataset(`csv:${out}`), { message: /every item was skipped \(3\): 3 non_numeric_age/ });
});

function runRelabel(args: string[]): { child: ReturnType<typeof spawn>; done: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'cli/main.ts'), 'relabel', ...args], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => { if (code) process.stderr.write(err); resolve(code); }));
  return { child, done };
}

async function rowCount(file: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return Math.max(0, text.split('\n').filter(Boolean).length - 1);
}

dataTest(test.serial)('relabel killed with SIGKILL mid-way and restarted gives the same file as an uninterrupted run', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-relabel-kill-'));
  const spec = `utkface:${utkfaceDir()}:split=val:limit=40:seed=5`;
  const args = (out: string) => ['--teacher', 'faceapi', '--dataset', spec, '--out', out, '--batch', '4', '--backend', 'wasm'];
  const whole = join(dir, 'whole.csv'), killed = join(dir, 'killed.csv');

  const first = runRelabel(args(killed));
  while ((await rowCount(killed)) < 8) await new Promise((r) => setTimeout(r, 50));
  first.child.kill('SIGKILL');
  await first.done;
  const before = await rowCount(killed);
  t.true(before >= 8 && before < 40, `killed after ${before} of 40 rows`);
  // A kill can also land inside a write: leave half a row at the end, which the restart must drop.
  await appendFile(killed, '/half/written/row.jpg,3');
  t.is(await runRelabel(args(killed)).done, 0);
  // The uninterrupted reference runs in-process (same code, same batch size): one process start less.
  const teacher = await createTeacher(builtinDescriptor('faceapi'));
  const ds = await loadDataset(spec);
  await relabelSamples({ teacher, teacherId: 'faceapi', samples: ds.samples, datasetSpec: spec, out: whole, batchSize: 4 });
  await teacher.close();

  const a = (await readFile(killed, 'utf8')).trim().split('\n');
  const b = (await readFile(whole, 'utf8')).trim().split('\n');
  t.is(a.length, 41);
  t.deepEqual(a.map((l) => l.split(',')[0]), b.map((l) => l.split(',')[0]), 'same faces in the same order');
  for (let i = 1; i < a.length; i++) {
    const ta = Number(a[i].split(',')[7]), tb = Number(b[i].split(',')[7]);
    t.true(Math.abs(ta - tb) < 1e-3, `row ${i}: resumed ${ta}, uninterrupted ${tb}`);
  }
  t.true((await stat(`${killed}.json`)).isFile());
});

dataTest(test.serial)('relabel resumed with a different dataset is refused with the reason; a larger limit= of the same dataset resumes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-relabel-dataset-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const teacher = await createTeacher(builtinDescriptor('faceapi'));
  t.teardown(() => teacher.close());
  const out = join(dir, 'labels.csv');
  const specA = `utkface:${utkfaceDir()}:split=val:limit=3`;
  const a = await loadDataset(specA);
  await relabelSamples({ teacher, teacherId: 'faceapi', samples: a.samples, datasetSpec: specA, out });
  const before = await readFile(out, 'utf8');
  const specB = `utkface:${utkfaceDir()}:split=train:limit=3`;
  const b = await loadDataset(specB);
  const err = await t.throwsAsync(relabelSamples({ teacher, teacherId: 'faceapi', samples: b.samples, datasetSpec: specB, out }));
  t.regex(err!.message, /labels\.csv: relabel file holds labels of dataset ".*split=val:limit=3", not ".*split=train:limit=3" \(option split=val is not split=train\).*give the same --dataset/);
  t.is(await readFile(out, 'utf8'), before, 'the file is untouched');
  const specA5 = `utkface:${utkfaceDir()}:split=val:limit=5`;
  const r = await relabelSamples({ teacher, teacherId: 'faceapi', samples: (await loadDataset(specA5)).samples, datasetSpec: specA5, out });
  t.like(r, { total: 5, resumed: 3, labelled: 2 });
});

dataTest(test.serial)('relabel on a full disk stops naming the file and the rows not written; the file stays whole and resumes', async (t) => {
  const disk = mountSmallDisk(t, '8k');
  if (!disk) return;
  const teacher = await createTeacher(builtinDescriptor('faceapi'));
  t.teardown(() => teacher.close());
  const spec = `utkface:${utkfaceDir()}:split=val:limit=120`;
  const ds = await loadDataset(spec);
  const out = join(disk.dir, 'labels.csv');
  const err = await t.throwsAsync(relabelSamples({ teacher, teacherId: 'faceapi', samples: ds.samples, datasetSpec: spec, out, batchSize: 8 }));
  t.regex(err!.message, /labels\.csv: relabel rows \d+\.\.\d+ was not written: the disk is full \(ENOSPC\); the \d+ rows before them are complete: run the same command again to resume/);
  const text = await readFile(out, 'utf8');
  t.true(text.endsWith('\n'), 'no half row');
  const rows = text.trim().split('\n').length - 1;
  t.true(rows > 0 && rows < 120, `${rows} rows`);
  t.regex(err!.message, new RegExp(`the ${rows} rows before them`));
});
