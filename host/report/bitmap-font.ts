/**
 * A tiny built-in 5x7 bitmap font (digits, upper-case letters, common punctuation) and a text
 * drawer for RGB images, so reports can label pictures without system fonts or a canvas.
 * Lower-case letters are drawn as upper case; unknown characters as `?`.
 *
 * @example
 * drawText(img, 'AGE 34', 4, 4, { scale: 2, color: [255, 255, 0], background: [0, 0, 0] });
 */
import type { RgbImage } from '../../core/contract/face-crop.ts';

/** Glyph size in font pixels (before scaling), and the gap between characters and lines. */
export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
const SPACING = 1;

// Each glyph: 7 rows, top to bottom, of 5 columns ('#' = ink).
const GLYPHS: Record<string, string> = {
  '0': '.###. #...# #..## #.#.# ##..# #...# .###.',
  '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  '2': '.###. #...# ....# ...#. ..#.. .#... #####',
  '3': '####. ....# ....# .###. ....# ....# ####.',
  '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ....# #...# .###.',
  '6': '..##. .#... #.... ####. #...# #...# .###.',
  '7': '##### ....# ...#. ..#.. .#... .#... .#...',
  '8': '.###. #...# #...# .###. #...# #...# .###.',
  '9': '.###. #...# #...# .#### ....# ...#. .##..',
  A: '.###. #...# #...# ##### #...# #...# #...#',
  B: '####. #...# #...# ####. #...# #...# ####.',
  C: '.###. #...# #.... #.... #.... #...# .###.',
  D: '###.. #..#. #...# #...# #...# #..#. ###..',
  E: '##### #.... #.... ####. #.... #.... #####',
  F: '##### #.... #.... ####. #.... #.... #....',
  G: '.###. #...# #.... #.### #...# #...# .####',
  H: '#...# #...# #...# ##### #...# #...# #...#',
  I: '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  J: '..### ...#. ...#. ...#. ...#. #..#. .##..',
  K: '#...# #..#. #.#.. ##... #.#.. #..#. #...#',
  L: '#.... #.... #.... #.... #.... #.... #####',
  M: '#...# ##.## #.#.# #.#.# #...# #...# #...#',
  N: '#...# #...# ##..# #.#.# #..## #...# #...#',
  O: '.###. #...# #...# #...# #...# #...# .###.',
  P: '####. #...# #...# ####. #.... #.... #....',
  Q: '.###. #...# #...# #...# #.#.# #..#. .##.#',
  R: '####. #...# #...# ####. #.#.. #..#. #...#',
  S: '.#### #.... #.... .###. ....# ....# ####.',
  T: '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  U: '#...# #...# #...# #...# #...# #...# .###.',
  V: '#...# #...# #...# #...# #...# .#.#. ..#..',
  W: '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.',
  X: '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
  Y: '#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..',
  Z: '##### ....# ...#. ..#.. .#... #.... #####',
  ' ': '..... ..... ..... ..... ..... ..... .....',
  '.': '..... ..... ..... ..... ..... .##.. .##..',
  ',': '..... ..... ..... ..... .##.. ..#.. .#...',
  ':': '..... .##.. .##.. ..... .##.. .##.. .....',
  '-': '..... ..... ..... ##### ..... ..... .....',
  '+': '..... ..#.. ..#.. ##### ..#.. ..#.. .....',
  '=': '..... ..... ##### ..... ##### ..... .....',
  '/': '....# ...#. ...#. ..#.. .#... .#... #....',
  '%': '##..# ##..# ...#. ..#.. .#... #..## #..##',
  '(': '...#. ..#.. .#... .#... .#... ..#.. ...#.',
  ')': '.#... ..#.. ...#. ...#. ...#. ..#.. .#...',
  '<': '...#. ..#.. .#... #.... .#... ..#.. ...#.',
  '>': '.#... ..#.. ...#. ....# ...#. ..#.. .#...',
  '_': '..... ..... ..... ..... ..... ..... #####',
  '#': '.#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.',
  '?': '.###. #...# ....# ...#. ..#.. ..... ..#..',
  '!': '..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..',
  "'": '..#.. ..#.. .#... ..... ..... ..... .....',
};

const BITMAPS = new Map<string, Uint8Array>(
  Object.entries(GLYPHS).map(([ch, rows]) => {
    const bits = rows.replaceAll(' ', '');
    if (bits.length !== GLYPH_WIDTH * GLYPH_HEIGHT) throw new Error(`glyph "${ch}" has ${bits.length} cells`);
    return [ch, Uint8Array.from(bits, (c) => (c === '#' ? 1 : 0))];
  }),
);

/** The characters the font draws (besides lower case, drawn as upper case). */
export const FONT_CHARACTERS = [...BITMAPS.keys()].join('');

/** The 5x7 ink mask of a character (1 = ink), row-major. */
export function glyph(ch: string): Uint8Array {
  return BITMAPS.get(ch.toUpperCase()) ?? BITMAPS.get('?')!;
}

export interface TextStyle {
  /** Integer magnification of the 5x7 glyphs. Default 1. */
  scale?: number;
  /** Ink colour, RGB. Default white. */
  color?: [number, number, number];
  /** Fill behind the text (one font pixel of padding); none when absent. */
  background?: [number, number, number];
}

/** Width and height in image pixels of `text` (lines split on `\n`) at `scale`. */
export function measureText(text: string, scale = 1): { width: number; height: number } {
  const lines = text.split('\n');
  const cols = Math.max(...lines.map((l) => l.length));
  const width = cols > 0 ? (cols * (GLYPH_WIDTH + SPACING) - SPACING) * scale : 0;
  const height = (lines.length * (GLYPH_HEIGHT + SPACING) - SPACING) * scale;
  return { width, height };
}

function fillRect(img: RgbImage, x0: number, y0: number, w: number, h: number, c: [number, number, number]): void {
  const xa = Math.max(0, Math.floor(x0)), ya = Math.max(0, Math.floor(y0));
  const xb = Math.min(img.width, Math.floor(x0 + w)), yb = Math.min(img.height, Math.floor(y0 + h));
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      const p = (y * img.width + x) * 3;
      img.data[p] = c[0]; img.data[p + 1] = c[1]; img.data[p + 2] = c[2];
    }
  }
}

/** Draw `text` with its top-left corner at (x, y), in place; parts outside the image are clipped. */
export function drawText(img: RgbImage, text: string, x: number, y: number, style: TextStyle = {}): void {
  const scale = Math.max(1, Math.round(style.scale ?? 1));
  const color = style.color ?? [255, 255, 255];
  if (style.background) {
    const { width, height } = measureText(text, scale);
    fillRect(img, x - scale, y - scale, width + 2 * scale, height + 2 * scale, style.background);
  }
  text.split('\n').forEach((line, row) => {
    const top = y + row * (GLYPH_HEIGHT + SPACING) * scale;
    [...line].forEach((ch, col) => {
      const left = x + col * (GLYPH_WIDTH + SPACING) * scale;
      const bits = glyph(ch);
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (bits[gy * GLYPH_WIDTH + gx]) fillRect(img, left + gx * scale, top + gy * scale, scale, scale, color);
        }
      }
    });
  });
}
