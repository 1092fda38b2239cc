/**
 * Arctangents for the sample tables, where a 16K panorama needs some 20 million of them and
 * Math.atan/atan2 cost 20–40 ns each on a Lambda-class core. Abramowitz & Stegun 4.4.49: an odd
 * polynomial on [0, 1], |error| ≤ 2·10⁻⁸ rad, and atan(x) = π/2 − atan(1/x) beyond. The tables
 * need ~4·10⁻⁷ rad (1/1024 of a pixel at 16K), so this is 20× finer than they can show. The kernel
 * computes the quadrant entries with the same polynomial (worker/panorama/kernel/tables.as.ts),
 * and test/support/reference-tables.ts with these functions, to check it.
 */
const A2 = -0.3333314528;
const A4 = 0.1999355085;
const A6 = -0.1420889944;
const A8 = 0.1065626393;
const A10 = -0.07528964;
const A12 = 0.0429096138;
const A14 = -0.0161657367;
const A16 = 0.0028662257;

/** atan(x) for |x| ≤ 1. */
export function atanUnit(x: number): number {
  const x2 = x * x;
  return x * (1 + x2 * (A2 + x2 * (A4 + x2 * (A6 + x2 * (A8 + x2 * (A10 + x2 * (A12 + x2 * (A14 + x2 * A16))))))));
}

export function fastAtan(x: number): number {
  if (x > 1) return Math.PI / 2 - atanUnit(1 / x);
  if (x < -1) return -Math.PI / 2 - atanUnit(1 / x);
  return atanUnit(x);
}

/** atan2(y, x) in (−π, π], from fastAtan. */
export function fastAtan2(y: number, x: number): number {
  if (x > 0) return fastAtan(y / x);
  if (x < 0) return y >= 0 ? fastAtan(y / x) + Math.PI : fastAtan(y / x) - Math.PI;
  if (y > 0) return Math.PI / 2;
  if (y < 0) return -Math.PI / 2;
  return 0;
}
