// AssemblyScript with WebAssembly SIMD, compiled by `npm run build:kernel` (through cube-kernel.as.ts).
// The sampling loop of the cube projection: bicubic convolution (Keys, a = −0.75, as Panorama Tools'
// and nona's "poly3"), 4 × 4 taps a pixel in integer arithmetic; at hard edges, half Keys and half
// bilinear (see hardEdge).
// Arguments are byte offsets into the one linear memory: the RGB panorama, the quadrant tables of
// functions/core/panorama/cube.ts (their comment says how the other quadrants follow), the tap
// weights (cubicWeightTable) and the face being written. Positions are an integer plus a 10-bit fraction (f/1024). The kernel reads nothing
// outside the panorama's width × height pixels: columns wrap, and rows beyond a pole are the rows
// across it (row −1 − k is row k turned by half the width; row h + k is row h − 1 − k turned).

import { FRACTION_BITS, FRACTION_MASK, FRACTIONS } from './fixed-point.as';

/**
 * The kernel's a: −0.75. Measured against generate.py (bench fidelity), Catmull-Rom (a = −0.5)
 * loses 0.02–0.10 dB on the photograph and a = −1 up to 1.2 dB on the grid.
 */
const A: f64 = -0.75;
/**
 * Weights are Q11 (2048 = 1). A channel's vertical sum is at most 255 · 1.19 · 2¹¹ (1.19: the
 * positive weights' largest total), its horizontal sum that times 1.19 · 2¹¹: under 2³¹.
 */
const WEIGHT_BITS = 11;

