/**
 * A simulated head turn for test faces: a 2D warp of a frontal face tile that moves its vertical
 * midline (the nose) sideways, stretching one half of the face and compressing the other, as a
 * turned head shows one cheek wider than the other. It is not a real head turn: nothing is
 * occluded, the ears do not move round and the nose keeps its frontal shape.
 */

/**
 * @param shift where the midline goes, as a fraction of the half width: 0 leaves the face
 *   frontal, 0.6 moves the midline 60% of the way to the image's right edge (the person turned to
 *   their left), negative to the left
 * @returns a function from a `size x size` RGB tile to the warped tile
 */
export function yawWarp(shift: number): (rgb: Uint8Array, size: number) => Uint8Array {
  if (!(Math.abs(shift) < 1)) throw new Error(`yawWarp: shift must be in (-1, 1) (got ${shift})`);
  return (rgb, size) => {
    const out = new Uint8Array(rgb.length);
    const half = size / 2, mid = half * (1 + shift);
    for (let x = 0; x < size; x++) {
      // Pixel centres: left of the new midline maps onto the old left half, right onto the right half.
      const c = x + 0.5;
      const s = (c < mid ? (c * half) / mid : half + ((c - mid) * half) / (size - mid)) - 0.5;
      const x0 = Math.max(0, Math.min(size - 1, Math.floor(s))), x1 = Math.min(size - 1, x0 + 1), f = Math.max(0, Math.min(1, s - x0));
      for (let y = 0; y < size; y++) {
        const d = (y * size + x) * 3, a = (y * size + x0) * 3, b = (y * size + x1) * 3;
        for (let ch = 0; ch < 3; ch++) out[d + ch] = Math.round(rgb[a + ch] * (1 - f) + rgb[b + ch] * f);
      }
    }
    return out;
  };
}
