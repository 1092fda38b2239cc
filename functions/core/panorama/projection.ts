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

/**
 * Renders one cube face of `size`×`size` from an equirectangular image, bilinear, wrapping across
 * the ±180° meridian and clamping at the poles, so faces meet without seams.
 */
export function projectFace(source: RawImage, face: Face, size: number, target = new Uint8Array(size * size * source.channels)): Uint8Array {
  const { data, width, height, channels } = source;
  const scaleX = width / (2 * Math.PI);
  const scaleY = height / Math.PI;
  let out = 0;
  for (let row = 0; row < size; row++) {
    const b = (2 * (row + 0.5)) / size - 1;
    for (let column = 0; column < size; column++) {
      const a = (2 * (column + 0.5)) / size - 1;
      const [lon, lat] = toLonLat(faceDirection(face, a, b));
      // Pixel centres: column x covers longitude ((x + 0.5) / W - 0.5) · 2π.
      const u = (lon + Math.PI) * scaleX - 0.5;
      const v = (Math.PI / 2 - lat) * scaleY - 0.5;
      let x0 = Math.floor(u);
      const fx = u - x0;
      const y0f = Math.floor(v);
      const fy = v - y0f;
      x0 = ((x0 % width) + width) % width;
      const x1 = x0 + 1 === width ? 0 : x0 + 1;
      const y0 = y0f < 0 ? 0 : y0f >= height ? height - 1 : y0f;
      const y1 = y0f + 1 < 0 ? 0 : y0f + 1 >= height ? height - 1 : y0f + 1;
      const p00 = (y0 * width + x0) * channels;
      const p01 = (y0 * width + x1) * channels;
      const p10 = (y1 * width + x0) * channels;
      const p11 = (y1 * width + x1) * channels;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      for (let channel = 0; channel < channels; channel++) {
        target[out++] = data[p00 + channel]! * w00 + data[p01 + channel]! * w01 + data[p10 + channel]! * w10 + data[p11 + channel]! * w11 + 0.5;
      }
    }
  }
  return target;
}
