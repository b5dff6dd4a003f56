/**
 * Minimal raster plotting for report PNGs: a white canvas, filled rectangles, lines, a value
 * axis with round ticks and grid lines, and text in the built-in bitmap font. No chart library
 * is needed to see a bar chart or an error curve.
 *
 * @example
 * const img = newCanvas(600, 300); const f = { left: 50, top: 20, width: 530, height: 240, yMin: 0, yMax: 12 };
 * drawValueAxis(img, f, 'MAE'); fillRect(img, 60, yToPx(f, 8), 20, yToPx(f, 0) - yToPx(f, 8), BLUE);
 */
import type { RgbImage } from '../../../core/contract/face-crop.ts';
import { drawText, measureText } from '../../report/bitmap-font.ts';

export type Rgb = [number, number, number];
export const BLACK: Rgb = [0, 0, 0];
export const GREY: Rgb = [150, 150, 150];
export const LIGHT_GREY: Rgb = [225, 225, 225];

/** The plotting area of a panel and the value range its height spans. */
export interface PlotFrame { left: number; top: number; width: number; height: number; yMin: number; yMax: number; /** Tick step; default a round step for the range. */ step?: number }

export function newCanvas(width: number, height: number, color: Rgb = [255, 255, 255]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(color, p * 3);
  return { width, height, data };
}

export function fillRect(img: RgbImage, x: number, y: number, w: number, h: number, c: Rgb): void {
  const x0 = Math.max(0, Math.round(Math.min(x, x + w))), x1 = Math.min(img.width, Math.round(Math.max(x, x + w)));
  const y0 = Math.max(0, Math.round(Math.min(y, y + h))), y1 = Math.min(img.height, Math.round(Math.max(y, y + h)));
  for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) img.data.set(c, (yy * img.width + xx) * 3);
}

/** A one-pixel line (Bresenham). */
export function drawLine(img: RgbImage, x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
  x0 = Math.round(x0); y0 = Math.round(y0); x1 = Math.round(x1); y1 = Math.round(y1);
  const dx = Math.abs(x1 - x0), dy = -Math.abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    if (x0 >= 0 && y0 >= 0 && x0 < img.width && y0 < img.height) img.data.set(c, (y0 * img.width + x0) * 3);
    if (x0 === x1 && y0 === y1) break;
    const e2 = 2 * err;
    if (e2 >= dy) { err += dy; x0 += sx; }
    if (e2 <= dx) { err += dx; y0 += sy; }
  }
}

/** Text with its top-left corner at (x, y); `align` centres or right-aligns it on x instead. */
export function text(img: RgbImage, s: string, x: number, y: number, color: Rgb = BLACK, align: 'left' | 'center' | 'right' = 'left', scale = 1): void {
  const { width } = measureText(s, scale);
  const left = align === 'center' ? x - width / 2 : align === 'right' ? x - width : x;
  drawText(img, s, Math.round(left), Math.round(y), { scale, color });
}

/** Pixel row of value v in a frame. */
export function yToPx(f: PlotFrame, v: number): number {
  return f.top + f.height - ((v - f.yMin) / (f.yMax - f.yMin)) * f.height;
}

/** A round tick step (1, 2 or 5 x 10^k) giving about `target` ticks over `range`. */
export function niceStep(range: number, target = 6): number {
  const raw = range / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

/** Round a frame's range outwards to whole ticks (yMin stays 0 when it is 0). */
export function niceRange(yMin: number, yMax: number, target = 6): { yMin: number; yMax: number; step: number } {
  if (!(yMax > yMin)) yMax = yMin + 1;
  const step = niceStep(yMax - yMin, target);
  return { yMin: Math.floor(yMin / step) * step, yMax: Math.ceil(yMax / step) * step, step };
}

/** Grid lines and numbers on the left of the frame, the frame's box, and the axis title above it. */
export function drawValueAxis(img: RgbImage, f: PlotFrame, title: string): void {
  const step = f.step ?? niceStep(f.yMax - f.yMin);
  const decimals = step < 1 ? Math.ceil(-Math.log10(step)) : 0;
  for (let v = f.yMin; v <= f.yMax + step / 1e6; v += step) {
    const y = yToPx(f, v);
    drawLine(img, f.left, y, f.left + f.width, y, Math.abs(v) < step / 1e6 ? GREY : LIGHT_GREY);
    text(img, v.toFixed(decimals), f.left - 4, y - 3, BLACK, 'right');
  }
  drawLine(img, f.left, f.top, f.left, f.top + f.height, GREY);
  text(img, title, f.left, f.top - 12);
}
