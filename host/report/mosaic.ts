/**
 * Mosaic pictures for reports: a grid of face crops, each enlarged (nearest neighbour, so pixels
 * stay honest) and labelled with the built-in bitmap font. `agekit data check` shows preprocessed
 * crops with their ages; evaluation shows predictions against the truth.
 *
 * @example
 * await writeMosaicPng([{ image: crop, label: '34' }], 'mosaic.png', { columns: 5 });
 */
import sharp from 'sharp';
import type { RgbImage } from '../../core/contract/face-crop.ts';
import { writeFileAtomic } from '../../core/atomic-file.ts';
import { drawText, measureText } from './bitmap-font.ts';

export interface MosaicTile {
  /** The crop, RGB. */
  image: RgbImage;
  /** Text drawn in the tile's top-left corner; `\n` starts a new line. */
  label?: string;
}

export interface MosaicOptions {
  /** Tiles per row. Default 5. */
  columns?: number;
  /** Each tile is enlarged by an integer factor up to at least this many pixels on its longer side. Default 128. */
  minTilePx?: number;
  /** Gap between tiles and around the grid, in pixels. Default 4. */
  gapPx?: number;
  /** Background colour, RGB. Default dark grey. */
  background?: [number, number, number];
  /** Label text magnification; default 2 when tiles are >= 96 px, else 1. */
  textScale?: number;
  /** Label colour. Default yellow on a black box. */
  textColor?: [number, number, number];
}

export const DEFAULT_MOSAIC: Required<Omit<MosaicOptions, 'textScale'>> = {
  columns: 5,
  minTilePx: 128,
  gapPx: 4,
  background: [40, 40, 40],
  textColor: [255, 230, 0],
};

/** Lay out tiles in a grid and draw their labels. Tiles may differ in size; cells fit the largest. */
export function composeMosaic(tiles: MosaicTile[], options: MosaicOptions = {}): RgbImage {
  const o = { ...DEFAULT_MOSAIC, ...options };
  if (tiles.length === 0) return { width: 1, height: 1, data: Uint8Array.from(o.background) };
  const longest = Math.max(...tiles.map((t) => Math.max(t.image.width, t.image.height)));
  const zoom = Math.max(1, Math.ceil(o.minTilePx / longest));
  const cellW = Math.max(...tiles.map((t) => t.image.width)) * zoom;
  const cellH = Math.max(...tiles.map((t) => t.image.height)) * zoom;
  const columns = Math.max(1, Math.min(o.columns, tiles.length));
  const rows = Math.ceil(tiles.length / columns);
  const width = columns * cellW + (columns + 1) * o.gapPx;
  const height = rows * cellH + (rows + 1) * o.gapPx;
  const out: RgbImage = { width, height, data: new Uint8Array(width * height * 3) };
  for (let p = 0; p < width * height; p++) out.data.set(o.background, p * 3);
  const textScale = options.textScale ?? (cellW >= 96 ? 2 : 1);
  tiles.forEach((tile, i) => {
    const left = o.gapPx + (i % columns) * (cellW + o.gapPx);
    const top = o.gapPx + Math.floor(i / columns) * (cellH + o.gapPx);
    const { width: w, height: h, data } = tile.image;
    for (let y = 0; y < h * zoom; y++) {
      const srcRow = Math.floor(y / zoom) * w;
      const dstRow = ((top + y) * width + left) * 3;
      for (let x = 0; x < w * zoom; x++) {
        const s = (srcRow + Math.floor(x / zoom)) * 3;
        const d = dstRow + x * 3;
        out.data[d] = data[s]; out.data[d + 1] = data[s + 1]; out.data[d + 2] = data[s + 2];
      }
    }
    if (tile.label) {
      const pad = textScale;
      const fits = measureText(tile.label, textScale).width + 2 * pad <= cellW;
      drawText(out, tile.label, left + 2 * pad, top + 2 * pad, { scale: fits ? textScale : 1, color: o.textColor, background: [0, 0, 0] });
    }
  });
  return out;
}

/** Encode an RGB image as PNG bytes. */
export async function encodePng(img: RgbImage): Promise<Buffer> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
}

/** Compose a mosaic and write it as a PNG, atomically. Returns the image written. */
export async function writeMosaicPng(tiles: MosaicTile[], path: string, options: MosaicOptions = {}): Promise<RgbImage> {
  const img = composeMosaic(tiles, options);
  await writeFileAtomic(path, await encodePng(img));
  return img;
}
