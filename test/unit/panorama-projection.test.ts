import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FRACTION_ONE } from '../../functions/core/panorama/cube.ts';
import { FACES } from '../../functions/core/panorama/layout.ts';
import { createCubeSampler } from '../../functions/worker/panorama/cube-sampler.ts';
import { faceDirection, toLonLat, type RawImage } from '../../functions/core/panorama/projection.ts';
import { kernelInstance } from '../support/kernel-instance.ts';
import { projectFace } from '../support/reference-projection.ts';

/** The production path: shared sample tables, then one face through the WebAssembly kernel. */
async function render(source: RawImage, face: (typeof FACES)[number], size: number): Promise<Uint8Array> {
  const sampler = createCubeSampler(size, source.width, source.height);
  try {
    sampler.setSource(source.data);
    return (await sampler.render(face, 0)).slice();
  } finally {
    await sampler.close();
  }
}

/**
 * A synthetic panorama whose colours encode direction: red = longitude, green = latitude, blue = 128.
 * Smooth everywhere except the ±180° meridian, which the face test below avoids sampling across.
 */
function directionPanorama(width: number, height: number): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      data[offset] = Math.round(((x + 0.5) / width) * 255);
      data[offset + 1] = Math.round(((y + 0.5) / height) * 255);
      data[offset + 2] = 128;
    }
  }
  return { data, width, height, channels: 3 };
}

/** Uniform noise: every pixel unrelated to its neighbours (a fixed linear congruential sequence). */
function noisePanorama(width: number, height: number): RawImage {
  const data = new Uint8Array(width * height * 3);
  let state = 7;
  for (let index = 0; index < data.length; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    data[index] = state >>> 24;
  }
  return { data, width, height, channels: 3 };
}

/** Every face at an even and an odd size through the kernel, within one grey level of projectFace's. */
async function assertLikeThePlainProjection(source: RawImage): Promise<void> {
  for (const size of [48, 33]) {
    for (const face of FACES) {
      const fast = await render(source, face, size);
      const plain = projectFace(source, face, size);
      let worst = 0;
      for (let index = 0; index < fast.length; index++) worst = Math.max(worst, Math.abs(fast[index]! - plain[index]!));
      assert.ok(worst <= 1, `${face} at ${size}: ${worst}`);
    }
  }
}

