// --collect-calibration on a full disk (a real tmpfs): whole crops only, a manifest that matches, losses counted.
import test from 'ava';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { CalibrationCollector } from '../../../device/sinks/calibration-collector.ts';
import { openRepresentativeSet } from '../../../core/contract/representative-set-dir.ts';
import type { Frame, FrameResult } from '../../../device/stages.ts';
import { mountSmallDisk } from '../../support/tmpfs.ts';

const meta = { inputSize: [64, 64] as [number, number], preprocessing: 'vggface2' as const, crop: { margin: 0.1, square: true } };

test('crops that do not fit are counted as not written; crops.u8 holds whole crops and the manifest says how many', async (t) => {
  const disk = mountSmallDisk(t, '256k');
  if (!disk) return;
  const out = join(disk.dir, 'set');
  const events: string[] = [];
  const sink = new CalibrationCollector({ dir: out, samples: 100, meta, source: 'v4l2:/dev/video0', minGapMs: 0, onEvent: (m) => events.push(m) });
  const frame: Frame = { index: 0, tMs: 0, width: 64, height: 64, rgb: new Uint8Array(64 * 64 * 3) };
  for (let i = 0; i < 40; i++) {
    const rgb = new Uint8Array(64 * 64 * 3).fill(i); // 12 KB each: about 20 fit in 256 KB
    const r: FrameResult = { frame: i, tMs: i * 1000, width: 64, height: 64, ended: [], faces: [{ track: 1, box: { x: 0, y: 0, w: 64, h: 64, score: 1 }, dwellMs: 0 }], stageMs: { capture: 0, detect: 0, crop: 0, estimate: 0, track: 0, output: 0, total: 0 } };
    await sink.write(r, { frame, crops: [{ box: r.faces[0].box, rgb }] });
  }
  const h = sink.outputHealth();
  t.log(JSON.stringify(h));
  t.true(h.written > 0 && h.not_written > 0);
  t.is(h.written + h.not_written, 40);
  t.is(events.filter((e) => /not written from now on \(ENOSPC/.test(e)).length, 1, events.join('\n'));
  await sink.close().catch(() => undefined); // the final manifest may not fit either; the last one written stands
  const size = statSync(join(out, 'crops.u8')).size;
  t.is(size % (64 * 64 * 3), 0, 'no partial crop');
  const set = await openRepresentativeSet(out);
  t.true(set.count! <= size / (64 * 64 * 3), `manifest ${set.count}, file ${size / (64 * 64 * 3)} crops`);
});
