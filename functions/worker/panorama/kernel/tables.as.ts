// AssemblyScript, compiled by `npm run build:kernel` (through cube-kernel.as.ts).
// The quadrant tables of functions/core/panorama/cube.ts (its comment says what they hold), computed
// here because at 16K they take some 20 million arctangents and ran while the panorama is decoded,
// slowing the decoder down. The arithmetic is the same, operation for operation, as the plain
// JavaScript formulas they replace (f64 throughout, no fused multiply-add in WebAssembly, Math.round's
// ties upwards), so the tables are bit for bit the same; a test compares them.

import { FRACTION_BITS, FRACTION_MASK, FRACTIONS } from './fixed-point.as';

/** Positions are stored as round(p · FRACTIONS) (fixed-point.as.ts). */
const FRACTION_ONE: f64 = <f64>FRACTIONS;

// Abramowitz & Stegun 4.4.49: an odd polynomial on [0, 1], |error| ≤ 2·10⁻⁸ rad.
const A2: f64 = -0.3333314528;
const A4: f64 = 0.1999355085;
const A6: f64 = -0.1420889944;
const A8: f64 = 0.1065626393;
const A10: f64 = -0.07528964;
const A12: f64 = 0.0429096138;
const A14: f64 = -0.0161657367;
const A16: f64 = 0.0028662257;

/** atan(x) for |x| ≤ 1, two lanes at once. */
@inline function atanUnit(x: v128): v128 {
  const x2 = f64x2.mul(x, x);
  let p = f64x2.add(f64x2.splat(A14), f64x2.mul(x2, f64x2.splat(A16)));
  p = f64x2.add(f64x2.splat(A12), f64x2.mul(x2, p));
  p = f64x2.add(f64x2.splat(A10), f64x2.mul(x2, p));
  p = f64x2.add(f64x2.splat(A8), f64x2.mul(x2, p));
  p = f64x2.add(f64x2.splat(A6), f64x2.mul(x2, p));
  p = f64x2.add(f64x2.splat(A4), f64x2.mul(x2, p));
  p = f64x2.add(f64x2.splat(A2), f64x2.mul(x2, p));
  return f64x2.mul(x, f64x2.add(f64x2.splat(1), f64x2.mul(x2, p)));
}

/** atan(x): atanUnit(x) within ±1, ±π/2 − atanUnit(1/x) beyond (each lane computes what its branch would). */
@inline function fastAtan(x: v128): v128 {
  const above = f64x2.gt(x, f64x2.splat(1));
  const below = f64x2.lt(x, f64x2.splat(-1));
  const outside = v128.or(above, below);
  const p = atanUnit(v128.bitselect(f64x2.div(f64x2.splat(1), x), x, outside));
  const quarter = v128.bitselect(f64x2.splat(Math.PI / 2), f64x2.splat(-Math.PI / 2), above);
  return v128.bitselect(f64x2.sub(quarter, p), p, outside);
}

/** atan2(y, x) in (−π, π]. */
@inline function fastAtan2(y: v128, x: v128): v128 {
  const zero = f64x2.splat(0);
  const f = fastAtan(f64x2.div(y, x));
  const turned = v128.bitselect(f64x2.add(f, f64x2.splat(Math.PI)), f64x2.sub(f, f64x2.splat(Math.PI)), f64x2.ge(y, zero));
  const onAxis = v128.bitselect(f64x2.splat(Math.PI / 2), v128.bitselect(f64x2.splat(-Math.PI / 2), zero, f64x2.lt(y, zero)), f64x2.gt(y, zero));
  return v128.bitselect(f, v128.bitselect(turned, onAxis, f64x2.lt(x, zero)), f64x2.gt(x, zero));
}

/** JavaScript's Math.round: the nearest integer, ties towards +∞ (f64x2.nearest ties to even). */
@inline function roundHalfUp(x: v128): v128 {
  const whole = f64x2.floor(x);
  const up = f64x2.ge(f64x2.sub(x, whole), f64x2.splat(0.5));
  return v128.bitselect(f64x2.add(whole, f64x2.splat(1)), whole, up);
}

/** Row positions: the row (−1 … height − 1) times 1024 plus its 10-bit fraction, as i32 in lanes 0 and 1. */
@inline function rowSample(v: v128, height: f64): v128 {
  const clamped = f64x2.min(f64x2.splat(height - 0.5), f64x2.max(f64x2.splat(-0.5), v));
  return i32x4.trunc_sat_f64x2_s_zero(roundHalfUp(f64x2.mul(clamped, f64x2.splat(FRACTION_ONE))));
}

