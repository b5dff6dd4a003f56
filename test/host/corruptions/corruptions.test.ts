import test from 'ava';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import sharp from 'sharp';
import type { RgbImage } from '../../../core/contract/face-crop.ts';
import { DataError } from '../../../core/errors.ts';
import { CORRUPTIONS, corruptImage, parseCorruptionList, parseSeverityList } from '../../../host/corruptions/corruption-table.ts';
import { CORRUPTION_NAMES, SEVERITIES, type CorruptionName, type Severity } from '../../../host/corruptions/corruption.ts';
import { encodeJpeg, JPEG_QUALITY } from '../../../host/corruptions/jpeg.ts';
import { writeMosaicPng, type MosaicTile } from '../../../host/report/mosaic.ts';
import { dataTest, utkfaceDir } from '../../support/shared-data.ts';

const FACE = 'images/31_0_1_20170114032310376.jpg.chip.jpg';
let face: Promise<RgbImage> | undefined;
/** A real UTKFace face at 112x112 (keeps the 65 corruptions quick). */
const getFace = () => (face ??= sharp(join(utkfaceDir(), FACE)).resize(112, 112).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  .then(({ data, info }) => ({ width: info.width, height: info.height, data: new Uint8Array(data) })));

const all = new Map<string, Promise<RgbImage>>();
const corrupted = async (name: CorruptionName, s: Severity, seed = 1) => {
  const key = `${name}/${s}/${seed}`;
  if (!all.has(key)) all.set(key, getFace().then((f) => corruptImage(f, name, s, seed)));
  return all.get(key)!;
};

function luma(img: RgbImage): Float64Array {
  const out = new Float64Array(img.width * img.height);
  for (let i = 0; i < out.length; i++) out[i] = 0.299 * img.data[i * 3] + 0.587 * img.data[i * 3 + 1] + 0.114 * img.data[i * 3 + 2];
  return out;
}
/** Mean squared 4-neighbour Laplacian of the luma: high-frequency energy. */
function highFrequency(img: RgbImage): number {
  const y = luma(img), w = img.width, h = img.height;
  let s = 0, n = 0;
  for (let r = 1; r < h - 1; r++) for (let c = 1; c < w - 1; c++) {
    const i = r * w + c;
    const l = 4 * y[i] - y[i - 1] - y[i + 1] - y[i - w] - y[i + w];
    s += l * l; n++;
  }
  return s / n;
}
const mean = (a: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s / a.length; };
const std = (a: ArrayLike<number>) => { const m = mean(a); let s = 0; for (let i = 0; i < a.length; i++) s += (a[i] - m) ** 2; return Math.sqrt(s / a.length); };
function diffStats(a: RgbImage, b: RgbImage): { mean: number; variance: number } {
  const d = new Float64Array(a.data.length);
  for (let i = 0; i < d.length; i++) d[i] = b.data[i] - a.data[i];
  return { mean: mean(d), variance: std(d) ** 2 };
}
const increasing = (v: number[]) => v.every((x, i) => i === 0 || x > v[i - 1]);
const decreasing = (v: number[]) => v.every((x, i) => i === 0 || x < v[i - 1]);
const bySeverity = async (name: CorruptionName, f: (img: RgbImage) => number) => Promise.all(SEVERITIES.map(async (s) => f(await corrupted(name, s))));

