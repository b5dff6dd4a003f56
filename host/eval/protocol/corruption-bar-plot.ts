/**
 * The bar plot of `agekit eval --corruptions`: MAE on the clean images, per group (blur, noise,
 * digital) and over all corruptions (the seed's LFW+ / LFW+C chart), then one bar per
 * corruption (mean over severities) coloured by group, each labelled with its value.
 *
 * @example
 * await writeCorruptionBarPlot(result, 'corruptions.png', 'mobilenet64 on lfwplus');
 */
import type { RgbImage } from '../../../core/contract/face-crop.ts';
import { writeFileAtomic } from '../../../core/atomic-file.ts';
import { encodePng } from '../../report/mosaic.ts';
import type { CorruptionGroup } from '../../corruptions/corruption.ts';
import type { CorruptionEvalResult } from './corruption-eval.ts';
import { BLACK, drawValueAxis, fillRect, GREY, newCanvas, niceRange, text, yToPx, type PlotFrame, type Rgb } from './plot-canvas.ts';

export const GROUP_COLORS: Record<CorruptionGroup | 'clean' | 'all', Rgb> = {
  clean: [120, 120, 120], blur: [65, 105, 225], noise: [230, 126, 34], digital: [60, 160, 90], all: [200, 40, 60],
};

/** Short names that fit under a bar. */
const SHORT: Record<string, string> = {
  defocus_blur: 'DEFOCUS', gaussian_blur: 'GAUSS-B', motion_blur: 'MOTION', zoom_blur: 'ZOOM',
  gaussian_noise: 'GAUSS-N', shot_noise: 'SHOT', brightness_plus: 'BRIGHT+', brightness_minus: 'BRIGHT-',
  contrast_plus: 'CONTR+', contrast: 'CONTR-', jpeg_compression: 'JPEG', pixelate: 'PIXEL', spatter: 'SPATTER',
};

/** Draw the plot. */
export function drawCorruptionBarPlot(r: CorruptionEvalResult, title = ''): RgbImage {
  const summary: { label: string; value: number; color: Rgb }[] = [{ label: 'CLEAN', value: r.clean, color: GROUP_COLORS.clean }];
  for (const g of ['blur', 'noise', 'digital'] as const) if (r.groups[g] !== undefined) summary.push({ label: g.toUpperCase(), value: r.groups[g]!, color: GROUP_COLORS[g] });
  summary.push({ label: 'ALL C', value: r.corrupted, color: GROUP_COLORS.all });
  const each = r.byCorruption.map((c) => ({ label: SHORT[c.name] ?? c.name, value: c.mean, color: GROUP_COLORS[c.group] }));
  const slot = 50, bar = 34, gap = 30;
  const width = 70 + (summary.length + each.length) * slot + gap + 20;
  const height = 380;
  const img = newCanvas(width, height);
  const max = Math.max(...summary.map((b) => b.value), ...each.map((b) => b.value));
  const f: PlotFrame = { left: 60, top: 50, width: width - 80, height: 260, ...niceRange(0, max * 1.1) };
  text(img, title ? `MAE UNDER CORRUPTIONS: ${title}` : 'MAE UNDER CORRUPTIONS', width / 2, 8, BLACK, 'center', 2);
  drawValueAxis(img, f, `MAE (YEARS), N = ${r.n}, SEVERITIES ${r.severities.join(',')}`);
  let x = f.left + 10;
  const drawBar = (b: { label: string; value: number; color: Rgb }) => {
    const top = yToPx(f, b.value), base = yToPx(f, 0);
    fillRect(img, x + (slot - bar) / 2, top, bar, base - top, b.color);
    text(img, b.value.toFixed(1), x + slot / 2, top - 10, BLACK, 'center');
    text(img, b.label, x + slot / 2, base + 6, BLACK, 'center');
    x += slot;
  };
  summary.forEach(drawBar);
  x += gap;
  fillRect(img, x - gap / 2, f.top, 1, f.height, GREY);
  each.forEach(drawBar);
  // Legend: colour of each group.
  let lx = f.left;
  for (const [name, color] of Object.entries(GROUP_COLORS)) {
    fillRect(img, lx, height - 22, 12, 12, color);
    text(img, name === 'all' ? 'ALL CORRUPTED' : name.toUpperCase(), lx + 16, height - 20);
    lx += 130;
  }
  return img;
}

/** Draw the plot and write it as a PNG, atomically. */
export async function writeCorruptionBarPlot(r: CorruptionEvalResult, path: string, title = ''): Promise<void> {
  await writeFileAtomic(path, await encodePng(drawCorruptionBarPlot(r, title)));
}
