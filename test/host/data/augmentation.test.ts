import test from 'ava';
import { applyPhotometric, drawAugmentation, parseAugmentation, parseBoxJitter, DEFAULT_AUGMENTATION_CONFIG } from '../../../host/data/augmentation.ts';
import { SeededRandom, mixSeeds } from '../../../host/data/seeded-random.ts';
import { UsageError } from '../../../core/errors.ts';

test('the same seed draws the same augmentation; another seed draws another', (t) => {
  const a = drawAugmentation('default', new SeededRandom(mixSeeds(7, 3)));
  const b = drawAugmentation('default', new SeededRandom(mixSeeds(7, 3)));
  const c = drawAugmentation('default', new SeededRandom(mixSeeds(7, 4)));
  t.deepEqual(a, b);
  t.notDeepEqual(a, c);
});

test('`no` draws nothing', (t) => {
  t.is(drawAugmentation('no', new SeededRandom(1)), undefined);
});

test('default draws follow the seed framework: clipped normals with the documented spreads, fair flips', (t) => {
  const c = DEFAULT_AUGMENTATION_CONFIG;
  const n = 20000;
  const draws = Array.from({ length: n }, (_, i) => drawAugmentation('default', new SeededRandom(mixSeeds(1, i)))!);
  const stats = (xs: number[]) => {
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    return { mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
  };
  const check = (name: string, xs: number[], mean: number, std: number, limit: number) => {
    const s = stats(xs);
    t.true(s.min >= mean - limit - 1e-12 && s.max <= mean + limit + 1e-12, `${name} within ${mean} +- ${limit}: ${s.min}..${s.max}`);
    t.true(s.min < mean - 0.9 * limit && s.max > mean + 0.9 * limit, `${name} reaches its clip: ${s.min}..${s.max}`);
    t.true(Math.abs(s.mean - mean) < 0.03 * limit, `${name} mean ${s.mean}`);
    // Clipping at 2 sd trims the spread a little: 0.88 sd is the truncated normal's value.
    t.true(s.sd > 0.8 * std && s.sd < std, `${name} sd ${s.sd} vs ${std}`);
  };
  check('rotation', draws.map((d) => d.jitter.angleDeg!), 0, c.rotationStdDeg, c.rotationMaxDeg);
  check('shear', draws.map((d) => d.jitter.shear!), 0, c.shearMax / 2, c.shearMax);
  check('dx', draws.map((d) => d.jitter.dx!), 0, c.boxJitter / 2, c.boxJitter);
  check('dy', draws.map((d) => d.jitter.dy!), 0, c.boxJitter / 2, c.boxJitter);
  check('scale', draws.map((d) => d.jitter.scale!), 1, c.boxJitter, 2 * c.boxJitter);
  check('contrast', draws.map((d) => d.contrast), 1, c.contrastStd, c.contrastMax);
  check('brightness', draws.map((d) => d.brightness), 0, c.brightnessStd, c.brightnessMax);
  const flips = draws.filter((d) => d.jitter.flip).length / n;
  t.true(Math.abs(flips - 0.5) < 0.02, `flip rate ${flips}`);
});

test('photometric values are (x - 128) * a + 128 + b, clamped to 0..255, unrounded', (t) => {
  const rgb = Uint8Array.from({ length: 256 * 3 }, (_, i) => Math.floor(i / 3));
  const rng = new SeededRandom(5);
  for (let k = 0; k < 20; k++) {
    const contrast = 0.5 + rng.next(), brightness = -48 + 96 * rng.next();
    const out = applyPhotometric(rgb, { contrast, brightness });
    for (let i = 0; i < rgb.length; i++) {
      const want = Math.min(255, Math.max(0, (rgb[i] - 128) * contrast + 128 + brightness));
      t.true(Math.abs(out[i] - want) < 1e-3, `x=${rgb[i]} a=${contrast} b=${brightness}: ${out[i]} vs ${want}`);
    }
  }
  const flat = applyPhotometric(Uint8Array.of(10, 128, 250), { contrast: 1.5, brightness: 20 });
  t.deepEqual([...flat], [0, 148, 255]);
});

test('an unknown augmentation name is a usage error naming the flag', (t) => {
  t.is(parseAugmentation('default'), 'default');
  const e = t.throws(() => parseAugmentation('heavy'), { instanceOf: UsageError });
  t.true(e!.message.includes('--augmentation') && e!.message.includes('default, no'), e!.message);
});

test('seeded shuffles are permutations and repeat for the same seed', (t) => {
  const a = new SeededRandom(3).shuffle(Array.from({ length: 100 }, (_, i) => i));
  const b = new SeededRandom(3).shuffle(Array.from({ length: 100 }, (_, i) => i));
  t.deepEqual(a, b);
  t.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  t.notDeepEqual(a, Array.from({ length: 100 }, (_, i) => i));
});

test('measured box jitter replaces the seed\'s: each axis N(0, sd) clipped to 2 sd; bad values name --box-jitter', (t) => {
  const std = parseBoxJitter('0.014, 0.02,0.034');
  t.deepEqual(std, { dx: 0.014, dy: 0.02, scale: 0.034 });
  const config = { ...DEFAULT_AUGMENTATION_CONFIG, boxJitterStd: std };
  const draws = Array.from({ length: 20000 }, (_, i) => drawAugmentation('default', new SeededRandom(mixSeeds(2, i)), config)!.jitter);
  const sdOf = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
  for (const [name, xs, sd] of [['dx', draws.map((d) => d.dx!), 0.014], ['dy', draws.map((d) => d.dy!), 0.02], ['scale', draws.map((d) => d.scale! - 1), 0.034]] as const) {
    // Clipping a normal at 2 sd (values beyond move to the clip) keeps 96% of its spread.
    t.true(Math.abs(sdOf([...xs]) / sd - 0.962) < 0.02, `${name} sd ${sdOf([...xs])}`);
    t.true(Math.max(...xs.map(Math.abs)) <= 2 * sd + 1e-12, `${name} clipped`);
  }
  t.throws(() => parseBoxJitter('0.1,0.1'), { instanceOf: UsageError, message: /--box-jitter.*0\.1,0\.1/ });
});
