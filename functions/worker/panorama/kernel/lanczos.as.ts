// AssemblyScript with WebAssembly SIMD, compiled by `npm run build:kernel` (into cube-kernel-module.ts).
// The 2:1 reduction between a face's levels: Lanczos-3 (support 3·s either side for a ratio s = n/m),
// separable, as libvips's reduce, whose rounding to uchar between the two passes it keeps. The
// per-output-index taps and Q14 weights come from functions/core/panorama/lanczos-table.ts. Images are
// interleaved RGB without row padding; arguments are byte offsets into the one linear memory.
//
// The output is made in strips of 16 rows, everything but the source and the output staying in a
// small scratch area (a thread's own):
//   1. vertical: the strip's 16 rows, each a weighted sum of 12 source rows. Every byte of a row has
//      the same weights, so SIMD runs along the row's bytes, whatever the channel. → S (u8).
//   2. S transposed byte-wise in 16 × 16 blocks → S′: row 3x + c holds channel c of column x for the
//      strip's 16 rows.
//   3. horizontal, now also a sum of rows: row 3i + c of O′ is Σₖ wᵢₖ · S′[3·xᵢₖ + c].
//   4. O′ transposed back into the strip's rows of the output.
// The kernel reads nothing outside the source's n² pixels and writes nothing outside the output's m²,
// and a strip's bytes do not depend on the order strips are made in, so two threads share the work.

/** Weights are Q14 (16384 = 1); each output index's weights sum to exactly 16384. */
const WEIGHT_BITS: i32 = 14;
/**
 * One output index's table entry: 12 source indices (i32, clamped to 0…n−1), then 6 i32 each
 * holding the weights of taps 2k (low 16 bits) and 2k + 1 (high 16 bits).
 */
const ENTRY: usize = 72;
const WEIGHTS_AT: usize = 48;
/** Output rows a strip. */
const STRIP: i32 = 16;

/** [a0 b0 a1 b1 a2 b2 a3 b3] of two i16x8. */
@inline function low16(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11);
}
/** [a4 b4 a5 b5 a6 b6 a7 b7]. */
@inline function high16(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15);
}

@inline function round16(low: v128, high: v128): v128 {
  const half = i32x4.splat(1 << (WEIGHT_BITS - 1));
  return i16x8.narrow_i32x4_s(i32x4.shr_s(i32x4.add(low, half), WEIGHT_BITS), i32x4.shr_s(i32x4.add(high, half), WEIGHT_BITS));
}

/**
 * One output row's 8 bytes (as i16x8, rounded): Σ over the 6 pairs of rows (p0, p1) … (p10, p11),
 * 8 bytes each, with the pairs' weights w0 … w5. One running sum a half (bytes 0–3, 4–7), so few
 * vectors are live at once (x64 has 16 xmm registers).
 */
@inline function single(
  p0: usize, p1: usize, p2: usize, p3: usize, p4: usize, p5: usize,
  p6: usize, p7: usize, p8: usize, p9: usize, p10: usize, p11: usize,
  w0: v128, w1: v128, w2: v128, w3: v128, w4: v128, w5: v128,
): v128 {
  let a = v128.load8x8_u(p0), b = v128.load8x8_u(p1);
  let low = i32x4.dot_i16x8_s(low16(a, b), w0);
  let high = i32x4.dot_i16x8_s(high16(a, b), w0);
  a = v128.load8x8_u(p2); b = v128.load8x8_u(p3);
  low = i32x4.add(low, i32x4.dot_i16x8_s(low16(a, b), w1));
  high = i32x4.add(high, i32x4.dot_i16x8_s(high16(a, b), w1));
  a = v128.load8x8_u(p4); b = v128.load8x8_u(p5);
  low = i32x4.add(low, i32x4.dot_i16x8_s(low16(a, b), w2));
  high = i32x4.add(high, i32x4.dot_i16x8_s(high16(a, b), w2));
  a = v128.load8x8_u(p6); b = v128.load8x8_u(p7);
  low = i32x4.add(low, i32x4.dot_i16x8_s(low16(a, b), w3));
  high = i32x4.add(high, i32x4.dot_i16x8_s(high16(a, b), w3));
  a = v128.load8x8_u(p8); b = v128.load8x8_u(p9);
  low = i32x4.add(low, i32x4.dot_i16x8_s(low16(a, b), w4));
  high = i32x4.add(high, i32x4.dot_i16x8_s(high16(a, b), w4));
  a = v128.load8x8_u(p10); b = v128.load8x8_u(p11);
  low = i32x4.add(low, i32x4.dot_i16x8_s(low16(a, b), w5));
  high = i32x4.add(high, i32x4.dot_i16x8_s(high16(a, b), w5));
  return round16(low, high);
}

