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
}

export class CalibrationCollector implements Sink {
  readonly wantsPixels = true;
  private fh?: FileHandle;
  private count = 0;
  private readonly lastByTrack = new Map<number, number>();

  constructor(private readonly o: CalibrationCollectorOptions) {}

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
      if (!this.fh) {
        await mkdir(this.o.dir, { recursive: true });
        this.fh = await open(join(this.o.dir, CROPS_FILE), 'w');
      }
      await this.fh.write(crop.rgb);
      this.count++;
      if (this.count % 50 === 0 || this.count === this.o.samples) await this.writeManifest();
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
      await this.writeManifest();
      await this.fh.close();
      this.fh = undefined;
    }
  }
}
