/**
 * `--collect-calibration <dir> --samples N`: keep face crops from the device's own camera as a
 * representative set for full-integer quantization, so int8 ranges match the real camera and
 * light. Crops are the model's input (after square + margin + resize), stored as raw uint8 RGB,
 * one after another in `crops.u8`, with `manifest.json`: the representative-set folder format of
 * core/contract/representative-set-dir.ts, so openRepresentativeSet reads it and `agekit convert
 * --quantize int8 --calibration <dir>` takes it as it is.
 * Crops are kept at most one per track every `minGapMs`, so one lingering face does not fill the set.
 *
 * @example
 * const sink = new CalibrationCollector({ dir: 'calib', samples: 300, meta: estimator.meta, source: 'v4l2:/dev/video0' });
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-file.ts';
import { CROPS_FILE, MANIFEST_FILE, representativeSetManifest } from '../../core/contract/representative-set-dir.ts';
import type { ModelMetadata } from '../../core/contract/model-metadata.ts';
import type { FramePixels, FrameResult, Sink } from '../stages.ts';
import { writeFaultOf } from '../../core/errors.ts';
import { OutputHealthTracker, type DegradableOutput, type OutputHealth, type OutputHealthOptions } from './output-health.ts';


export interface CalibrationCollectorOptions {
  dir: string;
  /** Crops to collect; collection stops there. */
  samples: number;
  meta: Pick<ModelMetadata, 'inputSize' | 'preprocessing' | 'crop'>;
  /** The source spec, recorded in the manifest. */
  source: string;
  /** Least time between two crops of one track. Default 500 ms. */
  minGapMs?: number;
  /** Called once when `samples` crops are stored. */
  onDone?: (count: number) => void;
  /** Status lines when the disk refuses crops and when it takes them again. */
  onEvent?: OutputHealthOptions['onEvent'];
}

export class CalibrationCollector implements Sink, DegradableOutput {
  readonly wantsPixels = true;
  private fh?: FileHandle;
  private count = 0;
  /** Bytes of whole crops in crops.u8 (a write cut by a full disk is cut back to this). */
  private bytes = 0;
  private readonly lastByTrack = new Map<number, number>();
  private readonly health: OutputHealthTracker;

  constructor(private readonly o: CalibrationCollectorOptions) {
    this.health = new OutputHealthTracker('calibration crops', o.dir, { onEvent: o.onEvent });
  }

  outputHealth(): OutputHealth {
    return this.health.health();
  }

  /** Crops stored so far. */
  get collected(): number {
    return this.count;
  }

  async write(r: FrameResult, pixels?: FramePixels): Promise<void> {
    if (!pixels || this.count >= this.o.samples) return;
    const [h, w] = this.o.meta.inputSize;
    for (let i = 0; i < r.faces.length && i < pixels.crops.length && this.count < this.o.samples; i++) {
      const crop = pixels.crops[i];
      if (crop.rgb.length !== h * w * 3) continue;
      const last = this.lastByTrack.get(r.faces[i].track);
      if (last !== undefined && r.tMs - last < (this.o.minGapMs ?? 500)) continue;
      this.lastByTrack.set(r.faces[i].track, r.tMs);
      if (!this.health.shouldTry()) { this.health.fault(); continue; }
      try {
        if (!this.fh) {
          await mkdir(this.o.dir, { recursive: true });
          this.fh = await open(join(this.o.dir, CROPS_FILE), 'w');
        }
        for (let done = 0; done < crop.rgb.length;) done += (await this.fh.write(crop.rgb, done, crop.rgb.length - done, this.bytes + done)).bytesWritten;
        this.bytes += crop.rgb.length;
        this.count++;
        if (this.count % 50 === 0 || this.count === this.o.samples) await this.writeManifest();
        this.health.ok();
      } catch (err) {
        const fault = writeFaultOf(err);
        if (!fault) throw err;
        // The manifest counts only whole crops: cut a partial one back.
        await this.fh?.truncate(this.bytes).catch(() => undefined);
        this.health.fault(fault);
        continue;
      }
      if (this.count === this.o.samples) this.o.onDone?.(this.count);
    }
  }

  private async writeManifest(): Promise<void> {
    await this.fh?.sync();
    const m = this.o.meta;
    const manifest = representativeSetManifest({
      inputSize: m.inputSize, preprocessing: m.preprocessing, crop: m.crop, source: this.o.source, count: this.count,
      collectedBy: 'agekit run --collect-calibration', created: new Date().toISOString(), stratification: 'uniform',
    });
    await writeFileAtomic(join(this.o.dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  }

  async close(): Promise<void> {
    if (this.fh) {
      try {
        await this.writeManifest();
      } finally {
        await this.fh.close();
        this.fh = undefined;
      }
    }
  }
}
