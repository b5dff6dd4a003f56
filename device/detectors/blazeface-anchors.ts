/**
 * BlazeFace's anchor grid (the SSD anchors of MediaPipe's face detector, as @vladmandic/human
 * builds them): for a 256 px input, a 16x16 grid (stride 16) with 2 anchors per cell, then an 8x8
 * grid (stride 32) with 6 per cell: 512 + 384 = 896 anchor centres, in input pixels.
 * For the 128 px front model the same rule gives 16x16x2 (stride 8) + 8x8x6 (stride 16).
 *
 * @example
 * const a = blazeFaceAnchors(256); // Float32Array [x0, y0, x1, y1, ...], 896 pairs
 */

/** Anchor counts per output layer for a given input size: [fine grid, coarse grid]. */
export function anchorLayout(inputSize: number): Array<{ stride: number; perCell: number; cells: number }> {
  return [
    { stride: inputSize / 16, perCell: 2, cells: 16 * 16 },
    { stride: inputSize / 8, perCell: 6, cells: 8 * 8 },
  ];
}

/** Anchor centres in input pixels, fine grid first, row-major, `perCell` repeats per cell. */
export function blazeFaceAnchors(inputSize: number): Float32Array {
  const layout = anchorLayout(inputSize);
  const total = layout.reduce((n, l) => n + l.cells * l.perCell, 0);
  const out = new Float32Array(total * 2);
  let k = 0;
  for (const { stride, perCell } of layout) {
    const grid = Math.ceil(inputSize / stride);
    for (let gy = 0; gy < grid; gy++) {
      for (let gx = 0; gx < grid; gx++) {
        for (let n = 0; n < perCell; n++) {
          out[k++] = stride * (gx + 0.5);
          out[k++] = stride * (gy + 0.5);
        }
      }
    }
  }
  return out;
}
