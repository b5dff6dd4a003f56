import test from 'ava';
import { parseModelMetadata, readAges, calibrateAge, defaultReadout, type ModelMetadata } from '../../../core/contract/model-metadata.ts';

const valid: ModelMetadata = {
  format: 'agekit-model', version: 1, net: 'mobilenet64', inputSize: [64, 64], preprocessing: 'vggface2',
  head: 'dex', readout: defaultReadout('dex'), crop: { margin: 0.1, square: true },
};

test('valid metadata parses', (t) => {
  t.is(parseModelMetadata(JSON.parse(JSON.stringify(valid)), 'agekit.json').net, 'mobilenet64');
});

test('invalid fields are named with the file and the value received', (t) => {
  const err = t.throws(() => parseModelMetadata({ ...valid, preprocessing: 'bgr' }, 'run/best/agekit.json'));
  t.regex(err!.message, /^run\/best\/agekit\.json: metadata field "preprocessing" is invalid \("bgr"\)/);
  t.regex(t.throws(() => parseModelMetadata({ ...valid, format: 'x' }, 'm.json'))!.message, /format/);
  t.regex(t.throws(() => parseModelMetadata({ ...valid, inputSize: [64] }, 'm.json'))!.message, /inputSize/);
  t.regex(t.throws(() => parseModelMetadata({ ...valid, ageCalibration: { kind: 'isotonic', x: [1, 0], y: [0, 1] } }, 'm.json'))!.message, /not monotone/);
});

test('the expected-value read-out renormalizes and the scalar read-out takes the first column', (t) => {
  const dist = new Float32Array(101 * 2);
  dist[30] = 0.5; dist[40] = 0.5; // item 0: 35
  dist[101 + 10] = 2; // item 1: unnormalized mass, still 10
  t.deepEqual(Array.from(readAges(dist, 2, defaultReadout('dex'))), [35, 10]);
  t.deepEqual(Array.from(readAges(new Float32Array([12, 40]), 2, defaultReadout('regression'))), [12, 40]);
});

test('isotonic calibration interpolates between knots and clamps outside; decade bias subtracts', (t) => {
  const iso = { kind: 'isotonic' as const, x: [10, 20, 40], y: [12, 22, 50] };
  t.is(calibrateAge(5, iso), 12);
  t.is(calibrateAge(15, iso), 17);
  t.is(calibrateAge(30, iso), 36);
  t.is(calibrateAge(90, iso), 50);
  t.is(calibrateAge(25, { kind: 'decade_bias', bias: [0, 0, -3] }), 28);
  t.is(calibrateAge(25, undefined), 25);
});
