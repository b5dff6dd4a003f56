// The device's boxes for a dataset, cached once: real UTKFace faces in camera frames, the shipped
// BlazeFace, boxes mapped back into each chip and written as a csv: label file that loads and crops.
import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlazeFaceDetector } from '../../../device/detectors/blazeface-detector.ts';
import { defaultDetectorPath } from '../../../device/pipeline.ts';
import { loadDataset } from '../../../host/data/load-dataset.ts';
import { detectDatasetBoxes, writeDetectorBoxes } from '../../../host/data/detector-boxes.ts';
import { batchStream } from '../../../host/data/batch-stream.ts';
import { dataTest, utkfaceDir } from '../../support/shared-data.ts';

dataTest(test)('boxes of 8 val faces: found in every frame, inside each 200x200 chip about 0.9 of its side, noise split by face, written as a loadable csv:', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'agekit-boxes-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ds = await loadDataset(`utkface:${utkfaceDir()}:split=val:limit=8:seed=12`);
  const detector = await BlazeFaceDetector.create({ modelPath: defaultDetectorPath(), threads: 1 });
  try {
    const r = await detectDatasetBoxes(ds, { detector, placements: 3, seed: 5 });
    t.is(r.boxes.length, 8);
    for (const d of r.boxes) {
      t.is(d.found, 3, d.sample.path);
      const cx = d.box.x + d.box.w / 2, cy = d.box.y + d.box.h / 2;
      t.true(d.box.w > 140 && d.box.w < 215 && Math.abs(cx - 100) < 30 && Math.abs(cy - 100) < 30, JSON.stringify(d.box));
    }
    const n = r.noise!;
    t.is(n.n, 24); t.is(n.faces, 8);
    t.true(n.scale.withinFaceSd! > 0 && n.scale.withinFaceSd! < n.scale.sd + 0.02, JSON.stringify(n.scale));
    const csv = join(dir, 'boxes.csv');
    await writeDetectorBoxes(r, csv, { dataset: ds.spec });
    const sidecar = JSON.parse(await readFile(join(dir, 'boxes.json'), 'utf8'));
    t.is(sidecar.faces, 8); t.is(sidecar.box_noise.n, 24);
    t.true(sidecar.box_noise.dx.within_face_sd >= 0);
    // The cache is a csv: dataset: same faces and ages, now with the detector's boxes, and it crops.
    const back = await loadDataset(`csv:${csv}:split=val`);
    t.deepEqual(back.samples.map((s) => [s.path, s.age]), ds.samples.map((s) => [s.path, s.age]));
    back.samples.forEach((s, i) => t.true(Math.abs(s.box!.w - r.boxes[i].box.w) < 0.01));
    let n64 = 0;
    for await (const b of batchStream(back, { inputSize: [64, 64], preprocessing: 'vggface2', batchSize: 8, workers: 0 })) n64 += b.n;
    t.is(n64, 8);
  } finally {
    await detector.close();
  }
});
