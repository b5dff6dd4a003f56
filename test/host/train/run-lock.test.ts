import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE, lockRunFolder } from '../../../host/train/run-lock.ts';
import { trainRun, type TrainRunOptions } from '../../../host/train/train-run.ts';

async function folder(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-lock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a run folder has one writer: a second lock (or a second trainRun) fails naming the holder, and works again after release', async (t) => {
  const dir = await folder(t);
  const release = await lockRunFolder(dir);
  const owner = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'));
  t.is(owner.pid, process.pid);
  await t.throwsAsync(lockRunFolder(dir), { message: new RegExp(`${dir}: is in use by another agekit process \\(pid ${process.pid}, since .*wait for it to finish or use another --out`) });
  // trainRun takes the lock before it reads or writes anything else in the folder.
  await t.throwsAsync(trainRun({ outDir: dir } as TrainRunOptions), { message: /is in use by another agekit process/ });
  t.deepEqual(await readdir(dir), [LOCK_FILE], 'the refused run wrote nothing');
  await release();
  t.deepEqual(await readdir(dir), []);
  const again = await lockRunFolder(dir);
  await again();
});

test('a lock left by a process that has ended is taken over, with a line saying so', async (t) => {
  const dir = await folder(t);
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(child.stdout);
  await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid, host: (await import('node:os')).hostname(), startedAt: '2026-01-01T00:00:00Z' }));
  const lines: string[] = [];
  const release = await lockRunFolder(dir, (l) => lines.push(l));
  t.regex(lines.join('\n'), new RegExp(`was left by process ${deadPid}, which has ended: taking it over`));
  t.is(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
  await release();
  // A lock file cut short by a kill is stale too.
  await writeFile(join(dir, LOCK_FILE), '{"pid": 12');
  const lines2: string[] = [];
  await (await lockRunFolder(dir, (l) => lines2.push(l)))();
  t.regex(lines2.join('\n'), /unreadable lock file: taking it over/);
});

test('a lock held from another machine (a shared disk) is not taken over: the error names that machine', async (t) => {
  const dir = await folder(t);
  await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: 'jetson-07', startedAt: '2026-11-28T08:00:00Z' }));
  await t.throwsAsync(lockRunFolder(dir), { message: /is in use by process 1 on jetson-07 .*delete .*\.lock if that run has ended/ });
});
