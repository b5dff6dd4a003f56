// Real teachers on real UTKFace faces: our faceapi runner equals the face-api library, our faceres equals a plain tfjs pipeline.
import test from 'ava';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../core/backend/tfjs-backend.ts';
import { readRgb } from '../../../core/images.ts';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import { cropForTeacher } from '../../../host/distill/teacher-input.ts';
import { loadGraphModelFiles } from '../../../core/tfjs-model-files.ts';
import { builtinDescriptor, createTeacher, packageDir } from '../../../host/distill/teacher-registry.ts';
import { dataTest, utkfaceDir } from '../../support/shared-data.ts';

const require = createRequire(import.meta.url);

// One backend for the file: concurrent first calls of initBackend race on tfjs's setBackend.
test.before(async () => { await initBackend('wasm'); });

async function valFaces(n: number) {
  const ds = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=${n}:seed=3`);
  return Promise.all(ds.samples.map(async (s) => ({ sample: s, image: await readRgb(s.path) })));
}

dataTest(test)('faceapi teacher gives the ages the face-api library gives on the same crops', async (t) => {
  const faces = await valFaces(6);
  const teacher = await createTeacher(builtinDescriptor('faceapi'));
  const crops = faces.map((f) => cropForTeacher(teacher.descriptor, f.image));
  const { ages } = await teacher.predict(crops);
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  await faceapi.nets.ageGenderNet.loadFromDisk(join(packageDir('@vladmandic/face-api'), 'model'));
  for (let i = 0; i < crops.length; i++) {
    const x = tf.tensor3d(crops[i], [112, 112, 3], 'int32');
    const ref = await faceapi.nets.ageGenderNet.predictAgeAndGender(x);
    x.dispose();
    t.true(Math.abs(ref.age - ages[i]) < 1e-2, `${faces[i].sample.path}: ours ${ages[i]}, face-api ${ref.age}`);
  }
  await teacher.close();
});

dataTest(test)('faceres teacher (whole face, margin 0) matches a plain tfjs run of the graph on 0..255 RGB', async (t) => {
  const faces = await valFaces(4);
  const desc = builtinDescriptor('faceres');
  const teacher = await createTeacher({ ...desc, crop: { margin: 0, square: true } });
  const { ages, dist } = await teacher.predict(faces.map((f) => cropForTeacher(teacher.descriptor, f.image)));
  t.is(dist!.length, faces.length * 100);
  // Independent path: tfjs resize of the decoded image, raw 0..255 input, expected value over the 100 bins.
  const { model } = await loadGraphModelFiles(desc.model);
  let diff = 0;
  for (let i = 0; i < faces.length; i++) {
    const { width, height, data } = faces[i].image;
    const p = tf.tidy(() => {
      const x = tf.image.resizeBilinear(tf.tensor3d(data, [height, width, 3], 'int32').toFloat().expandDims(0) as tf.Tensor4D, [224, 224], false, true);
      return model.execute(x, 'age_pred/Softmax') as tf.Tensor;
    });
    const probs = await p.data();
    p.dispose();
    let age = 0;
    for (let k = 0; k < 100; k++) age += k * probs[k];
    diff += Math.abs(age - ages[i]);
    t.true(Math.abs(age - ages[i]) < 1.5, `${faces[i].sample.path}: ours ${ages[i].toFixed(2)}, plain tfjs ${age.toFixed(2)}`);
  }
  t.true(diff / faces.length < 0.6, `mean difference ${(diff / faces.length).toFixed(3)} years (resampling differs slightly)`);
  model.dispose();
  await teacher.close();
});
