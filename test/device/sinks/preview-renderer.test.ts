import test from 'ava';
import sharp from 'sharp';
import { previewLabel, previewLabelBox, previewOverlay, renderPreview, PREVIEW_BOX_RGB, type PreviewLabelBox } from '../../../device/sinks/preview-renderer.ts';
import { bucketOf, parseAgeBuckets } from '../../../device/trackers/age-buckets.ts';
import type { TrackedFace } from '../../../device/stages.ts';
import { dataTest, requireUtkface } from '../../support/shared-data.ts';
import { pickValFaces, renderScene } from '../support/face-scene.ts';

const face = (x: number, y: number, size: number, ageSmoothed = 44.6): TrackedFace =>
  ({ track: 3, box: { x, y, w: size, h: size, score: 0.9 }, age: 47.9, ageSmoothed, bucket: bucketOf(parseAgeBuckets(), ageSmoothed), dwellMs: 0 });

/** Decoded preview pixels, and what the label box's pixels are. */
async function labelPixels(jpeg: Buffer, l: PreviewLabelBox) {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => { const o = (y * info.width + x) * info.channels; return [data[o], data[o + 1], data[o + 2]]; };
  const [fr, fg, fb] = PREVIEW_BOX_RGB;
  const isFill = ([r, g, b]: number[]) => Math.abs(r - fr) < 60 && Math.abs(g - fg) < 60 && Math.abs(b - fb) < 60;
  const isText = ([r, g, b]: number[]) => 0.299 * r + 0.587 * g + 0.114 * b < 90;
  let fill = 0, text = 0, n = 0;
  // 1 px in from the edges: JPEG blurs colour across a sharp edge.
  for (let y = l.y + 1; y < l.y + l.h - 1; y++) for (let x = l.x + 1; x < l.x + l.w - 1; x++, n++) { const p = at(x, y); if (isFill(p)) fill++; else if (isText(p)) text++; }
  // The right padding, beside the text rows: filled, so the text did not run past the box.
  let padFill = 0, padN = 0;
  for (let y = l.y + l.padPx; y < l.y + l.h - l.padPx; y++) for (let x = l.x + l.w - l.padPx + 1; x < l.x + l.w - 1; x++, padN++) if (isFill(at(x, y))) padFill++;
  return { fill: fill / n, text: text / n, padFill: padFill / Math.max(1, padN), width: info.width, height: info.height };
}

test('the label and the bucket come from the same smoothed age, in whole years', (t) => {
  t.is(previewLabel(face(10, 30, 50, 44.6)), '#3 44y 35-44');
  // 44.99 shows 44 and sits in 35-44; 45.0 shows 45 and sits in 45-54: never "45y 35-44".
  t.is(previewLabel(face(10, 30, 50, 44.99)), '#3 44y 35-44');
  t.is(previewLabel(face(10, 30, 50, 45.0)), '#3 45y 45-54');
  t.regex(previewOverlay(320, 240, [face(10, 30, 50)]), />#3 44y 35-44</);
});

test('the label box scales with the frame and stays inside it', (t) => {
  const small = previewLabelBox(320, 240, face(100, 80, 60));
  const vga = previewLabelBox(640, 480, face(200, 160, 120));
  const hd = previewLabelBox(1920, 1080, face(600, 300, 300));
  t.is(small.fontPx, 12);
  t.is(vga.fontPx, 17);
  t.is(hd.fontPx, 39);
  t.true(small.h < vga.h && vga.h < hd.h);
  // Above the face when there is room; inside its top edge when not; never off the frame.
  t.is(vga.y + vga.h, 160);
  const top = previewLabelBox(640, 480, face(600, 0, 100));
  t.is(top.y, 0);
  t.true(top.x + top.w <= 640);
});

dataTest(test)('a rendered preview has dark text on a filled box above a real face, at 320x240, 640x480 and 1280x960', async (t) => {
  const utk = requireUtkface(t);
  if (!utk) return;
  const [real] = pickValFaces(utk, 1, 20, 60);
  for (const [width, height] of [[320, 240], [640, 480], [1280, 960]]) {
    const size = Math.round(height / 3), x = Math.round(width / 3), y = Math.round(height / 3);
    const [rgb] = await renderScene({ width, height, frames: 1, faces: [{ face: real, size, from: [x, y], to: [x, y] }] });
    const f = face(x, y, size);
    const jpeg = await renderPreview({ index: 0, tMs: 0, width, height, rgb }, [f]);
    const l = previewLabelBox(width, height, f);
    const px = await labelPixels(jpeg, l);
    t.log(`${width}x${height}: font ${l.fontPx} px, label box ${l.w}x${l.h} at ${l.x},${l.y}; ${(100 * px.fill).toFixed(0)}% fill, ${(100 * px.text).toFixed(0)}% text, right padding ${(100 * px.padFill).toFixed(0)}% fill`);
    t.deepEqual([px.width, px.height], [width, height]);
    t.true(px.fill > 0.5, `${width}x${height}: the box is filled (${px.fill})`);
    t.true(px.text > 0.08, `${width}x${height}: text is drawn on it (${px.text})`);
    t.true(px.fill + px.text > 0.9, `${width}x${height}: nothing of the frame shows through (${px.fill + px.text})`);
    t.true(px.padFill > 0.9, `${width}x${height}: the text ends inside the box (${px.padFill})`);
  }
});
