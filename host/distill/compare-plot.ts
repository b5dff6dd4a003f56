/**
 * The compare plot: MAE (y) against milliseconds per image at batch 1 (x, log scale), one
 * labelled point per model, drawn straight into RGB pixels with the built-in bitmap font (no
 * system fonts, no canvas), then written as PNG.
 *
 * @example
 * await writeComparePlot(rows, 'compare.png');
 */
import type { RgbImage } from '../../core/contract/face-crop.ts';
import { writeFileAtomic } from '../../core/atomic-file.ts';
import { drawText, measureText } from '../report/bitmap-font.ts';
import type { CompareRow } from './compare.ts';
import sharp from 'sharp';

type Rgb = [number, number, number];
const COLORS: Rgb[] = [[220, 50, 47], [38, 139, 210], [133, 153, 0], [211, 54, 130], [42, 161, 152], [181, 137, 0], [108, 113, 196], [203, 75, 22]];

function setPixel(img: RgbImage, x: number, y: number, c: Rgb): void {
  x = Math.round(x); y = Math.round(y);
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const p = (y * img.width + x) * 3;
  img.data[p] = c[0]; img.data[p + 1] = c[1]; img.data[p + 2] = c[2];
}

function line(img: RgbImage, x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
  const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
  for (let i = 0; i <= steps; i++) setPixel(img, x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * i) / steps, c);
}

function disc(img: RgbImage, cx: number, cy: number, r: number, c: Rgb): void {
  for (let y = -r; y <= r; y++) for (let x = -r; x <= r; x++) if (x * x + y * y <= r * r) setPixel(img, cx + x, cy + y, c);
}

/** Nice tick values covering [lo, hi] on a log scale (1, 2, 5 per decade). */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) { const v = m * 10 ** e; if (v >= lo && v <= hi) ticks.push(v); }
  }
  return ticks;
}

/** Draw the plot as an RGB image (default 800 x 500). */
/** A label's box on the plot, in pixels. */
export interface LabelBox { x: number; y: number; w: number; h: number }

const overlaps = (a: LabelBox, b: LabelBox) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Where a point's label goes: beside the point, alternately above and below it, moving further away
 * until it overlaps no label placed before (students of one network sit on the same spot, and a
 * hidden label hides a model). Clamped to [left, right] x [top, bottom].
 */
export function placeLabel(placed: LabelBox[], x: number, y: number, w: number, h: number, bounds: { left: number; right: number; top: number; bottom: number }, preferBelow = false): LabelBox {
  const bx = Math.max(bounds.left, Math.min(x + 10, bounds.right - w));
  const clampY = (v: number) => Math.max(bounds.top, Math.min(v, bounds.bottom - h));
  let first: LabelBox | undefined;
  for (let k = 1; k <= 12; k++) {
    for (const side of preferBelow ? [1, -1] : [-1, 1]) {
      const box = { x: bx, y: clampY(y - h / 2 + side * (k * (h + 3))), w, h };
      first ??= box;
      if (!placed.some((p) => overlaps(p, box))) return box;
    }
  }
  return first!;
}

export function drawComparePlot(rows: CompareRow[], width = 800, height = 500): RgbImage {
  const img: RgbImage = { width, height, data: new Uint8Array(width * height * 3).fill(255) };
  const left = 70, right = width - 30, top = 40, bottom = height - 60;
  const xs = rows.map((r) => r.msPerImage), ys = rows.map((r) => r.mae);
  const xlo = Math.min(...xs) / 1.6, xhi = Math.max(...xs) * 1.6;
  const ylo = Math.max(0, Math.floor(Math.min(...ys) - 1)), yhi = Math.ceil(Math.max(...ys) + 1);
  const px = (ms: number) => left + ((Math.log(ms) - Math.log(xlo)) / (Math.log(xhi) - Math.log(xlo))) * (right - left);
  const py = (mae: number) => bottom - ((mae - ylo) / (yhi - ylo)) * (bottom - top);
  const grey: Rgb = [200, 200, 200], black: Rgb = [0, 0, 0];
  for (const t of logTicks(xlo, xhi)) {
    line(img, px(t), top, px(t), bottom, grey);
    const label = t >= 1 ? String(t) : t.toPrecision(1);
    drawText(img, label, px(t) - measureText(label, 2).width / 2, bottom + 8, { scale: 2, color: black });
  }
  const ystep = yhi - ylo > 10 ? 2 : 1;
  for (let v = ylo; v <= yhi; v += ystep) {
    line(img, left, py(v), right, py(v), grey);
    drawText(img, String(v), left - 8 - measureText(String(v), 2).width, py(v) - 7, { scale: 2, color: black });
  }
  line(img, left, bottom, right, bottom, black);
  line(img, left, top, left, bottom, black);
  drawText(img, 'MS PER IMAGE, BATCH 1 (LOG)', (left + right) / 2 - measureText('MS PER IMAGE, BATCH 1 (LOG)', 2).width / 2, height - 26, { scale: 2, color: black });
  drawText(img, 'MAE (YEARS)', 8, 12, { scale: 2, color: black });
  const placed: LabelBox[] = [];
  rows.forEach((r, i) => disc(img, px(r.msPerImage), py(r.mae), 6, COLORS[i % COLORS.length]));
  rows.forEach((r, i) => {
    const c = COLORS[i % COLORS.length];
    const name = r.model.split(/[\\/]/).filter(Boolean).slice(-2).join('/').slice(-28);
    const label = `${name} ${r.mae.toFixed(2)}`;
    const size = measureText(label, 1);
    const box = placeLabel(placed, px(r.msPerImage), py(r.mae), size.width, size.height, { left, right, top, bottom }, i % 2 === 1);
    placed.push(box);
    drawText(img, label, box.x, box.y, { scale: 1, color: c, background: [255, 255, 255] });
  });
  return img;
}

/** Draw the plot and write it as a PNG, atomically. */
export async function writeComparePlot(rows: CompareRow[], path: string): Promise<void> {
  const img = drawComparePlot(rows);
  const png = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
  await writeFileAtomic(path, new Uint8Array(png));
}
