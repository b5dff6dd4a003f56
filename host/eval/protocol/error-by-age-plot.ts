/**
 * The error-by-age plot of `agekit eval`: for each year of true age, the mean absolute error
 * (top panel) and the mean signed error, prediction minus truth (bottom panel, bars up for
 * over-estimates, down for under-estimates), with the number of faces per year as a grey strip.
 *
 * @example
 * await writeErrorByAgePlot(result.predictions, result.truths, 'val-error-by-age.png', 'mobilenet64 on utkface val');
 */
import type { RgbImage } from '../../../core/contract/face-crop.ts';
import { writeFileAtomic } from '../../../core/atomic-file.ts';
import { DataError } from '../../../core/errors.ts';
import { encodePng } from '../../report/mosaic.ts';
import { BLACK, drawLine, drawValueAxis, fillRect, GREY, newCanvas, niceRange, text, yToPx, type PlotFrame, type Rgb } from './plot-canvas.ts';

export interface AgeErrorBin {
  /** True age in whole years (floor). */
  age: number;
  n: number;
  /** Mean |pred - truth|, years. */
  mae: number;
  /** Mean pred - truth, years. */
  bias: number;
}

/** Per-year error statistics over the true ages present. */
export function errorByAge(pred: ArrayLike<number>, truth: ArrayLike<number>): AgeErrorBin[] {
  if (pred.length !== truth.length || pred.length === 0) throw new DataError(`need one prediction per true age (got ${pred.length} and ${truth.length})`, { where: 'errorByAge' });
  const bins = new Map<number, { n: number; abs: number; signed: number }>();
  for (let i = 0; i < pred.length; i++) {
    const a = Math.max(0, Math.floor(truth[i]));
    const b = bins.get(a) ?? { n: 0, abs: 0, signed: 0 };
    const d = pred[i] - truth[i];
    b.n++; b.abs += Math.abs(d); b.signed += d;
    bins.set(a, b);
  }
  return [...bins.entries()].sort((x, y) => x[0] - y[0]).map(([age, b]) => ({ age, n: b.n, mae: b.abs / b.n, bias: b.signed / b.n }));
}

const ABS: Rgb = [65, 105, 225], OVER: Rgb = [200, 40, 60], UNDER: Rgb = [60, 160, 90];

/** Draw both panels. */
export function drawErrorByAgePlot(bins: AgeErrorBin[], title = ''): RgbImage {
  const maxAge = Math.max(10, Math.ceil((bins[bins.length - 1].age + 1) / 10) * 10);
  const px = Math.max(3, Math.floor(900 / (maxAge + 1)));
  const left = 60;
  const width = left + (maxAge + 1) * px + 30;
  const height = 640;
  const img = newCanvas(width, height);
  text(img, title ? `ERROR BY TRUE AGE: ${title}` : 'ERROR BY TRUE AGE', width / 2, 8, BLACK, 'center', 2);
  const xOf = (age: number) => left + age * px;
  const top: PlotFrame = { left, top: 50, width: (maxAge + 1) * px, height: 220, ...niceRange(0, Math.max(...bins.map((b) => b.mae)) * 1.05) };
  drawValueAxis(img, top, 'MEAN ABSOLUTE ERROR (YEARS)');
  for (const b of bins) fillRect(img, xOf(b.age), yToPx(top, b.mae), Math.max(1, px - 1), yToPx(top, 0) - yToPx(top, b.mae), ABS);
  const lim = Math.max(1, ...bins.map((b) => Math.abs(b.bias))) * 1.05;
  const bottom: PlotFrame = { left, top: 320, width: (maxAge + 1) * px, height: 220, ...niceRange(-lim, lim) };
  drawValueAxis(img, bottom, 'MEAN SIGNED ERROR, PREDICTED - TRUE (YEARS)');
  const zero = yToPx(bottom, 0);
  for (const b of bins) fillRect(img, xOf(b.age), zero, Math.max(1, px - 1), yToPx(bottom, b.bias) - zero, b.bias >= 0 ? OVER : UNDER);
  drawLine(img, left, zero, left + bottom.width, zero, BLACK);
  // Faces per year: a grey strip whose height is proportional to the count.
  const stripTop = 560, stripH = 30;
  const most = Math.max(...bins.map((b) => b.n));
  for (const b of bins) { const hgt = Math.max(1, Math.round((b.n / most) * stripH)); fillRect(img, xOf(b.age), stripTop + stripH - hgt, Math.max(1, px - 1), hgt, GREY); }
  text(img, `FACES PER YEAR (MAX ${most})`, left, stripTop - 12);
  for (let a = 0; a <= maxAge; a += 10) {
    drawLine(img, xOf(a), stripTop + stripH, xOf(a), stripTop + stripH + 4, BLACK);
    text(img, String(a), xOf(a), stripTop + stripH + 8, BLACK, 'center');
  }
  text(img, 'TRUE AGE (YEARS)', width / 2, height - 14, BLACK, 'center');
  return img;
}

/** Compute the bins, draw them and write a PNG atomically. Returns the bins. */
export async function writeErrorByAgePlot(pred: ArrayLike<number>, truth: ArrayLike<number>, path: string, title = ''): Promise<AgeErrorBin[]> {
  const bins = errorByAge(pred, truth);
  await writeFileAtomic(path, await encodePng(drawErrorByAgePlot(bins, title)));
  return bins;
}
