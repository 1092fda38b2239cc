import type { Face } from '../../functions/core/panorama/layout.ts';
import { faceDirection, toLonLat, type RawImage } from '../../functions/core/panorama/projection.ts';

/**
 * The plain per-pixel projection: each face pixel's own direction, its own atan2s, bilinear.
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
        target[out++] =
          data[p00 + channel]! * w00 + data[p01 + channel]! * w01 + data[p10 + channel]! * w10 + data[p11 + channel]! * w11 + 0.5;
      }
    }
  }
  return target;
}