/**
 * One output row's 8 bytes when its weights are symmetric (w₁₁₋ₖ = wₖ: always so for an exact 2×
 * reduction, whose centres fall halfway between two taps): Σₖ₌₀…₅ wₖ·(rowₖ + row₁₁₋ₖ), the row
 * sums as i16 (≤ 510), so half the multiplies. Pairs of sums (u0, u1), (u2, u3), (u4, u5) with
 * the weights w0 … w2 (which hold w0|w1, w2|w3, w4|w5).
 */
@inline function symmetric(
  p0: usize, p1: usize, p2: usize, p3: usize, p4: usize, p5: usize,
  p6: usize, p7: usize, p8: usize, p9: usize, p10: usize, p11: usize,
  w0: v128, w1: v128, w2: v128,
): v128 {
  let u = i16x8.add(v128.load8x8_u(p0), v128.load8x8_u(p11));
  let v = i16x8.add(v128.load8x8_u(p1), v128.load8x8_u(p10));
  let low = i32x4.dot_i16x8_s(low16(u, v), w0);
  let high = i32x4.dot_i16x8_s(high16(u, v), w0);
  u = i16x8.add(v128.load8x8_u(p2), v128.load8x8_u(p9));
  v = i16x8.add(v128.load8x8_u(p3), v128.load8x8_u(p8));
  low = i32x4.add(low, i32x4.dot_i16x8_s(low16(u, v), w1));
  high = i32x4.add(high, i32x4.dot_i16x8_s(high16(u, v), w1));
  u = i16x8.add(v128.load8x8_u(p4), v128.load8x8_u(p7));
  v = i16x8.add(v128.load8x8_u(p5), v128.load8x8_u(p6));
  low = i32x4.add(low, i32x4.dot_i16x8_s(low16(u, v), w2));
  high = i32x4.add(high, i32x4.dot_i16x8_s(high16(u, v), w2));
  return round16(low, high);
}

/** Whether an entry's weights are symmetric: w11|w10 is w0|w1 turned, and so on. */
@inline function isSymmetric(entry: usize): bool {
  return (
    load<i32>(entry, WEIGHTS_AT + 20) == rotl<i32>(load<i32>(entry, WEIGHTS_AT), 16) &&
    load<i32>(entry, WEIGHTS_AT + 16) == rotl<i32>(load<i32>(entry, WEIGHTS_AT + 4), 16) &&
    load<i32>(entry, WEIGHTS_AT + 12) == rotl<i32>(load<i32>(entry, WEIGHTS_AT + 8), 16)
  );
}

/**
 * One pass, as sums of rows: output row r (table entry first + r, r < count) at dst + r·dstStride
 * is Σₖ wₖ · (the row at src + indexₖ·scale), `bytes` bytes of it (8 or more). Eight bytes an
 * iteration, the last eight ending at the row's end (overlapping the group before), so nothing past
 * a row is read. Vertical: src the image, scale its row stride. Horizontal on a transposed strip:
 * scale = bytes = 48 (an index's 3 channels × 16 strip rows).
 */
function weightedRows(src: usize, scale: usize, table: usize, first: i32, count: i32, dst: usize, dstStride: usize, bytes: usize): void {
  for (let r = 0; r < count; r++) {
    const entry = table + <usize>(first + r) * ENTRY;
    const out = dst + <usize>r * dstStride;
    const p0 = src + <usize>load<i32>(entry, 0) * scale;
    const p1 = src + <usize>load<i32>(entry, 4) * scale;
    const p2 = src + <usize>load<i32>(entry, 8) * scale;
    const p3 = src + <usize>load<i32>(entry, 12) * scale;
    const p4 = src + <usize>load<i32>(entry, 16) * scale;
    const p5 = src + <usize>load<i32>(entry, 20) * scale;
    const p6 = src + <usize>load<i32>(entry, 24) * scale;
    const p7 = src + <usize>load<i32>(entry, 28) * scale;
    const p8 = src + <usize>load<i32>(entry, 32) * scale;
    const p9 = src + <usize>load<i32>(entry, 36) * scale;
    const p10 = src + <usize>load<i32>(entry, 40) * scale;
    const p11 = src + <usize>load<i32>(entry, 44) * scale;
    const a0 = v128.load32_splat(entry, WEIGHTS_AT);
    const a1 = v128.load32_splat(entry, WEIGHTS_AT + 4);
    const a2 = v128.load32_splat(entry, WEIGHTS_AT + 8);
    const a3 = v128.load32_splat(entry, WEIGHTS_AT + 12);
    const a4 = v128.load32_splat(entry, WEIGHTS_AT + 16);
    const a5 = v128.load32_splat(entry, WEIGHTS_AT + 20);
    const last = bytes - 8;
    if (isSymmetric(entry)) {
      let x: usize = 0;
      while (true) {
        const h = symmetric(p0 + x, p1 + x, p2 + x, p3 + x, p4 + x, p5 + x, p6 + x, p7 + x, p8 + x, p9 + x, p10 + x, p11 + x, a0, a1, a2);
        v128.store64_lane(out + x, i8x16.narrow_i16x8_u(h, h), 0);
        if (x == last) break;
        x = min<usize>(x + 8, last);
      }
    } else {
      let x: usize = 0;
      while (true) {
        const h = single(p0 + x, p1 + x, p2 + x, p3 + x, p4 + x, p5 + x, p6 + x, p7 + x, p8 + x, p9 + x, p10 + x, p11 + x, a0, a1, a2, a3, a4, a5);
        v128.store64_lane(out + x, i8x16.narrow_i16x8_u(h, h), 0);
        if (x == last) break;
        x = min<usize>(x + 8, last);
      }
    }
  }
}

