import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FACES, panoramaLayout, type Face } from '../../functions/core/panorama/layout.ts';
import { faceDirection, toLonLat, type RawImage } from '../../functions/core/panorama/projection.ts';
import { createCubeSampler } from '../../functions/worker/panorama/cube-sampler.ts';

/**
 * A panorama with detail everywhere (a few octaves of smooth waves over the sphere, in three
 * colours), built from each pixel's direction so it has no seam of its own.
 */
function texturedPanorama(width: number, height: number): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const latitude = Math.PI / 2 - ((y + 0.5) / height) * Math.PI;
    for (let x = 0; x < width; x++) {
      const longitude = ((x + 0.5) / width) * 2 * Math.PI - Math.PI;
      const dx = Math.cos(latitude) * Math.sin(longitude);
      const dy = Math.sin(latitude);
      const dz = Math.cos(latitude) * Math.cos(longitude);
      const offset = (y * width + x) * 3;
      data[offset] = 128 + 60 * Math.sin(9 * dx + 4 * dy) + 40 * Math.sin(23 * dz - 17 * dy);
      data[offset + 1] = 128 + 70 * Math.cos(13 * dy + 5 * dz) + 30 * Math.sin(29 * dx);
      data[offset + 2] = 128 + 50 * Math.sin(7 * dz + 11 * dx) + 45 * Math.cos(19 * dy - 21 * dx);
    }
  }
  return { data, width, height, channels: 3 };
}

/** Adds `weight` × the bilinear sample at (u, v), in double precision (longitude wraps, latitude clamps), into out[at…at+2]. */
function addSample(source: RawImage, u: number, v: number, weight: number, out: Float64Array, at: number): void {
  const { data, width, height } = source;
  const x0 = Math.floor(u);
  const y0 = Math.floor(v);
  const fx = u - x0;
  const fy = v - y0;
  const left = ((x0 % width) + width) % width;
  const right = (left + 1) % width;
  const top = Math.min(height - 1, Math.max(0, y0));
  const bottom = Math.min(height - 1, Math.max(0, y0 + 1));
  for (let channel = 0; channel < 3; channel++) {
    const at00 = data[(top * width + left) * 3 + channel]!;
    const at01 = data[(top * width + right) * 3 + channel]!;
    const at10 = data[(bottom * width + left) * 3 + channel]!;
    const at11 = data[(bottom * width + right) * 3 + channel]!;
    out[at + channel]! += weight * ((at00 * (1 - fx) + at01 * fx) * (1 - fy) + (at10 * (1 - fx) + at11 * fx) * fy);
  }
}

/** The reference face: every pixel the mean of 3×3 sub-pixel directions, each sampled in double precision. */
function referenceFace(source: RawImage, face: Face, size: number): Float64Array {
  const grid = 3;
  const out = new Float64Array(size * size * 3);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      for (let sy = 0; sy < grid; sy++) {
        for (let sx = 0; sx < grid; sx++) {
          const a = (2 * (column + (sx + 0.5) / grid)) / size - 1;
          const b = (2 * (row + (sy + 0.5) / grid)) / size - 1;
          const [longitude, latitude] = toLonLat(faceDirection(face, a, b));
          const u = ((longitude + Math.PI) / (2 * Math.PI)) * source.width - 0.5;
          const v = ((Math.PI / 2 - latitude) / Math.PI) * source.height - 0.5;
          addSample(source, u, v, 1 / (grid * grid), out, (row * size + column) * 3);
        }
      }
    }
  }
  return out;
}

function psnr(actual: Uint8Array, expected: Float64Array): number {
  let squared = 0;
  for (let index = 0; index < actual.length; index++) squared += (actual[index]! - expected[index]!) ** 2;
  return 10 * Math.log10((255 * 255) / (squared / actual.length));
}

describe('cube face fidelity', () => {
  it('keeps every face within 40 dB PSNR of a supersampled double-precision reference', async () => {
    const source = texturedPanorama(768, 384);
    const { cubeSize } = panoramaLayout(source.width, source.height);
    const sampler = createCubeSampler(cubeSize, source.width, source.height);
    try {
      sampler.source.set(source.data);
      for (const face of FACES) {
        const quality = psnr(await sampler.render(face, 0), referenceFace(source, face, cubeSize));
        assert.ok(quality >= 40, `${face}: ${quality.toFixed(1)} dB`);
      }
    } finally {
      await sampler.close();
    }
  });
});
