import test from 'ava';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { composeMosaic, writeMosaicPng } from '../../../host/report/mosaic.ts';
import { drawText, glyph, measureText, FONT_CHARACTERS, GLYPH_WIDTH, GLYPH_HEIGHT } from '../../../host/report/bitmap-font.ts';
import type { RgbImage } from '../../../core/contract/face-crop.ts';
import { readRgb } from '../../../core/images.ts';
import { dataTest } from '../../support/shared-data.ts';
import { copyRealImages, tempDir } from '../data/data-fixtures.ts';

function blank(w: number, h: number, v = 0): RgbImage {
  return { width: w, height: h, data: new Uint8Array(w * h * 3).fill(v) };
}

test('every digit and letter has its own 5x7 glyph; unknown characters draw as ?', (t) => {
  const all = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
  const shapes = new Set(all.map((c) => glyph(c).join('')));
  t.is(shapes.size, all.length, 'no two characters look the same');
  for (const c of all) t.true(FONT_CHARACTERS.includes(c));
  t.deepEqual(glyph('a'), glyph('A'));
  t.deepEqual(glyph('€'), glyph('?'));
});

test('drawText puts the glyph bits at the requested place and scale', (t) => {
  const img = blank(40, 30);
  drawText(img, '7', 3, 2, { scale: 3, color: [255, 0, 0] });
  const bits = glyph('7');
  for (let y = 0; y < 30; y++) for (let x = 0; x < 40; x++) {
    const gx = Math.floor((x - 3) / 3), gy = Math.floor((y - 2) / 3);
    const inside = x >= 3 && y >= 2 && gx < GLYPH_WIDTH && gy < GLYPH_HEIGHT;
    const ink = inside && bits[gy * GLYPH_WIDTH + gx] === 1;
    const p = (y * 40 + x) * 3;
    t.is(img.data[p], ink ? 255 : 0, `(${x},${y})`);
    t.is(img.data[p + 1], 0);
  }
});

test('text is measured per line and clipped at the image border without throwing', (t) => {
  t.deepEqual(measureText('12', 2), { width: 22, height: 14 });
  t.deepEqual(measureText('1\n234', 1), { width: 17, height: 15 });
  const img = blank(10, 10);
  t.notThrows(() => drawText(img, 'HELLO WORLD', 6, 6, { scale: 2, background: [9, 9, 9] }));
  t.is(img.data[(5 * 10 + 5) * 3], 9, 'the background box starts one font pixel before the text');
  t.is(img.data[0], 0, 'pixels before the box are untouched');
});

test('a mosaic lays tiles in a grid, enlarged by an integer factor, with labels on them', (t) => {
  const tiles = Array.from({ length: 7 }, (_, i) => ({ image: blank(32, 32, 20 * i + 10), label: String(i) }));
  const m = composeMosaic(tiles, { columns: 3, minTilePx: 64, gapPx: 2, background: [1, 2, 3] });
  t.is(m.width, 3 * 64 + 4 * 2);
  t.is(m.height, 3 * 64 + 4 * 2);
  const at = (x: number, y: number) => [...m.data.subarray((y * m.width + x) * 3, (y * m.width + x) * 3 + 3)];
  t.deepEqual(at(0, 0), [1, 2, 3], 'gap has the background');
  t.deepEqual(at(2 + 63, 2 + 63), [10, 10, 10], 'bottom-right pixel of tile 0');
  t.deepEqual(at(2 + 64 + 2 + 40, 2 + 40), [30, 30, 30], 'tile 1 is right of tile 0');
  t.deepEqual(at(2 + 10, 2 + 2 * (64 + 2) + 50), [130, 130, 130], 'tile 6 starts row 3');
  t.deepEqual(at(2 + 2 * (64 + 2) + 30, 2 + 2 * (64 + 2) + 30), [1, 2, 3], 'the empty cell stays background');
  // The label's black box and yellow ink are in the tile's top-left corner.
  const corner = Array.from({ length: 20 * 20 }, (_, i) => at(2 + (i % 20), 2 + Math.floor(i / 20)).join(','));
  t.true(corner.includes('0,0,0') && corner.includes('255,230,0'));
});

dataTest(test)('writeMosaicPng writes a PNG that decodes to the composed pixels', async (t) => {
  const tmp = await tempDir();
  try {
    const faces = await copyRealImages(tmp.dir, 3);
    const tiles = [];
    for (const f of faces) tiles.push({ image: await readRgb(f.abs), label: `${f.age}` });
    const path = join(tmp.dir, 'out', 'mosaic.png');
    const img = await writeMosaicPng(tiles, path);
    const meta = await sharp(await readFile(path)).metadata();
    t.is(meta.format, 'png');
    t.is(meta.width, img.width);
    const back = await readRgb(path);
    t.deepEqual(back.data, img.data);
  } finally { await tmp.cleanup(); }
});
