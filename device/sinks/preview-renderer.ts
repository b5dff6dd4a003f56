/**
 * Draw the preview frame: face boxes, each with a label (track id, smoothed age in whole years,
 * bucket) in dark text on a filled box, sized to the frame so it stays legible from 320x240 to
 * 1080p; encoded as JPEG by sharp (an SVG overlay composited over the raw frame).
 *
 * @example
 * const jpeg = await renderPreview(frame, result.faces);
 */
import sharp from 'sharp';
import type { Frame, TrackedFace } from '../stages.ts';
import { shownAge } from '../trackers/age-buckets.ts';

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/** Colour of the face boxes and of the label boxes' fill, [r, g, b]. */
export const PREVIEW_BOX_RGB = [0, 255, 102] as const;
const BOX_HEX = '#00ff66';

/** Monospace glyph width as a share of the font size (DejaVu Sans Mono, the usual fallback: 0.602). */
const GLYPH_EM = 0.62;

/** The label of a face: `#3 44y 35-44`. The age shown is the smoothed age the bucket was taken from, in the same whole years. */
export function previewLabel(f: TrackedFace): string {
  const age = f.ageSmoothed;
  return `#${f.track}${age !== undefined ? ` ${shownAge(age)}y` : ''}${f.bucket ? ` ${f.bucket}` : ''}`;
}

/** Where a face's label box goes, in frame pixels, and its font size. */
export interface PreviewLabelBox { x: number; y: number; w: number; h: number; fontPx: number; padPx: number }

/**
 * The filled label box of `face` on a `width x height` frame: the font is 1/28 of the shorter
 * side (12 px at least; 17 at 480 lines, 39 at 1080), and the box sits above the face box, or
 * inside its top edge when there is no room above, clamped into the frame.
 */
export function previewLabelBox(width: number, height: number, face: TrackedFace): PreviewLabelBox {
  const fontPx = Math.max(12, Math.round(Math.min(width, height) / 28));
  const padPx = Math.max(2, Math.round(fontPx / 4));
  const w = Math.min(width, Math.ceil(previewLabel(face).length * fontPx * GLYPH_EM) + 2 * padPx);
  const h = fontPx + 2 * padPx;
  const { x: bx, y: by } = face.box;
  const x = Math.max(0, Math.min(width - w, Math.round(bx)));
  const y = by - h >= 0 ? Math.round(by - h) : Math.max(0, Math.min(height - h, Math.round(by)));
  return { x, y, w, h, fontPx, padPx };
}

/** SVG of the boxes and labels for a `width x height` frame. */
export function previewOverlay(width: number, height: number, faces: TrackedFace[]): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 240));
  const parts = faces.map((f) => {
    const { x, y, w, h } = f.box;
    const l = previewLabelBox(width, height, f);
    // Baseline about a fifth of the font above the box's bottom padding: descenders stay inside.
    const baseline = l.y + l.padPx + Math.round(l.fontPx * 0.8);
    return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="none" stroke="${BOX_HEX}" stroke-width="${stroke}"/>` +
      `<rect x="${l.x}" y="${l.y}" width="${l.w}" height="${l.h}" fill="${BOX_HEX}"/>` +
      `<text x="${l.x + l.padPx}" y="${baseline}" font-family="DejaVu Sans Mono, monospace" font-weight="bold" font-size="${l.fontPx}" fill="#000">${esc(previewLabel(f))}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** JPEG bytes of the frame with boxes and ages drawn. */
export async function renderPreview(frame: Frame, faces: TrackedFace[], quality = 75): Promise<Buffer> {
  const img = sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } });
  const overlay = Buffer.from(previewOverlay(frame.width, frame.height, faces));
  return img.composite([{ input: overlay, top: 0, left: 0 }]).jpeg({ quality }).toBuffer();
}
