// Age metrics against values computed by hand.
import test from 'ava';
import { ageMetrics, constantPredictionMae, decadeOf, metricsToJson } from '../../../host/eval/metrics.ts';

// Four samples: errors (pred - truth) = +2, -3, 0.5, -10.
const pred = Float32Array.of(27, 42, 8.5, 95);
const truth = Float32Array.of(25, 45, 8, 105);

test('MAE, MSE and bias follow their definitions', (t) => {
  const m = ageMetrics(pred, truth);
  t.is(m.n, 4);
  t.true(Math.abs(m.mae - (2 + 3 + 0.5 + 10) / 4) < 1e-9); // 3.875
  t.true(Math.abs(m.mse - (4 + 9 + 0.25 + 100) / 4) < 1e-9); // 28.3125
  t.true(Math.abs(m.bias - (2 - 3 + 0.5 - 10) / 4) < 1e-9); // -2.625
});

test('per-decade MAE and signed error group by the true age, with 100+ pooled', (t) => {
  const m = ageMetrics(Float32Array.of(27, 21, 42, 8.5, 95), Float32Array.of(25, 29, 45, 8, 105));
  t.deepEqual(m.byDecade.map((d) => [d.decade, d.n]), [['0-9', 1], ['20-29', 2], ['40-49', 1], ['100+', 1]]);
  const twenties = m.byDecade[1];
  t.true(Math.abs(twenties.mae - (2 + 8) / 2) < 1e-9);
  t.true(Math.abs(twenties.bias - (2 - 8) / 2) < 1e-9);
  t.is(m.byDecade[3].from, 100);
  t.true(Math.abs(m.byDecade[3].bias + 10) < 1e-9);
});

test('share of samples with |error| >= t counts the boundary as reached', (t) => {
  const m = ageMetrics(pred, truth); // |errors| 2, 3, 0.5, 10
  const share = Object.fromEntries(m.shareAbsErrorAtLeast.map((s) => [s.years, s.share]));
  t.is(share[1], 3 / 4);
  t.is(share[2], 3 / 4);
  t.is(share[3], 2 / 4);
  t.is(share[4], 1 / 4);
  t.is(share[10], 1 / 4);
  t.is(m.shareAbsErrorAtLeast.length, 10);
});

test('decades: 0-9 for 0, 10-19 for 19.9, open decade from 100', (t) => {
  t.is(decadeOf(0), 0);
  t.is(decadeOf(19.9), 1);
  t.is(decadeOf(100), 10);
  t.is(decadeOf(116), 10);
});

test('a missing label or prediction is an error, not a silent zero', (t) => {
  t.throws(() => ageMetrics(Float32Array.of(1, 2), Float32Array.of(1, NaN)), { message: /sample 1/ });
  t.throws(() => ageMetrics(Float32Array.of(1), Float32Array.of(1, 2)), { message: /1 predictions for 2/ });
});

test('constant-prediction baseline MAE and the JSON wire format', (t) => {
  t.is(constantPredictionMae(30, Float32Array.of(20, 30, 45)), (10 + 0 + 15) / 3);
  const json = metricsToJson(ageMetrics(pred, truth)) as Record<string, unknown>;
  for (const key of ['n', 'mae', 'mse', 'bias', 'by_decade']) t.true(key in json, key);
  t.is((json.share_abs_error_at_least as Record<string, number>)['3'], 0.5);
});
