/**
 * Draw the preview frame: face boxes with track id and smoothed age, encoded as JPEG by sharp
 * (an SVG overlay composited over the raw frame).
 *
 * @example
 * const jpeg = await renderPreview(frame, result.faces);
 */
import sharp from 'sharp';
import type { Frame, TrackedFace } from '../stages.ts';
import { shownAge } from '../trackers/age-buckets.ts';

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/** SVG of the boxes and labels for a `width x height` frame. */
export function previewOverlay(width: number, height: number, faces: TrackedFace[]): string {
  const parts = faces.map((f) => {
    const { x, y, w, h } = f.box;
    // The label shows the value the bucket was taken from (the smoothed age), in the same whole years.
    const age = f.ageSmoothed;
    const label = esc(`#${f.track}${age !== undefined ? ` ${shownAge(age)}y` : ''}${f.bucket ? ` ${f.bucket}` : ''}`);
    const ty = y > 18 ? y - 5 : y + h + 15;
    return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="none" stroke="#00ff66" stroke-width="2"/>` +
      `<text x="${x.toFixed(1)}" y="${ty.toFixed(1)}" font-family="sans-serif" font-size="14" fill="#00ff66" stroke="#000" stroke-width="0.5">${label}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** JPEG bytes of the frame with boxes and ages drawn. */
export async function renderPreview(frame: Frame, faces: TrackedFace[], quality = 75): Promise<Buffer> {
  const img = sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } });
  const overlay = Buffer.from(previewOverlay(frame.width, frame.height, faces));
  return img.composite([{ input: overlay, top: 0, left: 0 }]).jpeg({ quality }).toBuffer();
}
