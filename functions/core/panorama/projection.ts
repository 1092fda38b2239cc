import type { Face } from './layout.ts';

/** Raw interleaved pixels, as sharp's `.raw()` gives them. */
export interface RawImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/**
 * The direction a face pixel looks in, for face coordinates a (right) and b (down) in [-1, 1].
 * Axes: x east (longitude +90°), y up, z forward (longitude 0, the image's centre column).
 * Orientation as Pannellum expects (reference/pannellum.md §1): f at longitude 0, r at +90,
 * b at 180, l at −90, right pointing east and down pointing down; u's bottom edge meets f's top,
 * d's top edge meets f's bottom.
 */
export function faceDirection(face: Face, a: number, b: number): [number, number, number] {
  switch (face) {
    case 'f':
      return [a, -b, 1];
    case 'r':
      return [1, -b, -a];
    case 'b':
      return [-a, -b, -1];
    case 'l':
      return [-1, -b, a];
    case 'u':
      return [a, 1, b];
    case 'd':
      return [a, -1, -b];
  }
}

/** Longitude in [-π, π] and latitude in [-π/2, π/2] of a direction. */
export function toLonLat([x, y, z]: readonly [number, number, number]): [number, number] {
  return [Math.atan2(x, z), Math.atan2(y, Math.hypot(x, z))];
}