/** Transposes the 16 × 16 bytes at src (rows srcStride apart) into dst (rows dstStride apart). */
@inline function transpose16(src: usize, srcStride: usize, dst: usize, dstStride: usize): void {
  // Bytes of row pairs interleaved: a(2k) columns 0–7, a(2k+1) columns 8–15, as u16 (row 2k, row 2k+1).
  const r0 = v128.load(src), r1 = v128.load(src + srcStride);
  const r2 = v128.load(src + 2 * srcStride), r3 = v128.load(src + 3 * srcStride);
  const r4 = v128.load(src + 4 * srcStride), r5 = v128.load(src + 5 * srcStride);
  const r6 = v128.load(src + 6 * srcStride), r7 = v128.load(src + 7 * srcStride);
  const r8 = v128.load(src + 8 * srcStride), r9 = v128.load(src + 9 * srcStride);
  const r10 = v128.load(src + 10 * srcStride), r11 = v128.load(src + 11 * srcStride);
  const r12 = v128.load(src + 12 * srcStride), r13 = v128.load(src + 13 * srcStride);
  const r14 = v128.load(src + 14 * srcStride), r15 = v128.load(src + 15 * srcStride);
  const a0 = unpackLow8(r0, r1), a1 = unpackHigh8(r0, r1);
  const a2 = unpackLow8(r2, r3), a3 = unpackHigh8(r2, r3);
  const a4 = unpackLow8(r4, r5), a5 = unpackHigh8(r4, r5);
  const a6 = unpackLow8(r6, r7), a7 = unpackHigh8(r6, r7);
  const a8 = unpackLow8(r8, r9), a9 = unpackHigh8(r8, r9);
  const a10 = unpackLow8(r10, r11), a11 = unpackHigh8(r10, r11);
  const a12 = unpackLow8(r12, r13), a13 = unpackHigh8(r12, r13);
  const a14 = unpackLow8(r14, r15), a15 = unpackHigh8(r14, r15);
  // Groups of 4 rows: b(4q + t) holds columns 4t … 4t + 3 of rows 4q … 4q + 3, as u32.
  const b0 = unpackLow16(a0, a2), b1 = unpackHigh16(a0, a2), b2 = unpackLow16(a1, a3), b3 = unpackHigh16(a1, a3);
  const b4 = unpackLow16(a4, a6), b5 = unpackHigh16(a4, a6), b6 = unpackLow16(a5, a7), b7 = unpackHigh16(a5, a7);
  const b8 = unpackLow16(a8, a10), b9 = unpackHigh16(a8, a10), b10 = unpackLow16(a9, a11), b11 = unpackHigh16(a9, a11);
  const b12 = unpackLow16(a12, a14), b13 = unpackHigh16(a12, a14), b14 = unpackLow16(a13, a15), b15 = unpackHigh16(a13, a15);
  // Groups of 8 rows: c(t) low: columns 4t, 4t + 1 of rows 0–7 (u64 each); c(t) high: 4t + 2, 4t + 3. d: rows 8–15.
  const c0 = unpackLow32(b0, b4), c1 = unpackHigh32(b0, b4), c2 = unpackLow32(b1, b5), c3 = unpackHigh32(b1, b5);
  const c4 = unpackLow32(b2, b6), c5 = unpackHigh32(b2, b6), c6 = unpackLow32(b3, b7), c7 = unpackHigh32(b3, b7);
  const d0 = unpackLow32(b8, b12), d1 = unpackHigh32(b8, b12), d2 = unpackLow32(b9, b13), d3 = unpackHigh32(b9, b13);
  const d4 = unpackLow32(b10, b14), d5 = unpackHigh32(b10, b14), d6 = unpackLow32(b11, b15), d7 = unpackHigh32(b11, b15);
  v128.store(dst, unpackLow64(c0, d0));
  v128.store(dst + dstStride, unpackHigh64(c0, d0));
  v128.store(dst + 2 * dstStride, unpackLow64(c1, d1));
  v128.store(dst + 3 * dstStride, unpackHigh64(c1, d1));
  v128.store(dst + 4 * dstStride, unpackLow64(c2, d2));
  v128.store(dst + 5 * dstStride, unpackHigh64(c2, d2));
  v128.store(dst + 6 * dstStride, unpackLow64(c3, d3));
  v128.store(dst + 7 * dstStride, unpackHigh64(c3, d3));
  v128.store(dst + 8 * dstStride, unpackLow64(c4, d4));
  v128.store(dst + 9 * dstStride, unpackHigh64(c4, d4));
  v128.store(dst + 10 * dstStride, unpackLow64(c5, d5));
  v128.store(dst + 11 * dstStride, unpackHigh64(c5, d5));
  v128.store(dst + 12 * dstStride, unpackLow64(c6, d6));
  v128.store(dst + 13 * dstStride, unpackHigh64(c6, d6));
  v128.store(dst + 14 * dstStride, unpackLow64(c7, d7));
  v128.store(dst + 15 * dstStride, unpackHigh64(c7, d7));
}
@inline function unpackLow8(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}
@inline function unpackHigh8(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
}
@inline function unpackLow16(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11);
}
@inline function unpackHigh16(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15);
}
@inline function unpackLow32(a: v128, b: v128): v128 {
  return i32x4.shuffle(a, b, 0, 4, 1, 5);
}
@inline function unpackHigh32(a: v128, b: v128): v128 {
  return i32x4.shuffle(a, b, 2, 6, 3, 7);
}
@inline function unpackLow64(a: v128, b: v128): v128 {
  return i64x2.shuffle(a, b, 0, 2);
}
@inline function unpackHigh64(a: v128, b: v128): v128 {
  return i64x2.shuffle(a, b, 1, 3);
}