/** Keys' cubic convolution kernel at distance d. */
function keys(d: f64): f64 {
  const x = Math.abs(d);
  if (x < 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
  if (x < 2) return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return 0;
}

/** Half Keys, half bilinear, at distance d: the kernel at hard edges (see hardEdge). */
function hardEdgeKernel(d: f64): f64 {
  return (keys(d) + Math.max(0, 1 - Math.abs(d))) / 2;
}

/** Keys' kernel, or the hard-edge kernel, at distance d. */
@inline function kernelAt(d: f64, hard: bool): f64 {
  return hard ? hardEdgeKernel(d) : keys(d);
}

/**
 * The four tap weights of Keys' kernel, or of the hard-edge one, for fraction f/1024, Q11, as i32x4
 * [w0, w1, w2, w3] for the taps at −1, 0, 1, 2. The running sums w0, w0 + w1, w0 + w1 + w2 are
 * rounded and the weights are their differences, so they sum to exactly 2048 (flat areas stay flat)
 * and no tap is off by more than one. (A plain function, not a function reference: those live in
 * static data, which the kernel's imported memory does not keep.)
 */
function tapWeights(f: i32, hard: bool): v128 {
  const one = <f64>(1 << WEIGHT_BITS);
  const t = <f64>f / FRACTIONS;
  const s1 = <i32>Math.round(one * kernelAt(t + 1, hard));
  const s2 = <i32>Math.round(one * (kernelAt(t + 1, hard) + kernelAt(t, hard)));
  const s3 = <i32>Math.round(one * (kernelAt(t + 1, hard) + kernelAt(t, hard) + kernelAt(1 - t, hard)));
  return i32x4(s1, s2 - s1, s3 - s2, (1 << WEIGHT_BITS) - s3);
}

/** Bytes of the weight table a fraction: the horizontal weights as three i32x4, the vertical as two i16x8 pairs. */
const WEIGHT_ROW_BYTES = 80;
/** Bytes of one kernel's rows, a row a fraction; the hard-edge rows follow the cubic ones. */
const KERNEL_TABLE_BYTES = FRACTIONS * WEIGHT_ROW_BYTES;

/** Lays out one fraction's four weights as convolve multiplies them. */
@inline function storeWeightRow(at: usize, w: v128): void {
  v128.store(at, i32x4.shuffle(w, w, 0, 0, 0, 1));
  v128.store(at, i32x4.shuffle(w, w, 1, 1, 2, 2), 16);
  v128.store(at, i32x4.shuffle(w, w, 2, 3, 3, 3), 32);
  const pairs = i16x8.narrow_i32x4_s(w, w);
  v128.store(at, i32x4.shuffle(pairs, pairs, 0, 0, 0, 0), 48);
  v128.store(at, i32x4.shuffle(pairs, pairs, 1, 1, 1, 1), 64);
}

/**
 * Fills the weight table at `weights` (16-aligned, `bytes` long: 2 · 1024 · 80, or this traps):
 * each fraction's tapWeights of Keys' kernel, then of the hard-edge kernel. Looking the weights up
 * instead of computing them twice a pixel makes the projection ~20% faster (8K, one thread,
 * alternating runs). Once a sampler, before any rows are rendered.
 */
export function cubicWeightTable(weights: usize, bytes: i32): void {
  if (bytes != 2 * KERNEL_TABLE_BYTES) unreachable();
  for (let f = 0; f < FRACTIONS; f++) {
    storeWeightRow(weights + <usize>(f * WEIGHT_ROW_BYTES), tapWeights(f, false));
    storeWeightRow(weights + <usize>(KERNEL_TABLE_BYTES + f * WEIGHT_ROW_BYTES), tapWeights(f, true));
  }
}

/** Channel spans above this make a hard edge. */
const HARD_EDGE_SPAN: i8 = <i8>128;

/**
 * Whether the four pixels around the sample (bytes 3–8 of rows y and y + 1) differ by more than
 * half the range in some channel: a hard edge, such as a line or a letter on a plain ground. There
 * Keys' overshoot rings, and its sharpness costs more than it gives: on the diagnostic grid the
 * side-face centres at hfov 45° were 0.02–0.06 dB behind generate.py with Keys alone, and every
 * full-face view is 0.08 dB or more ahead with the hard-edge weights (bench fidelity). On the
 * photograph only the blocks across its ±180° seam qualify (its two ends do not meet).
 */
@inline function hardEdge(upper: v128, lower: v128): bool {
  const low = i8x16.min_u(upper, lower);
  const high = i8x16.max_u(upper, lower);
  // Pixel x + 1's bytes (6–8) moved beside pixel x's (3–5).
  const lowest = i8x16.min_u(low, i8x16.shuffle(low, low, 0, 1, 2, 6, 7, 8, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  const highest = i8x16.max_u(high, i8x16.shuffle(high, high, 0, 1, 2, 6, 7, 8, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  const wide = i8x16.gt_u(i8x16.sub(highest, lowest), i8x16.splat(HARD_EDGE_SPAN));
  return v128.any_true(v128.and(wide, v128(0, 0, 0, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
}

/**
 * Writes the sample at x + fx/1024, y + fy/1024 (0 ≤ x < width, −1 ≤ y < height) to out. Rows hold
 * 16 bytes from tap −1 of rows y − 1 … y + 2: 4 pixels, 12 bytes, and 4 bytes never used.
 */
@inline function convolve(r0: v128, r1: v128, r2: v128, r3: v128, fx: i32, fy: i32, out: usize, weights: usize, edges: bool): void {
  // A branch, not a select: hard edges are rare and come in runs, so the weights' loads need not
  // wait for the test (as a select, the projection took 40% longer). `edges` is false on face rows
  // whose source rows hold no hard edge at all (hardEdgeRows), and then the test is not made.
  if (edges && hardEdge(r1, r2)) weigh(r0, r1, r2, r3, fx, fy, out, weights + <usize>KERNEL_TABLE_BYTES);
  else weigh(r0, r1, r2, r3, fx, fy, out, weights);
}

/** convolve with the weight rows at `table`. */
@inline function weigh(r0: v128, r1: v128, r2: v128, r3: v128, fx: i32, fy: i32, out: usize, table: usize): void {
  // Vertical: i32x4.dot on rows interleaved byte by byte, with the row weights in pairs.
  const rowWeights = table + <usize>(fy * WEIGHT_ROW_BYTES);
  const upper = v128.load(rowWeights, 48);
  const lower = v128.load(rowWeights, 64);
  const a01 = i8x16.shuffle(r0, r1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const b01 = i8x16.shuffle(r0, r1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  const a23 = i8x16.shuffle(r2, r3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const b23 = i8x16.shuffle(r2, r3, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  // Columns of bytes 0–3, 4–7 and 8–11: [p0.r p0.g p0.b p1.r], [p1.g p1.b p2.r p2.g], [p2.b p3.r p3.g p3.b].
  const v0 = i32x4.add(
    i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(a01), upper),
    i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(a23), lower),
  );
  const v1 = i32x4.add(
    i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(a01), upper),
    i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(a23), lower),
  );
  const v2 = i32x4.add(
    i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(b01), upper),
    i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(b23), lower),
  );
  // Horizontal: each column times its pixel's weight, then the four pixels of each channel summed.
  const columnWeights = table + <usize>(fx * WEIGHT_ROW_BYTES);
  const m0 = i32x4.mul(v0, v128.load(columnWeights));
  const m1 = i32x4.mul(v1, v128.load(columnWeights, 16));
  const m2 = i32x4.mul(v2, v128.load(columnWeights, 32));
  let sum = i32x4.add(m0, i32x4.shuffle(m0, m1, 3, 4, 5, 5));
  sum = i32x4.add(sum, i32x4.shuffle(m1, m2, 2, 3, 4, 4));
  sum = i32x4.add(sum, i32x4.shuffle(m2, m2, 1, 2, 3, 3));
  sum = i32x4.shr_s(i32x4.add(sum, i32x4.splat(1 << (2 * WEIGHT_BITS - 1))), 2 * WEIGHT_BITS);
  // Saturating narrows clamp the overshoot to 0…255.
  const narrow = i16x8.narrow_i32x4_s(sum, sum);
  const bytes = i8x16.narrow_i16x8_u(narrow, narrow);
  v128.store16_lane(out, bytes, 0);
  v128.store8_lane(out, bytes, 2, 2);
}

/** Row `row` of the panorama or beyond a pole (−height ≤ row < 2·height), 4 pixels from column x − 1, wrapping. */
@inline function gatherRow(source: usize, width: i32, height: i32, row: i32, x: i32): v128 {
  let turn = 0;
  if (row < 0) {
    row = -1 - row;
    turn = width >> 1;
  } else if (row >= height) {
    row = 2 * height - 1 - row;
    turn = width >> 1;
  }
  const line = source + <usize>(row * width * 3);
  const p0 = line + <usize>(wrap(x - 1 + turn, width) * 3);
  const p1 = line + <usize>(wrap(x + turn, width) * 3);
  const p2 = line + <usize>(wrap(x + 1 + turn, width) * 3);
  const p3 = line + <usize>(wrap(x + 2 + turn, width) * 3);
  let v = i32x4.splat(0);
  v = v128.load8_lane(p0, v, 0);
  v = v128.load8_lane(p0, v, 1, 1);
  v = v128.load8_lane(p0, v, 2, 2);
  v = v128.load8_lane(p1, v, 3);
  v = v128.load8_lane(p1, v, 4, 1);
  v = v128.load8_lane(p1, v, 5, 2);
  v = v128.load8_lane(p2, v, 6);
  v = v128.load8_lane(p2, v, 7, 1);
  v = v128.load8_lane(p2, v, 8, 2);
  v = v128.load8_lane(p3, v, 9);
  v = v128.load8_lane(p3, v, 10, 1);
  v = v128.load8_lane(p3, v, 11, 2);
  return v;
}

/** Wraps a column within one width either side of the panorama. */
@inline function wrap(x: i32, width: i32): i32 {
  return x < 0 ? x + width : x >= width ? x - width : x;
}

/**
 * The sample at x + fx/1024, y + fy/1024 into out. Inside, one 16-byte load a row; within two pixels of
 * the ±180° meridian or of a pole, the taps are gathered one by one (edgeBicubic).
 */
@inline function bicubic(source: usize, width: i32, height: i32, x: i32, fx: i32, y: i32, fy: i32, out: usize, weights: usize, edges: bool): void {
  // Unsigned: x − 1 ≥ 0 and x + 2 plus the 4 unused bytes within the row; y − 1 ≥ 0 and y + 2 < height.
  if (<u32>(x - 1) < <u32>max(width - 5, 0) && <u32>(y - 1) < <u32>max(height - 3, 0)) {
    const rowStride = <usize>(width * 3);
    const at = source + <usize>((y - 1) * width * 3 + (x - 1) * 3);
    convolve(v128.load(at), v128.load(at + rowStride), v128.load(at + 2 * rowStride), v128.load(at + 3 * rowStride), fx, fy, out, weights, edges);
  } else {
    edgeBicubic(source, width, height, x, fx, y, fy, out, weights);
  }
}

/** bicubic's rare case, out of line: the taps of each row gathered one by one. */
function edgeBicubic(source: usize, width: i32, height: i32, x: i32, fx: i32, y: i32, fy: i32, out: usize, weights: usize): void {
  convolve(
    gatherRow(source, width, height, y - 1, x),
    gatherRow(source, width, height, y, x),
    gatherRow(source, width, height, y + 1, x),
    gatherRow(source, width, height, y + 2, x),
    fx,
    fy,
    out,
    weights,
    true,
  );
}

/** Channel spans above HARD_EDGE_SPAN among the four pixels at columns x, x + 1 of two rows, one by one. */
@inline function hardBlock(upper: usize, lower: usize, x: i32): bool {
  for (let channel = 0; channel < 3; channel++) {
    const a = <i32>load<u8>(upper + <usize>(x * 3 + channel));
    const b = <i32>load<u8>(upper + <usize>(x * 3 + 3 + channel));
    const c = <i32>load<u8>(lower + <usize>(x * 3 + channel));
    const d = <i32>load<u8>(lower + <usize>(x * 3 + 3 + channel));
    if (max(max(a, b), max(c, d)) - min(min(a, b), min(c, d)) > <i32>(<u8>HARD_EDGE_SPAN)) return true;
  }
  return false;
}

/**
 * For each row y in [from, to) below the last, whether rows y and y + 1 hold a hard edge (hardEdge's
 * test on every 2 × 2 block but the one across ±180°): 1 or 0 at flags + y. Five blocks a SIMD
 * step, and a row stops at its first hard block. Face rows whose source rows hold none skip the
 * test (edgesBetween). Samples by the ±180° meridian or a pole take edgeBicubic, which always
 * tests: a panorama whose two ends do not meet (the bench's photograph, in 1610 of its 2048 rows
 * at 4096) flags no row for that.
 */
export function hardEdgeRows(source: usize, width: i32, height: i32, flags: usize, from: i32, to: i32): void {
  const stride = <usize>(width * 3);
  // Bytes 0–14 are five pixels' blocks; byte 15 is part of a sixth.
  const blocks = v128(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0);
  const span = i8x16.splat(HARD_EDGE_SPAN);
  for (let y = from; y < min(to, height - 1); y++) {
    const upper = source + <usize>y * stride;
    const lower = upper + stride;
    let hard = false;
    let x = 0;
    // The loads at 3x + 3 end at 3x + 19, within the row while x + 7 ≤ width.
    for (; x + 7 <= width && !hard; x += 5) {
      const at = <usize>(x * 3);
      const left = i8x16.min_u(v128.load(upper + at), v128.load(lower + at));
      const right = i8x16.min_u(v128.load(upper + at + 3), v128.load(lower + at + 3));
      const leftHigh = i8x16.max_u(v128.load(upper + at), v128.load(lower + at));
      const rightHigh = i8x16.max_u(v128.load(upper + at + 3), v128.load(lower + at + 3));
      const spread = i8x16.sub(i8x16.max_u(leftHigh, rightHigh), i8x16.min_u(left, right));
      hard = v128.any_true(v128.and(i8x16.gt_u(spread, span), blocks));
    }
    for (; x + 1 < width && !hard; x++) hard = hardBlock(upper, lower, x);
    store<u8>(flags + <usize>y, <u8>hard);
  }
}

/**
 * Whether some face pixel sampling between rows low and high (each with the row below it) may
 * sit on a hard edge, from `counts` (i32, height entries: how many of rows 0 … k − 1 hardEdgeRows
 * flagged). Rows beyond a pole, or the last, are not flagged: there the test is always made.
 */
@inline function edgesBetween(counts: usize, height: i32, low: i32, high: i32): bool {
  if (low < 0 || high >= height - 1) return true;
  return load<i32>(counts + (<usize>(high + 1) << 2)) > load<i32>(counts + (<usize>low << 2));
}

/** K − (whole + fraction/1024), as whole · 1024 + fraction. */
@inline function reflect(k: i32, whole: i32, fraction: i32): i32 {
  return fraction == 0 ? (k - whole) << FRACTION_BITS : ((k - whole - 1) << FRACTION_BITS) | (FRACTIONS - fraction);
}

/**
 * Whether a face row whose quadrant table row starts at `tableRow` samples near a hard edge. Along
 * a quadrant row y is monotonic (the side faces' latitude and the zenith's distance from the pole
 * both shrink towards the face's middle column), so its first and last entries bound it; a row is
 * either side of them, for rounding. `reflected`: y is reflected about the last row (the side
 * faces' lower half, the nadir face).
 */
@inline function rowEdges(rows: usize, tableRow: usize, half: i32, counts: usize, height: i32, reflected: bool): bool {
  let first = <i32>load<i16>(rows + (tableRow << 1));
  let last = <i32>load<i16>(rows + ((tableRow + <usize>(half - 1)) << 1));
  if (reflected) {
    first = height - 1 - first;
    last = height - 1 - last;
  }
  return edgesBetween(counts, height, min(first, last) - 2, max(first, last) + 1);
}

/**
 * Rows [from, to) of a side face: x and its fraction per face column (i32, u16), already turned
 * for this face; y and its fraction per quadrant pixel (i16, u16), reflected in the lower half.
 */
export function sideRows(source: usize, width: i32, height: i32, columns: usize, columnFractions: usize, rows: usize, rowFractions: usize, half: i32, weights: usize, counts: usize, out: usize, size: i32, from: i32, to: i32): void {
  for (let row = from; row < to; row++) {
    const lowerHalf = row >= half;
    const tableRow = <usize>((lowerHalf ? size - 1 - row : row) * half);
    const edges = rowEdges(rows, tableRow, half, counts, height, lowerHalf);
    let pixel = out + <usize>(row * size * 3);
    for (let column = 0; column < size; column++) {
      const index = tableRow + <usize>(column < half ? column : size - 1 - column);
      let y = <i32>load<i16>(rows + (index << 1));
      let fy = <i32>load<u16>(rowFractions + (index << 1));
      if (lowerHalf) {
        const reflected = reflect(height - 1, y, fy);
        y = reflected >> FRACTION_BITS;
        fy = reflected & FRACTION_MASK;
      }
      bicubic(source, width, height, load<i32>(columns + (<usize>column << 2)), <i32>load<u16>(columnFractions + (<usize>column << 1)), y, fy, pixel, weights, edges);
      pixel += 3;
    }
  }
}

/**
 * Rows [from, to) of the zenith face, or of the nadir face, which is the zenith read upside down
 * with y reflected about the last row.
 */
export function polarRows(source: usize, width: i32, height: i32, columns: usize, columnFractions: usize, rows: usize, rowFractions: usize, half: i32, weights: usize, counts: usize, out: usize, size: i32, from: i32, to: i32, nadir: bool): void {
  const halfWidth = width >> 1;
  for (let row = from; row < to; row++) {
    const zenithRow = nadir ? size - 1 - row : row;
    const lowerHalf = zenithRow >= half;
    const tableRow = <usize>((lowerHalf ? size - 1 - zenithRow : zenithRow) * half);
    const edges = rowEdges(rows, tableRow, half, counts, height, nadir);
    let pixel = out + <usize>(row * size * 3);
    for (let column = 0; column < size; column++) {
      const rightHalf = column >= half;
      const index = tableRow + <usize>(rightHalf ? size - 1 - column : column);
      let y = <i32>load<i16>(rows + (index << 1));
      let fy = <i32>load<u16>(rowFractions + (index << 1));
      if (nadir) {
        const reflected = reflect(height - 1, y, fy);
        y = reflected >> FRACTION_BITS;
        fy = reflected & FRACTION_MASK;
      }
      let x = <i32>load<u16>(columns + (index << 1));
      let fx = <i32>load<u16>(columnFractions + (index << 1));
      if (lowerHalf && rightHalf) {
        x = wrap(x + halfWidth, width);
      } else if (lowerHalf || rightHalf) {
        const reflected = reflect(rightHalf ? width - 1 : halfWidth - 1, x, fx);
        x = wrap(reflected >> FRACTION_BITS, width);
        fx = reflected & FRACTION_MASK;
      }
      bicubic(source, width, height, x, fx, y, fy, pixel, weights, edges);
      pixel += 3;
    }
  }
}
