/**
 * `folder:<dir>`: every image under `<dir>` (recursively), without labels. For distillation,
 * where the teacher supplies the targets.
 *
 * @example
 * const ds = await loadDataset('folder:/data/unlabelled-faces');
 */
import { DataError } from '../../../core/errors.ts';
import { emptyTally } from '../dataset.ts';
import { IMAGE_EXTENSIONS, listImageFiles, requireDirectory } from '../image-files.ts';
import type { DatasetLoader, DatasetRef, LoadedItems } from '../load-dataset.ts';

export const folderLoader: DatasetLoader = {
  kind: 'folder',
  usage: 'folder:<dir>',
  description: 'every image under <dir>, recursively, without labels (for distillation)',
  async load(ref: DatasetRef): Promise<LoadedItems> {
    await requireDirectory(ref.location, ref.spec);
    const files = await listImageFiles(ref.location);
    if (files.length === 0) {
      throw new DataError(`no image files in ${ref.location}`, { where: ref.spec, hint: `folder: looks for ${[...IMAGE_EXTENSIONS].join(' ')} files, recursively` });
    }
    return { root: ref.location, samples: files.map((path) => ({ path })), skipped: emptyTally() };
  },
};
