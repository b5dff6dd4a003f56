// Age-output calibration on synthetic (prediction, truth) pairs checked against values worked
// out by hand: pool-adjacent-violators, per-decade bias by predicted decade, the seeded split,
// and `auto` keeping the candidate with the lower held-apart MAE.
import test from 'ava';
import { calibrateAge, parseModelMetadata, defaultReadout, METADATA_FORMAT, METADATA_VERSION } from '../../core/contract/model-metadata.ts';
import { DataError } from '../../core/errors.ts';
import { fitIsotonic } from '../../calibration/isotonic-regression.ts';
import { fitDecadeBias } from '../../calibration/decade-bias.ts';
import { applyAgeCalibration, fitAgeCalibration, splitForCalibration } from '../../calibration/fit-age-calibration.ts';
import { ageMetrics } from '../../host/eval/metrics.ts';

test('PAV pools adjacent violators into their mean and keeps block ends as knots', (t) => {
  // Sorted by prediction: (10,12) (20,11) (30,35) (40,20) (50,26) (60,60).
  // (10,12)(20,11) violate -> 11.5 over x 10..20; (30,35)(40,20) violate -> 27.5, then with (50,26): (35+20+26)/3 = 27.
  const cal = fitIsotonic([40, 10, 60, 20, 50, 30], [20, 12, 60, 11, 26, 35]);
  t.deepEqual(cal.x, [10, 20, 30, 50, 60]);
  t.deepEqual(cal.y, [11.5, 11.5, 27, 27, 60]);
  t.is(cal.n, 6);
});

test('PAV pools equal predictions first, so knots are strictly increasing', (t) => {
  // x=5 twice (truths 10, 20 -> 15), x=7 (truth 12) violates 15 -> (10+20+12)/3 = 14 over x 5..7.
  const cal = fitIsotonic([5, 5, 7, 9], [10, 20, 12, 30]);
  t.deepEqual(cal.x, [5, 7, 9]);
  t.deepEqual(cal.y, [14, 14, 30]);
  // The metadata validator accepts it (strict x, non-decreasing y).
  t.notThrows(() => parseModelMetadata({
    format: METADATA_FORMAT, version: METADATA_VERSION, net: 'n', inputSize: [8, 8], preprocessing: 'no', head: 'regression',
    readout: defaultReadout('regression'), crop: { margin: 0, square: true }, ageCalibration: cal,
  }, 'test'));
});

test('PAV output is the least-squares monotone fit: already-monotone data is left exact', (t) => {
  const cal = fitIsotonic([1, 2, 3, 4], [3, 5, 8, 13]);
  t.deepEqual(cal.x, [1, 2, 3, 4]);
  t.deepEqual(cal.y, [3, 5, 8, 13]);
  t.is(calibrateAge(2.5, cal), 6.5); // linear between knots
  t.is(calibrateAge(0, cal), 3); // constant outside
  t.is(calibrateAge(99, cal), 13);
});

test('decade bias is the mean signed error per PREDICTED decade; empty decades get 0', (t) => {
  // Decade 0: (5-3)+(8-6) = 4 over 2 -> 2; decade 1: none -> 0; decade 2: 25-30 = -5.
  const cal = fitDecadeBias([5, 8, 25], [3, 6, 30]);
  t.deepEqual(cal.bias, [2, 0, -5]);
  t.is(calibrateAge(7, cal), 5);
  t.is(calibrateAge(22, cal), 27);
  t.is(calibrateAge(95, cal), 100); // last stored decade is open-ended
});

test('fitting needs pairs', (t) => {
  t.throws(() => fitIsotonic([], []), { instanceOf: DataError });
  t.throws(() => fitDecadeBias([1, 2], [1]), { instanceOf: DataError });
  t.throws(() => fitIsotonic([1, NaN], [1, 2]), { instanceOf: DataError, message: /prediction NaN/ });
});

test('the split is seeded, disjoint and covers every pair', (t) => {
  const a = splitForCalibration(100, 0.3, 4), b = splitForCalibration(100, 0.3, 4), c = splitForCalibration(100, 0.3, 5);
  t.deepEqual(a, b);
  t.notDeepEqual(a.heldApart, c.heldApart);
  t.is(a.heldApart.length, 30);
  t.deepEqual([...a.fit, ...a.heldApart].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  t.throws(() => splitForCalibration(1, 0.3, 0), { instanceOf: DataError, message: /cannot be split/ });
});

/** A model that compresses ages toward 35 (young said older, old said younger), with noise. */
function compressedPairs(n: number): { pred: Float32Array; truth: Float32Array } {
  let s = 1;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const truth = Float32Array.from({ length: n }, () => 1 + Math.floor(rnd() * 90));
  const pred = Float32Array.from(truth, (a) => 35 + 0.5 * (a - 35) + (rnd() - 0.5) * 6);
  return { pred, truth };
}

test('auto keeps the candidate with the lower held-apart MAE, and before/after are held-apart metrics', (t) => {
  const { pred, truth } = compressedPairs(600);
  const fit = fitAgeCalibration(pred, truth, { method: 'auto', holdout: 0.3, seed: 2, fittedOn: 'synthetic' });
  t.is(fit.nFit + fit.nHeldApart, 600);
  t.is(fit.candidates.length, 2);
  const best = Math.min(...fit.candidates.map((c) => c.heldApartMae));
  t.is(fit.candidates.find((c) => c.kind === fit.chosen)!.heldApartMae, best);
  t.is(fit.calibration.fittedOn, 'synthetic');
  // Recompute the held-apart metrics from the split itself.
  const { heldApart } = splitForCalibration(600, 0.3, 2);
  const hp = Float32Array.from(heldApart, (i) => pred[i]), ht = Float32Array.from(heldApart, (i) => truth[i]);
  t.is(fit.before.mae, ageMetrics(hp, ht).mae);
  t.is(fit.after.mae, ageMetrics(applyAgeCalibration(hp, fit.calibration), ht).mae);
  // A slope-0.5 compression: the monotone correction must remove most of the error and the age-dependent bias.
  t.true(fit.after.mae < fit.before.mae * 0.5, `MAE ${fit.before.mae} -> ${fit.after.mae}`);
  const oldest = fit.before.byDecade.at(-1)!, oldestAfter = fit.after.byDecade.at(-1)!;
  t.true(oldest.bias < -10 && Math.abs(oldestAfter.bias) < Math.abs(oldest.bias) / 2, `${oldest.bias} -> ${oldestAfter.bias}`);
});

test('an explicit method is fitted alone', (t) => {
  const { pred, truth } = compressedPairs(200);
  const fit = fitAgeCalibration(pred, truth, { method: 'decade_bias' });
  t.is(fit.chosen, 'decade_bias');
  t.is(fit.calibration.kind, 'decade_bias');
  t.deepEqual(fit.candidates.map((c) => c.kind), ['decade_bias']);
});