/** A column position: the wrapped column times 1024 plus its 10-bit fraction, from u · 1024 rounded. */
@inline function columnSample(fixed: i32, width: i32): i32 {
  const whole = <i32>Math.floor(<f64>fixed / FRACTION_ONE);
  const wrapped = whole >= 0 && whole < width ? whole : ((whole % width) + width) % width;
  return (wrapped << FRACTION_BITS) + (fixed - (whole << FRACTION_BITS));
}

/** Doubles `index` and `index` + 1 of the array at `at`, or `index` twice when it is the last. */
@inline function pair(at: usize, index: i32, both: bool): v128 {
  const address = at + (<usize>index << 3);
  return both ? v128.load(address) : v128.load64_splat(address);
}

@inline function storeRow(y: usize, fy: usize, index: usize, sample: i32): void {
  store<i16>(y + (index << 1), <i16>(sample >> FRACTION_BITS));
  store<u16>(fy + (index << 1), <u16>(sample & FRACTION_MASK));
}

@inline function storeColumn(x: usize, fx: usize, index: usize, fixed: i32, width: i32): void {
  const sample = columnSample(fixed, width);
  store<u16>(x + (index << 1), <u16>(sample >> FRACTION_BITS));
  store<u16>(fx + (index << 1), <u16>(sample & FRACTION_MASK));
}

/**
 * The quadrant tables (half × half entries, row-major): per entry the side faces'
 * y (i16) and fraction (u16), the zenith's x (u16), its fraction, y and fraction. `coordinates` holds
 * the quadrant's face coordinates (2(i + 0.5)/size − 1, f64) and `inverseNorms` 1/√(1 + a²) for
 * each. Two columns at a time.
 */
export function quadrantTables(
  half: i32, width: i32, height: i32, coordinates: usize, inverseNorms: usize,
  sideY: usize, sideFy: usize, topX: usize, topFx: usize, topY: usize, topFy: usize,
): void {
  const scaleX = f64x2.splat(<f64>width / (2 * Math.PI));
  const scaleY = f64x2.splat(<f64>height / Math.PI);
  const rows = <f64>height;
  const halfPixel = f64x2.splat(0.5);
  for (let row = 0; row < half; row++) {
    const b = f64x2.splat(load<f64>(coordinates + (<usize>row << 3)));
    let index = <usize>(row * half);
    for (let column = 0; column < half; column += 2, index += 2) {
      const second = column + 1 < half;
      const a = pair(coordinates, column, second);
      // Side face f looks along (a, −b, 1): latitude atan(−b / √(1 + a²)), within ±π/4.
      const latitude = atanUnit(f64x2.mul(f64x2.neg(b), pair(inverseNorms, column, second)));
      const side = rowSample(f64x2.sub(f64x2.mul(f64x2.sub(f64x2.splat(Math.PI / 2), latitude), scaleY), halfPixel), rows);
      // Zenith face u looks along (a, 1, b): its distance from the pole is atan(√(a² + b²)), its longitude atan2(a, b).
      const distance = fastAtan(f64x2.sqrt(f64x2.add(f64x2.mul(a, a), f64x2.mul(b, b))));
      const top = rowSample(f64x2.sub(f64x2.mul(distance, scaleY), halfPixel), rows);
      const longitude = f64x2.sub(f64x2.mul(f64x2.add(fastAtan2(a, b), f64x2.splat(Math.PI)), scaleX), halfPixel);
      const fixed = i32x4.trunc_sat_f64x2_s_zero(roundHalfUp(f64x2.mul(longitude, f64x2.splat(FRACTION_ONE))));
      storeRow(sideY, sideFy, index, i32x4.extract_lane(side, 0));
      storeRow(topY, topFy, index, i32x4.extract_lane(top, 0));
      storeColumn(topX, topFx, index, i32x4.extract_lane(fixed, 0), width);
      if (second) {
        storeRow(sideY, sideFy, index + 1, i32x4.extract_lane(side, 1));
        storeRow(topY, topFy, index + 1, i32x4.extract_lane(top, 1));
        storeColumn(topX, topFx, index + 1, i32x4.extract_lane(fixed, 1), width);
      }
    }
  }
}