describe('cube face projection', () => {
  it('points each face where Pannellum expects it', () => {
    const centre = (face: (typeof FACES)[number]) =>
      toLonLat(faceDirection(face, 0, 0)).map((value) => Math.round((value * 180) / Math.PI) + 0);
    assert.deepEqual(centre('f'), [0, 0]);
    assert.deepEqual(centre('r'), [90, 0]);
    assert.deepEqual(centre('l'), [-90, 0]);
    assert.deepEqual(Math.abs(centre('b')[0]!), 180);
    assert.equal(centre('u')[1], 90);
    assert.equal(centre('d')[1], -90);
    // Right is east on the side faces; u's bottom edge touches f's top edge.
    assert.ok(toLonLat(faceDirection('f', 0.5, 0))[0] > 0);
    assert.ok(toLonLat(faceDirection('r', 0.5, 0))[0] > Math.PI / 2);
    const uBottom = faceDirection('u', 0, 1);
    const fTop = faceDirection('f', 0, -1);
    assert.deepEqual(uBottom, fTop);
    const dTop = faceDirection('d', 0, -1);
    const fBottom = faceDirection('f', 0, 1);
    assert.deepEqual(dTop, fBottom);
  });

  it('samples the colour of the direction each face pixel looks in (front, right, left faces)', async () => {
    const source = directionPanorama(512, 256);
    const size = 64;
    for (const face of ['f', 'r', 'l'] as const) {
      const pixels = await render(source, face, size);
      let worst = 0;
      for (let row = 2; row < size - 2; row++) {
        for (let column = 2; column < size - 2; column++) {
          const [lon, lat] = toLonLat(faceDirection(face, (2 * (column + 0.5)) / size - 1, (2 * (row + 0.5)) / size - 1));
          const expectedRed = (lon / (2 * Math.PI) + 0.5) * 255;
          const expectedGreen = (0.5 - lat / Math.PI) * 255;
          const offset = (row * size + column) * 3;
          worst = Math.max(worst, Math.abs(pixels[offset]! - expectedRed), Math.abs(pixels[offset + 1]! - expectedGreen));
        }
      }
      assert.ok(worst <= 2, `${face}: worst channel error ${worst}`);
    }
  });

  it('wraps across the ±180° meridian instead of leaving a seam', async () => {
    // The back face's centre pixel looks exactly at the seam, half-way between columns W − 1 and 0
    // and between rows 63 and 64, where the cubic's weights are (−3, 19, 19, −3)/32. It must weigh
    // columns W − 2, W − 1, 0 and 1 of rows 62–65: column 0 (200, 200, 200, 0 down those rows) gives
    // 218.75, and across 50, 100, 218.75, 50 that is 179.9. Reading past the row's end instead
    // (the next rows' first pixels) gives 109.
    const width = 256;
    const height = 128;
    const data = new Uint8Array(width * height * 3).fill(50);
    for (let y = 0; y < height; y++) {
      data.fill(y <= 64 ? 200 : 0, y * width * 3, y * width * 3 + 3);
      data.fill(100, (y * width + width - 1) * 3, (y * width + width) * 3);
    }
    const back = await render({ data, width, height, channels: 3 }, 'b', 33);
    assert.deepEqual([...back.subarray((16 * 33 + 16) * 3, (16 * 33 + 17) * 3)], [180, 180, 180]);
  });

  it('renders every face within one grey level of the plain per-pixel projection (even and odd sizes, smooth and noisy)', async () => {
    // Noise tells a misplaced tap or a wrong weight from the right one; the smooth panorama covers the ±180° jump.
    for (const source of [directionPanorama(512, 256), noisePanorama(512, 256)]) await assertLikeThePlainProjection(source);
  });

  it('weighs hard edges as the plain projection does where a few rows hold them and the rest none (the rows’ flags)', async () => {
    // Smooth everywhere but checker bands (0 and 255, 2 px cells) in rows by the north pole, at the
    // equator and by the south pole, and a patch across the ±180° meridian: face rows sampling those
    // rows must make the hard-edge test, the others may skip it.
    const source = directionPanorama(512, 256);
    const checker = (fromRow: number, toRow: number, fromColumn: number, toColumn: number) => {
      for (let y = fromRow; y < toRow; y++)
        for (let x = fromColumn; x < toColumn; x++)
          source.data.fill((x >> 1) % 2 === (y >> 1) % 2 ? 0 : 255, (y * 512 + (x % 512)) * 3, (y * 512 + (x % 512)) * 3 + 3);
    };
    checker(6, 10, 0, 512);
    checker(126, 130, 40, 90);
    checker(70, 74, 500, 524);
    checker(240, 244, 200, 330);
    await assertLikeThePlainProjection(source);
  });

  it('fills the weight table the renderers read only at its own size: per fraction Keys’ four weights, then the hard-edge ones, each summing to 2048', () => {
    const rows = 2 * FRACTION_ONE;
    const { memory, kernel } = kernelInstance<{ cubicWeightTable(at: number, bytes: number): void }>(1024 + rows * 80);
    assert.throws(() => kernel.cubicWeightTable(1024, FRACTION_ONE * 80), WebAssembly.RuntimeError, 'the Keys rows alone are too few');
    kernel.cubicWeightTable(1024, rows * 80);
    const words = new Int32Array(memory.buffer, 1024, (rows * 80) / 4);
    const tapsOf = (row: number) => {
      const weights = words.subarray(row * 20, row * 20 + 12);
      return { weights, taps: [weights[0]!, weights[3]!, weights[6]!, weights[9]!] };
    };
    for (let row = 0; row < rows; row++) {
      // [w0 w0 w0 w1] [w1 w1 w2 w2] [w2 w3 w3 w3]: each RGB byte's tap weight, as convolve multiplies them.
      const { weights, taps } = tapsOf(row);
      assert.deepEqual(
        [...weights],
        [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3].map((tap) => taps[tap]),
        `row ${row}`,
      );
      assert.equal(taps[0]! + taps[1]! + taps[2]! + taps[3]!, 2048, `row ${row}`);
      // Then the row weights in pairs, as 16-bit lanes: [w0 w1] four times, [w2 w3] four times.
      const pairs = new Int16Array(memory.buffer, 1024 + row * 80 + 48, 16);
      assert.deepEqual(
        [...pairs],
        [0, 1, 0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3, 2, 3].map((tap) => taps[tap]),
        `row ${row}`,
      );
    }
    for (let fraction = 0; fraction < FRACTION_ONE; fraction++) {
      const keys = tapsOf(fraction).taps;
      const bilinear = [0, 2048 - (2048 * fraction) / FRACTION_ONE, (2048 * fraction) / FRACTION_ONE, 0];
      const hard = tapsOf(FRACTION_ONE + fraction).taps;
      for (let tap = 0; tap < 4; tap++) {
        assert.ok(Math.abs(hard[tap]! - (keys[tap]! + bilinear[tap]!) / 2) <= 1.5, `fraction ${fraction}, tap ${tap}: ${hard[tap]}`);
      }
    }
    assert.deepEqual([...words.subarray(0, 12)], [0, 0, 0, 2048, 2048, 2048, 0, 0, 0, 0, 0, 0], 'fraction 0 is the pixel itself');
    assert.deepEqual(tapsOf(FRACTION_ONE).taps, [0, 2048, 0, 0], 'also at a hard edge');
  });

  it('renders the same faces on this thread alone when the helper thread is gone', async () => {
    const source = directionPanorama(512, 256);
    const alone = createCubeSampler(48, source.width, source.height);
    alone.setSource(source.data);
    await alone.close();
    for (const face of FACES) assert.deepEqual(await alone.render(face, 1), await render(source, face, 48), face);
  });

  it('fills the poles without holes', async () => {
    const up = await render(directionPanorama(512, 256), 'u', 32);
    // Every pixel is sampled (blue is 128 everywhere in the source), and only from above ~35° latitude.
    for (let index = 0; index < up.length; index += 3) {
      assert.equal(up[index + 2], 128);
      assert.ok(up[index + 1]! <= 80, `green ${up[index + 1]} is from the top rows`);
    }
  });
});
