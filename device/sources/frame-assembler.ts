/**
 * Cuts a byte stream of raw video (rgb24 or I420) into whole frames, whatever the chunking of
 * the pipe, and converts I420 (what rpicam-vid writes) to RGB. Frames come from a FramePool:
 * release each one when done with it and the next frame reuses its memory.
 *
 * @example
 * const asm = new FrameAssembler(640, 480, 'rgb24');
 * for (const rgb of asm.push(chunk)) { use(rgb); asm.release(rgb); }
 */
import { FramePool } from './frame-pool.ts';

/** Raw pixel layouts a producer may write. */
export type RawPixelFormat = 'rgb24' | 'i420';

/** Bytes of one frame in a raw layout. */
export function rawFrameBytes(width: number, height: number, format: RawPixelFormat): number {
  return format === 'rgb24' ? width * height * 3 : width * height + 2 * (Math.ceil(width / 2) * Math.ceil(height / 2));
}

export class FrameAssembler {
  readonly frameBytes: number;
  /** Where the RGB frames come from; shared with the source so it survives restarts of the producer. */
  readonly pool: FramePool;
  /** The frame being filled: an RGB frame from the pool (rgb24), or one private I420 buffer converted on completion. */
  private buf?: Uint8Array;
  private filled = 0;

  /** @param pool RGB frame buffers of `width * height * 3` bytes; default a private pool. */
  constructor(readonly width: number, readonly height: number, readonly format: RawPixelFormat, pool?: FramePool) {
    this.frameBytes = rawFrameBytes(width, height, format);
    const rgbBytes = width * height * 3;
    if (pool && pool.bytes !== rgbBytes) throw new RangeError(`FrameAssembler: pool buffers are ${pool.bytes} bytes, a ${width}x${height} RGB frame needs ${rgbBytes}`);
    this.pool = pool ?? new FramePool(rgbBytes);
  }

  /**
   * Feed a chunk; returns every frame completed by it, as RGB bytes (HWC). Each is the caller's
   * until given back with {@link release} (never released, it is garbage collected instead).
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let off = 0;
    while (off < chunk.length) {
      // Taken when the first byte arrives, not after the last frame: a frame released meanwhile is reused.
      const buf = (this.buf ??= this.format === 'rgb24' ? this.pool.acquire() : new Uint8Array(this.frameBytes));
      const n = Math.min(this.frameBytes - this.filled, chunk.length - off);
      buf.set(chunk.subarray(off, off + n), this.filled);
      this.filled += n;
      off += n;
      if (this.filled === this.frameBytes) {
        if (this.format === 'rgb24') {
          out.push(buf);
          this.buf = undefined;
        } else {
          out.push(i420ToRgb(buf, this.width, this.height, this.pool.acquire()));
        }
        this.filled = 0;
      }
    }
    return out;
  }

  /** Give back a frame returned by {@link push} once nothing reads it any more. Other buffers are ignored. */
  release(rgb: Uint8Array): void {
    this.pool.release(rgb);
  }

  /** Bytes of an incomplete frame held (a producer that died mid-frame left a bad frame). */
  get partialBytes(): number {
    return this.filled;
  }

  reset(): void {
    this.filled = 0;
  }
}

/** Convert planar I420 (BT.601 limited range, as cameras write) to interleaved RGB. */
export function i420ToRgb(yuv: Uint8Array, width: number, height: number, out?: Uint8Array): Uint8Array {
  const rgb = out ?? new Uint8Array(width * height * 3);
  const cw = Math.ceil(width / 2), ch = Math.ceil(height / 2);
  const uOff = width * height, vOff = uOff + cw * ch;
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const crow = (y >> 1) * cw;
    for (let x = 0; x < width; x++) {
      const c = 1.164 * (yuv[y * width + x] - 16);
      const u = yuv[uOff + crow + (x >> 1)] - 128;
      const v = yuv[vOff + crow + (x >> 1)] - 128;
      rgb[o++] = clamp(Math.round(c + 1.596 * v));
      rgb[o++] = clamp(Math.round(c - 0.392 * u - 0.813 * v));
      rgb[o++] = clamp(Math.round(c + 2.017 * u));
    }
  }
  return rgb;
}
