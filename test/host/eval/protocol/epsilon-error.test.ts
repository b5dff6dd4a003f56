import test from 'ava';
import { DataError } from '../../../../core/errors.ts';
import { epsilonError, epsilonErrorOne } from '../../../../host/eval/protocol/epsilon-error.ts';

test('a prediction one sigma off scores 1 - exp(-1/2)', (t) => {
  // Hand-computed: 1 - e^-0.5 = 0.393469...
  t.true(Math.abs(epsilonErrorOne(30, 25, 5) - 0.3934693402873666) < 1e-12);
  t.is(epsilonErrorOne(25, 25, 5), 0);
});

test('the mean over a set matches hand-computed values', (t) => {
  // (0) + (1 - e^-2) + (1 - e^-(9/8)) = 0 + 0.8646647168 + 0.6753475326 ; / 3 = 0.5133374165
  const e = epsilonError([20, 10, 43], [20, 14, 40], [3, 2, 2]);
  t.true(Math.abs(e - 0.5133374164734069) < 1e-9, `got ${e}`);
});

test('a zero sigma is the limit: 0 when exact, 1 otherwise', (t) => {
  t.is(epsilonErrorOne(30, 30, 0), 0);
  t.is(epsilonErrorOne(30.5, 30, 0), 1);
});

test('mismatched lengths, an empty set and a negative sigma are clear errors', (t) => {
  t.throws(() => epsilonError([1, 2], [1], [1, 1]), { instanceOf: DataError, message: /lengths differ \(pred 2, mu 1, sigma 2\)/ });
  t.throws(() => epsilonError([], [], []), { instanceOf: DataError, message: /no samples/ });
  t.throws(() => epsilonError([1], [1], [-1]), { instanceOf: DataError, message: /sigma -1 at index 0/ });
});