dataTest(test)('every corruption changes the face more at each severity (mean absolute change), and the mosaic of all is written', async (t) => {
  const original = await getFace();
  const tiles: MosaicTile[] = [];
  const change = (img: RgbImage) => { let d = 0; for (let i = 0; i < img.data.length; i++) d += Math.abs(img.data[i] - original.data[i]); return d / img.data.length; };
  for (const c of CORRUPTIONS) {
    tiles.push({ image: original, label: c.name.slice(0, 8) });
    const changes: number[] = [];
    for (const s of SEVERITIES) {
      const img = await corrupted(c.name, s);
      t.is(img.width, 112); t.is(img.height, 112);
      changes.push(change(img));
      tiles.push({ image: img, label: String(s) });
    }
    t.log(`${c.name}: ${changes.map((v) => v.toFixed(2)).join(' ')}`);
    t.true(changes[0] > 0.4, `${c.name} severity 1 changes the face (${changes[0].toFixed(2)} grey levels)`);
    // Spatter switches from water (1-3) to mud (4-5): a different kind, not a larger amount.
    if (c.name !== 'spatter') t.true(increasing(changes), `${c.name}: mean absolute change ${changes.map((v) => v.toFixed(2)).join(' ')} must grow with severity`);
  }
  // The mosaic holds faces: written in this test's own folder, removed after it.
  const dir = await mkdtemp(join(tmpdir(), 'agekit-corruptions-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const mosaic = await writeMosaicPng(tiles, join(dir, 'mosaic.png'), { columns: 6, minTilePx: 112, textScale: 1 });
  t.is(tiles.length, 13 * 6);
  t.true(mosaic.width >= 6 * 112 && mosaic.height >= 13 * 112);
});

dataTest(test)('every corruption is deterministic for a seed, random ones change with the seed, and the input is untouched', async (t) => {
  const original = await getFace();
  const copy = Uint8Array.from(original.data);
  for (const name of CORRUPTION_NAMES) {
    const a = await corruptImage(original, name, 3, 7);
    const b = await corruptImage(original, name, 3, 7);
    t.deepEqual(a.data, b.data, `${name} repeats with the same seed`);
    t.notDeepEqual(a.data, original.data, `${name} changes the image`);
  }
  for (const name of ['gaussian_noise', 'shot_noise', 'motion_blur', 'spatter'] as const) {
    const a = await corruptImage(original, name, 3, 7);
    const b = await corruptImage(original, name, 3, 8);
    t.notDeepEqual(a.data, b.data, `${name} differs with another seed`);
  }
  t.deepEqual(original.data, copy);
});

dataTest(test)('blurs remove high-frequency energy, more at each severity', async (t) => {
  const base = highFrequency(await getFace());
  for (const name of ['defocus_blur', 'gaussian_blur', 'motion_blur', 'zoom_blur'] as const) {
    const hf = await bySeverity(name, highFrequency);
    t.true(hf[0] < base, `${name} severity 1 below the original`);
    t.true(decreasing(hf), `${name}: ${hf.map((v) => v.toFixed(1)).join(' ')}`);
  }
});

dataTest(test)('noise adds zero-mean variance that grows with severity', async (t) => {
  const original = await getFace();
  for (const name of ['gaussian_noise', 'shot_noise'] as const) {
    const stats = await Promise.all(SEVERITIES.map(async (s) => diffStats(original, await corrupted(name, s))));
    t.true(increasing(stats.map((d) => d.variance)), `${name} variance ${stats.map((d) => d.variance.toFixed(0)).join(' ')}`);
    // Clipping at 0 and 255 biases the mean a little; it stays far below the noise's spread.
    t.true(Math.abs(stats[0].mean) < 0.2 * Math.sqrt(stats[0].variance), `${name} mean ${stats[0].mean}`);
  }
  // Severity 1 gaussian noise has std 0.08 of full scale = 20.4 grey levels (less where clipped).
  const s1 = Math.sqrt(diffStats(original, await corrupted('gaussian_noise', 1)).variance);
  t.true(s1 > 17 && s1 < 21.5, `std ${s1}`);
});

dataTest(test)('brightness shifts the mean up or down, contrast scales the spread, monotonically', async (t) => {
  const original = await getFace();
  const m0 = mean(original.data), s0 = std(luma(original));
  const up = await bySeverity('brightness_plus', (i) => mean(i.data));
  const down = await bySeverity('brightness_minus', (i) => mean(i.data));
  t.true(up[0] > m0 && increasing(up), `up ${up.map((v) => v.toFixed(0))}`);
  t.true(down[0] < m0 && decreasing(down), `down ${down.map((v) => v.toFixed(0))}`);
  const less = await bySeverity('contrast', (i) => std(luma(i)));
  const more = await bySeverity('contrast_plus', (i) => std(luma(i)));
  t.true(less[0] < s0 && decreasing(less), `contrast ${less.map((v) => v.toFixed(1))}`);
  t.true(more[0] > s0 && increasing(more), `contrast_plus ${more.map((v) => v.toFixed(1))}`);
  // Contrast down keeps the channel means (no clipping when shrinking towards the mean).
  t.true(Math.abs(mean((await corrupted('contrast', 5)).data) - m0) < 1);
});

dataTest(test)('JPEG files shrink with severity and the decoded image shows 8x8 block edges', async (t) => {
  const original = await getFace();
  const sizes = await Promise.all(JPEG_QUALITY.map(async (q) => (await encodeJpeg(original, q)).length));
  t.true(decreasing(sizes), `bytes ${sizes.join(' ')}`);
  /** Mean |step| across block boundaries (x = 8k) over mean |step| inside blocks. */
  const blockiness = (img: RgbImage) => {
    const y = luma(img);
    let edge = 0, ne = 0, inner = 0, ni = 0;
    for (let r = 0; r < img.height; r++) for (let c = 1; c < img.width; c++) {
      const d = Math.abs(y[r * img.width + c] - y[r * img.width + c - 1]);
      if (c % 8 === 0) { edge += d; ne++; } else { inner += d; ni++; }
    }
    return (edge / ne) / (inner / ni);
  };
  const b0 = blockiness(original), b5 = blockiness(await corrupted('jpeg_compression', 5));
  t.true(b5 > 1.5 * b0 && b5 > 1.5, `blockiness ${b0.toFixed(2)} -> ${b5.toFixed(2)}`);
});

dataTest(test)('pixelate leaves blocks: runs of equal neighbours grow with severity', async (t) => {
  const equalNeighbours = (img: RgbImage) => {
    let eq = 0, n = 0;
    for (let r = 0; r < img.height; r++) for (let c = 1; c < img.width; c++) {
      const p = (r * img.width + c) * 3;
      if (img.data[p] === img.data[p - 3] && img.data[p + 1] === img.data[p - 2] && img.data[p + 2] === img.data[p - 1]) eq++;
      n++;
    }
    return eq / n;
  };
  const base = equalNeighbours(await getFace());
  const runs = await bySeverity('pixelate', equalNeighbours);
  t.true(runs[0] > base && increasing(runs), `equal neighbours ${base.toFixed(2)} -> ${runs.map((v) => v.toFixed(2)).join(' ')}`);
  // Severity 5 shrinks 112 px to 28: blocks of 4, so 3 of every 4 horizontal neighbours are equal.
  t.true(runs[4] > 0.7, `severity 5 ${runs[4]}`);
});

dataTest(test)('spatter adds pale turquoise water (severities 1-3) and brown mud (4-5) to part of the image', async (t) => {
  const original = await getFace();
  for (const s of SEVERITIES) {
    const img = await corrupted('spatter', s);
    let changed = 0, dG = 0, dR = 0, darker = 0;
    for (let i = 0; i < original.data.length; i += 3) {
      const r = img.data[i] - original.data[i], g = img.data[i + 1] - original.data[i + 1];
      if (Math.abs(r) + Math.abs(g) + Math.abs(img.data[i + 2] - original.data[i + 2]) > 6) {
        changed++; dR += r; dG += g;
        if (img.data[i] + img.data[i + 1] + img.data[i + 2] < original.data[i] + original.data[i + 1] + original.data[i + 2]) darker++;
      }
    }
    const share = changed / (original.data.length / 3);
    t.true(share > 0.005 && share < 0.6, `severity ${s}: ${(100 * share).toFixed(1)}% changed`);
    if (s <= 3) t.true(dG > 0 && dG >= dR * 0.9, `water brightens, green at least as much as red (s${s}: dR ${dR}, dG ${dG})`);
    else t.true(darker / changed > 0.8, `mud darkens (s${s}: ${darker}/${changed})`);
  }
});

test('corruption and severity lists parse, and bad ones are clear errors', (t) => {
  t.deepEqual(parseCorruptionList('all', '--corruptions'), [...CORRUPTION_NAMES]);
  t.deepEqual(parseCorruptionList('pixelate, spatter', '--corruptions'), ['pixelate', 'spatter']);
  t.throws(() => parseCorruptionList('fog', '--corruptions'), { instanceOf: DataError, message: /--corruptions: unknown corruption "fog"/ });
  t.deepEqual(parseSeverityList('1,3,5', '--severities'), [1, 3, 5]);
  t.throws(() => parseSeverityList('0,6', '--severities'), { instanceOf: DataError, message: /bad severity list "0,6"/ });
  t.is(CORRUPTIONS.filter((c) => c.group === 'blur').length, 4);
  t.is(CORRUPTIONS.filter((c) => c.group === 'noise').length, 2);
  t.is(CORRUPTIONS.filter((c) => c.group === 'digital').length, 7);
});
