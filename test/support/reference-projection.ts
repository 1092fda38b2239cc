import { FRACTION_ONE } from '../../functions/core/panorama/cube.ts';
import type { Face } from '../../functions/core/panorama/layout.ts';
import { faceDirection, toLonLat, type RawImage } from '../../functions/core/panorama/projection.ts';

/** The kernel's a: Keys' cubic convolution with a = −0.75, as Panorama Tools' "poly3". */
export const CUBIC_A = -0.75;

/** Keys' cubic convolution kernel at distance d. */
export function cubic(d: number, a = CUBIC_A): number {
  const x = Math.abs(d);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/** The kernel at hard edges: half Keys, half bilinear. */
export const hardEdgeKernel = (d: number): number => (cubic(d) + Math.max(0, 1 - Math.abs(d))) / 2;

/** Channel spans above this, among the four pixels around a sample, make a hard edge. */
export const HARD_EDGE_SPAN = 128;

/** Whether the pixels at columns x, x + 1 of rows y, y + 1 differ by more than HARD_EDGE_SPAN in some channel. */
function hardEdge(source: RawImage, x: number, y: number): boolean {
  const corners = [
    extendedPixel(source, x, y),
    extendedPixel(source, x + 1, y),
    extendedPixel(source, x, y + 1),
    extendedPixel(source, x + 1, y + 1),
  ];
  for (let channel = 0; channel < source.channels; channel++) {
    const values = corners.map((at) => source.data[at + channel]!);
    if (Math.max(...values) - Math.min(...values) > HARD_EDGE_SPAN) return true;
  }
  return false;
}

/**
 * The pixel at column x, row y of the panorama extended past its edges: columns wrap, and a row
 * beyond a pole is the row across it, half a turn of longitude away (row −1 − k is row k turned by
 * width/2; row height + k is row height − 1 − k turned).
 */
export function extendedPixel(source: RawImage, x: number, y: number): number {
  const { width, height, channels } = source;
  let row = y;
  let column = x;
  if (row < 0) {
    row = -1 - row;
    column += width / 2;
  } else if (row >= height) {
    row = 2 * height - 1 - row;
    column += width / 2;
  }
  column = ((column % width) + width) % width;
  return (row * width + column) * channels;
}

/**
 * The plain per-pixel projection: each face pixel's own direction, its own atan2s, bicubic over
 * 4 × 4 source pixels in double precision (hardEdgeKernel where the four nearest differ by more
 * than HARD_EDGE_SPAN), clamped to 0…255.
 * Slow, obviously right: the fast table-driven renderer is checked against it.
 */
export function projectFace(
  source: RawImage,
  face: Face,
  size: number,
  target = new Uint8Array(size * size * source.channels),
): Uint8Array {
  const { data, width, height, channels } = source;
  const scaleX = width / (2 * Math.PI);
  const scaleY = height / Math.PI;
  const sum = new Float64Array(channels);
  let out = 0;
  for (let row = 0; row < size; row++) {
    const b = (2 * (row + 0.5)) / size - 1;
    for (let column = 0; column < size; column++) {
      const a = (2 * (column + 0.5)) / size - 1;
      const [lon, lat] = toLonLat(faceDirection(face, a, b));
      // Pixel centres: column x covers longitude ((x + 0.5) / W - 0.5) · 2π; row y latitude π/2 − (y + 0.5) / H · π.
      const u = (lon + Math.PI) * scaleX - 0.5;
      const v = (Math.PI / 2 - lat) * scaleY - 0.5;
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      // Which four pixels surround the sample follows the kernel's positions, rounded to 1/1024
      // (cube.ts): a sample within 1/2048 below a row is on it there.
      const kernel = hardEdge(
        source,
        Math.floor(Math.round(u * FRACTION_ONE) / FRACTION_ONE),
        Math.floor(Math.round(v * FRACTION_ONE) / FRACTION_ONE),
      )
        ? hardEdgeKernel
        : cubic;
      sum.fill(0);
      for (let dy = -1; dy <= 2; dy++) {
        const wy = kernel(v - (y0 + dy));
        for (let dx = -1; dx <= 2; dx++) {
          const weight = wy * kernel(u - (x0 + dx));
          const at = extendedPixel(source, x0 + dx, y0 + dy);
          for (let channel = 0; channel < channels; channel++) sum[channel]! += weight * data[at + channel]!;
        }
      }
      for (let channel = 0; channel < channels; channel++) target[out++] = Math.min(255, Math.max(0, Math.round(sum[channel]!)));
    }
  }
  return target;
}