/** Transposes `blocks` 16 × 16 blocks side by side (src + 16b) into blocks one under the other (dst + 256b). */
function rowsToColumns(src: usize, srcStride: usize, blocks: usize, dst: usize): void {
  for (let b: usize = 0; b < blocks; b++) transpose16(src + b * 16, srcStride, dst + b * 256, 16);
}

/**
 * The inverse, into 16 rows of `rowBytes` bytes (16 or more) at dst, dstStride apart: the whole
 * blocks, then one block ending at the row's end (overlapping the one before with the same bytes),
 * so nothing past a row is written.
 */
function columnsToRows(src: usize, rowBytes: usize, dst: usize, dstStride: usize): void {
  const whole = rowBytes >> 4;
  for (let b: usize = 0; b < whole; b++) transpose16(src + b * 256, 16, dst + b * 16, dstStride);
  if (rowBytes & 15) transpose16(src + (rowBytes - 16) * 16, 16, dst + rowBytes - 16, dstStride);
}

@inline function pad16(bytes: usize): usize {
  return (bytes + 15) & ~15;
}

/**
 * Strips [fromStrip, toStrip) (16 output rows each) of the n × n image at src reduced to the m × m
 * image at out, with the table at `table` (ceil(m / 16) · 16 entries, n ≥ 3) and a scratch area of
 * reductionScratchBytes(n, m) that no other call uses meanwhile.
 */
export function reduce(src: usize, n: i32, out: usize, m: i32, table: usize, scratch: usize, fromStrip: i32, toStrip: i32): void {
  const srcStride = <usize>(3 * n);
  const rowBytes = pad16(srcStride);
  const outStride = <usize>(3 * m);
  const paddedOut = pad16(outStride);
  const strip = scratch;
  const columns = strip + STRIP * rowBytes;
  const outColumns = columns + STRIP * rowBytes;
  // The last strip, when short, is put together here and its rows copied out.
  const lastRows = outColumns + STRIP * paddedOut;
  for (let s = fromStrip; s < toStrip; s++) {
    weightedRows(src, srcStride, table, s * STRIP, STRIP, strip, rowBytes, srcStride);
    rowsToColumns(strip, rowBytes, rowBytes >> 4, columns);
    weightedRows(columns, 48, table, 0, m, outColumns, 48, 48);
    const rows = min(STRIP, m - s * STRIP);
    const at = out + <usize>(s * STRIP) * outStride;
    if (rows == STRIP) columnsToRows(outColumns, outStride, at, outStride);
    else {
      columnsToRows(outColumns, paddedOut, lastRows, paddedOut);
      for (let r = 0; r < rows; r++) memory.copy(at + <usize>r * outStride, lastRows + <usize>r * paddedOut, outStride);
    }
  }
}
