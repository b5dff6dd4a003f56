/**
 * Atomic file writes: write to a temporary sibling, fsync, then rename over the target, so a
 * process killed at any moment leaves either the old file or the new one, never half of one.
 *
 * @example
 * await writeFileAtomic('run/best/model.json', JSON.stringify(model));
 */
import { open, rename, rm, mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

/** Write `data` to `path` atomically (same directory temp file + fsync + rename). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
}
