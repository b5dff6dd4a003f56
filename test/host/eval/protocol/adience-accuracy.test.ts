import test from 'ava';
import { DataError } from '../../../../core/errors.ts';
import { ADIENCE_GROUP_LABELS, ageToAdienceGroup, averageFolds, confusionMatrix, groupAccuracy } from '../../../../host/eval/protocol/adience-accuracy.ts';

test('exact and 1-off accuracy count the same class and adjacent classes', (t) => {
  // truth 0 1 2 3 4 5 6 7 ; pred 0 2 2 5 4 4 7 7 -> exact at 0,2,4,7 (4/8); 1-off adds 1 (2 vs 1), 5 (4 vs 5), 6 (7 vs 6) = 7/8
  const r = groupAccuracy([0, 2, 2, 5, 4, 4, 7, 7], [0, 1, 2, 3, 4, 5, 6, 7]);
  t.deepEqual(r, { n: 8, exact: 0.5, oneOff: 0.875 });
});

test('the confusion matrix has true classes as rows and predicted as columns', (t) => {
  const m = confusionMatrix([0, 1, 1, 2, 0], [0, 0, 1, 2, 2], 3);
  t.deepEqual(m, [[1, 1, 0], [0, 1, 0], [1, 0, 1]]);
  t.throws(() => confusionMatrix([3], [0], 3), { instanceOf: DataError, message: /class index out of 0..2 at sample 0 \(true 0, predicted 3\)/ });
});

test('ages map to their group, gaps to the nearer group', (t) => {
  t.deepEqual(ADIENCE_GROUP_LABELS, ['0-2', '4-6', '8-12', '15-20', '25-32', '38-43', '48-53', '60-100']);
  t.is(ageToAdienceGroup(1), 0);
  t.is(ageToAdienceGroup(3), 0); // tie between 2 and 4: the younger group
  t.is(ageToAdienceGroup(13.4), 2); // 1.4 from 12, 1.6 from 15
  t.is(ageToAdienceGroup(14.1), 3);
  t.is(ageToAdienceGroup(36), 5);
  t.is(ageToAdienceGroup(30), 4);
  t.is(ageToAdienceGroup(57), 7);
  t.is(ageToAdienceGroup(110), 7);
});

test('fold averages weigh each fold the same', (t) => {
  const avg = averageFolds([{ n: 10, exact: 0.5, oneOff: 0.9 }, { n: 30, exact: 0.7, oneOff: 0.8 }]);
  t.is(avg.n, 40);
  t.true(Math.abs(avg.exact - 0.6) < 1e-12);
  t.true(Math.abs(avg.oneOff - 0.85) < 1e-12);
  t.throws(() => groupAccuracy([1, 2], [1]), { instanceOf: DataError, message: /lengths differ/ });
});
