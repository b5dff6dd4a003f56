/**
 * Cuts a byte stream of raw video (rgb24 or I420) into whole frames, whatever the chunking of
 * the pipe, and converts I420 (what rpicam-vid writes) to RGB.
 *
 * @example
 * const asm = new FrameAssembler(640, 480, 'rgb24');
 * for (const rgb of asm.push(chunk)) use(rgb);
 */

/** Raw pixel layouts a producer may write. */
export type RawPixelFormat = 'rgb24' | 'i420';

/** Bytes of one frame in a raw layout. */
export function rawFrameBytes(width: number, height: number, format: RawPixelFormat): number {
  return format === 'rgb24' ? width * height * 3 : width * height + 2 * (Math.ceil(width / 2) * Math.ceil(height / 2));
}

export class FrameAssembler {
  readonly frameBytes: number;
  private buf: Uint8Array;
  private filled = 0;

  constructor(readonly width: number, readonly height: number, readonly format: RawPixelFormat) {
    this.frameBytes = rawFrameBytes(width, height, format);
    this.buf = new Uint8Array(this.frameBytes);
  }

  /** Feed a chunk; returns every frame completed by it, as RGB bytes (HWC). */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(this.frameBytes - this.filled, chunk.length - off);
      this.buf.set(chunk.subarray(off, off + n), this.filled);
      this.filled += n;
      off += n;
      if (this.filled === this.frameBytes) {
        out.push(this.format === 'rgb24' ? this.buf : i420ToRgb(this.buf, this.width, this.height));
        this.buf = new Uint8Array(this.frameBytes);
        this.filled = 0;
      }
    }
    return out;
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
