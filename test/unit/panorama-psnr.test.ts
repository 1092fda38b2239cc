import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FACES, panoramaLayout, type Face } from '../../functions/core/panorama/layout.ts';
import { faceDirection, toLonLat, type RawImage } from '../../functions/core/panorama/projection.ts';
import { createCubeSampler } from '../../functions/worker/panorama/cube-sampler.ts';
import { cubic, extendedPixel } from '../support/reference-projection.ts';

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

/**
 * Adds `weight` × the bicubic sample at (u, v), in double precision (longitude wraps, rows past a
 * pole are the rows across it), into out[at…at+2].
 */
function addSample(source: RawImage, u: number, v: number, weight: number, out: Float64Array, at: number): void {
  const x0 = Math.floor(u);
  const y0 = Math.floor(v);
  for (let dy = -1; dy <= 2; dy++) {
    for (let dx = -1; dx <= 2; dx++) {
      const tap = weight * cubic(u - (x0 + dx)) * cubic(v - (y0 + dy));
      const pixel = extendedPixel(source, x0 + dx, y0 + dy);
      for (let channel = 0; channel < 3; channel++) out[at + channel]! += tap * source.data[pixel + channel]!;
    }
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

type Vector = readonly [number, number, number];
const dot = (p: Vector, q: Vector) => p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
const minus = (p: Vector, q: Vector): Vector => [p[0] - q[0], p[1] - q[1], p[2] - q[2]];

/** The face and pixel a direction falls on: the face whose axis it is closest to, then that face's (a, b). */
function pixelOf(direction: Vector, size: number): { face: Face; row: number; column: number } {
  const face = FACES.reduce((best, candidate) =>
    dot(direction, faceDirection(candidate, 0, 0)) > dot(direction, faceDirection(best, 0, 0)) ? candidate : best,
  );
  const centre = faceDirection(face, 0, 0);
  const scale = 1 / dot(direction, centre);
  const onFace = minus(direction.map((value) => value * scale) as unknown as Vector, centre);
  const a = dot(onFace, minus(faceDirection(face, 1, 0), centre));
  const b = dot(onFace, minus(faceDirection(face, 0, 1), centre));
  const clamp = (value: number) => Math.min(size - 1, Math.max(0, Math.floor(((value + 1) / 2) * size)));
  return { face, row: clamp(b), column: clamp(a) };
}

describe('cube face fidelity', () => {
  it('has no seam between faces: pixels across a face edge differ no more than neighbours inside a face', async () => {
    const source = texturedPanorama(768, 384);
    const size = 96;
    const sampler = createCubeSampler(size, source.width, source.height);
    const faces = new Map<Face, Uint8Array>();
    try {
      sampler.setSource(source.data);
      for (const face of FACES) faces.set(face, (await sampler.render(face, 0)).slice());
    } finally {
      await sampler.close();
    }
    const colour = (face: Face, row: number, column: number) =>
      faces.get(face)!.subarray((row * size + column) * 3, (row * size + column) * 3 + 3);
    const difference = (p: Uint8Array, q: Uint8Array) => (Math.abs(p[0]! - q[0]!) + Math.abs(p[1]! - q[1]!) + Math.abs(p[2]! - q[2]!)) / 3;
    let across = 0;
    let acrossCount = 0;
    let inside = 0;
    let insideCount = 0;
    for (const face of FACES) {
      for (let index = 0; index < size; index++) {
        // Each edge pixel, and the pixel one step outward, wherever that lands.
        for (const [row, column, da, db] of [
          [0, index, 0, -1],
          [size - 1, index, 0, 1],
          [index, 0, -1, 0],
          [index, size - 1, 1, 0],
        ] as const) {
          const a = (2 * (column + 0.5 + da)) / size - 1;
          const b = (2 * (row + 0.5 + db)) / size - 1;
          const neighbour = pixelOf(faceDirection(face, a, b), size);
          assert.notEqual(neighbour.face, face, 'one step past an edge is on another face');
          across += difference(colour(face, row, column), colour(neighbour.face, neighbour.row, neighbour.column));
          acrossCount++;
        }
        if (index > 0) {
          inside += difference(colour(face, size >> 1, index), colour(face, size >> 1, index - 1));
          insideCount++;
        }
      }
    }
    assert.ok(
      across / acrossCount <= 1.5 * (inside / insideCount) + 1,
      `across edges ${(across / acrossCount).toFixed(2)}, inside ${(inside / insideCount).toFixed(2)}`,
    );
  });

  it('keeps every face within 40 dB PSNR of a supersampled double-precision reference', async () => {
    const source = texturedPanorama(768, 384);
    const { cubeSize } = panoramaLayout(source.width, source.height);
    const sampler = createCubeSampler(cubeSize, source.width, source.height);
    try {
      sampler.setSource(source.data);
      for (const face of FACES) {
        const quality = psnr(await sampler.render(face, 0), referenceFace(source, face, cubeSize));
        assert.ok(quality >= 40, `${face}: ${quality.toFixed(1)} dB`);
      }
    } finally {
      await sampler.close();
    }
  });
});
