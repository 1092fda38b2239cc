import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import {
  COLOUR_BOX_BYTES,
  extremeColourTable,
  isJpegExtremeColour,
  JPEG_EXTREME_COLOURS,
  type Rgb,
} from '../../functions/core/panorama/jpeg-extremes.ts';
import { panoramaLayout, tilePath } from '../../functions/core/panorama/layout.ts';
import { createCubeSampler, type KernelExports } from '../../functions/worker/panorama/cube-sampler.ts';
import { buildPanorama } from '../../functions/worker/panorama/tiler.ts';
import { holdsJpegExtremeColour } from '../support/jpeg-extremes.ts';
import { kernelInstance } from '../support/kernel-instance.ts';
import { diagnosticPanorama, photographPanorama } from '../support/panorama-images.ts';
import { decodeRgb } from '../support/panorama-fidelity.ts';

/** libjpeg's RGB → YCbCr (jccolor.c: 16-bit fixed point, FIX(x) = round(x · 2¹⁶)). */
function libjpegYcc(r: number, g: number, b: number): [number, number, number] {
  const half = 1 << 15;
  const offset = 128 << 16;
  return [
    (19595 * r + 38470 * g + 7471 * b + half) >> 16,
    (-11059 * r - 21709 * g + 32768 * b + offset + half - 1) >> 16,
    (32768 * r - 27439 * g - 5329 * b + offset + half - 1) >> 16,
  ];
}

/** Deterministic xorshift32 numbers in 0 … 2³² − 1. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
}

/**
 * Colours next to the boxes: each box's corners (inside), and each corner moved one level out of the
 * box along each channel that can move (outside); and colours whose bytes are all dark or bright but
 * in no box (green, magenta, dark grey), which the kernel's screen lets through.
 */
function colourProbes(): Array<{ colour: Rgb; extreme: boolean }> {
  const probes: Array<{ colour: Rgb; extreme: boolean }> = [];
  for (const { low, high } of JPEG_EXTREME_COLOURS) {
    for (let corner = 0; corner < 8; corner++) {
      const colour = [0, 1, 2].map((channel) => ((corner >> channel) & 1 ? high[channel]! : low[channel]!)) as unknown as Rgb;
      probes.push({ colour, extreme: true });
      for (let channel = 0; channel < 3; channel++) {
        const outward = colour[channel] === low[channel] ? low[channel]! - 1 : high[channel]! + 1;
        if (outward < 0 || outward > 255) continue;
        const moved = [...colour] as [number, number, number];
        moved[channel] = outward;
        probes.push({ colour: moved, extreme: isJpegExtremeColour(...moved) });
      }
    }
  }
  for (const colour of [
    [0, 255, 0],
    [255, 0, 255],
    [10, 10, 10],
    [250, 250, 240],
  ] as const)
    probes.push({ colour, extreme: false });
  return probes;
}

describe('colours JPEG deringing can act on', () => {
  it('every colour libjpeg turns into a Y, Cb or Cr of 0 or 255 is in a box, over all 2²⁴ colours', () => {
    let extremes = 0;
    for (let r = 0; r < 256; r++) {
      for (let g = 0; g < 256; g++) {
        for (let b = 0; b < 256; b++) {
          const [y, cb, cr] = libjpegYcc(r, g, b);
          if (y !== 0 && y !== 255 && cb !== 0 && cb !== 255 && cr !== 0 && cr !== 255) continue;
          extremes += 1;
          if (!isJpegExtremeColour(r, g, b)) assert.fail(`(${r}, ${g}, ${b}) → YCbCr (${y}, ${cb}, ${cr}) is in no box`);
        }
      }
    }
    assert.ok(extremes > 0);
  });

  it('the boxes are the exact sets widened by two levels: a colour three levels out of all of them is not extreme', () => {
    assert.equal(isJpegExtremeColour(255, 255, 255), true);
    assert.equal(isJpegExtremeColour(249, 250, 246), false);
    assert.equal(isJpegExtremeColour(0, 0, 255), true);
    assert.equal(isJpegExtremeColour(10, 8, 255), false);
  });

  it('the kernel’s table: six bytes a box and the screen’s bounds, which every box keeps within', () => {
    const { bytes, count, darkest, brightest } = extremeColourTable();
    assert.equal(count, JPEG_EXTREME_COLOURS.length);
    assert.equal(bytes.length, count * COLOUR_BOX_BYTES);
    assert.deepEqual([...bytes.subarray(0, 6)], [...JPEG_EXTREME_COLOURS[0]!.low, ...JPEG_EXTREME_COLOURS[0]!.high]);
    assert.deepEqual([darkest, brightest], [14, 249]);
    assert.throws(() => extremeColourTable([{ low: [0, 0, 0], high: [3, 200, 3] }]), /screen would miss it/);
    assert.throws(
      () =>
        extremeColourTable([
          { low: [0, 0, 0], high: [127, 127, 127] },
          { low: [128, 128, 128], high: [255, 255, 255] },
        ]),
      /screen would pass everything/,
    );
  });
});

type ExtremesExports = Pick<KernelExports, 'holdsExtremeColours'>;

describe('the kernel’s holdsExtremeColours', () => {
  const { bytes: boxBytes, count, darkest, brightest } = extremeColourTable();
  const stride = 3 * 80;
  const rows = 12;
  const { memory, kernel } = kernelInstance<ExtremesExports>(64 * 1024);
  const boxesAt = 0;
  const imageAt = 256 + 5;
  memory.set(boxBytes, boxesAt);
  const run = (left: number, top: number, width: number, height: number) =>
    kernel.holdsExtremeColours(imageAt + top * stride + left * 3, stride, width, height, boxesAt, count, darkest, brightest);
  /** A mid-grey image with `colour` at (x, y) and extreme colours just around the region, where the kernel must not read. */
  const paint = (colour: Rgb, x: number, y: number, region: { left: number; top: number; width: number; height: number }) => {
    const image = memory.subarray(imageAt, imageAt + stride * (rows + 1));
    image.fill(128);
    const set = (px: number, py: number, value: Rgb) => {
      if (px >= 0 && py >= 0 && px < stride / 3 && py <= rows) image.set(value, py * stride + px * 3);
    };
    for (let py = region.top - 1; py <= region.top + region.height; py++) {
      set(region.left - 1, py, [255, 255, 255]);
      set(region.left + region.width, py, [255, 255, 255]);
    }
    for (let px = region.left; px < region.left + region.width; px++) {
      set(px, region.top - 1, [0, 0, 255]);
      set(px, region.top + region.height, [255, 0, 0]);
    }
    set(x, y, colour);
  };

  it('finds a colour in a box wherever it is (SIMD groups, the tail of a row, the last row) and only then', () => {
    const next = random(2026);
    const probes = colourProbes();
    let checked = 0;
    for (const width of [1, 15, 16, 17, 31, 32, 33, 47, 63, 78]) {
      for (const { colour, extreme } of probes) {
        const region = { left: 1, top: 1, width, height: 1 + (next() % (rows - 2)) };
        const x = region.left + (next() % width);
        const y = region.top + (next() % region.height);
        paint(colour, x, y, region);
        assert.equal(
          run(region.left, region.top, region.width, region.height),
          extreme ? 1 : 0,
          `(${colour}) at ${x},${y} of a ${width}-wide region`,
        );
        checked += 1;
      }
    }
    assert.ok(checked > 1000);
  });

  it('a region of photograph-like colours with no box colour holds none; one such pixel among them is found', () => {
    const next = random(7);
    const image = memory.subarray(imageAt, imageAt + stride * rows);
    for (let index = 0; index < image.length; index += 3) {
      let colour: Rgb;
      do colour = [next() & 255, next() & 255, next() & 255];
      while (isJpegExtremeColour(...colour));
      image.set(colour, index);
    }
    assert.equal(run(0, 0, stride / 3, rows), 0);
    image.set([254, 255, 253], 5 * stride + 77 * 3);
    assert.equal(run(0, 0, stride / 3, rows), 1);
    assert.equal(run(0, 0, 77, rows), 0);
  });
});

describe('JPEG bytes with and without overshoot deringing', () => {
  const jpeg = (pixels: Uint8Array, width: number, height: number, quality: number, overshootDeringing: boolean) =>
    sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality, overshootDeringing })
      .toBuffer();

  /** Colours one level outside a box on every side and random colours, none in a box. */
  function nearExtremes(width: number, height: number, seed: number): Uint8Array {
    const next = random(seed);
    const outside = colourProbes()
      .filter(({ extreme }) => !extreme)
      .map(({ colour }) => colour);
    const pixels = new Uint8Array(width * height * 3);
    for (let index = 0; index < pixels.length; index += 3) {
      let colour: Rgb = next() % 4 === 0 ? [next() & 255, next() & 255, next() & 255] : outside[next() % outside.length]!;
      while (isJpegExtremeColour(...colour)) colour = [next() & 255, next() & 255, next() & 255];
      pixels.set(colour, index);
    }
    return pixels;
  }

  it('are the same where no pixel is in a box (the bundled libvips and mozjpeg, qualities 1 to 100)', async () => {
    const photograph = await decodeRgb(
      await sharp(await photographPanorama(2048))
        .extract({ left: 700, top: 300, width: 512, height: 512 })
        .png()
        .toBuffer(),
    );
    const images = [
      { name: 'near the boxes 512²', pixels: nearExtremes(512, 512, 1), width: 512, height: 512 },
      { name: 'near the boxes 131 × 77', pixels: nearExtremes(131, 77, 2), width: 131, height: 77 },
      { name: 'photograph', pixels: photograph.data, width: photograph.width, height: photograph.height },
    ];
    for (const { name, pixels, width, height } of images) {
      assert.ok(!holdsJpegExtremeColour(pixels, width), name);
      for (const quality of [1, 10, 30, 75, 95, 100]) {
        const [on, off] = await Promise.all([jpeg(pixels, width, height, quality, true), jpeg(pixels, width, height, quality, false)]);
        assert.ok(on.equals(off), `${name} at quality ${quality}`);
      }
    }
  });

  it('differ where a box colour meets a hard edge (the check above can fail)', async () => {
    const size = 64;
    const pixels = new Uint8Array(size * size * 3);
    for (let index = 0; index < pixels.length; index += 3) pixels.set((index / 3) % 8 < 4 ? [255, 255, 255] : [40, 40, 40], index);
    const [on, off] = await Promise.all([jpeg(pixels, size, size, 75, true), jpeg(pixels, size, size, 75, false)]);
    assert.ok(!on.equals(off));
  });
});

describe('the sampler’s holdsJpegExtremes', () => {
  it('finds the grid’s white lines in a face and no box colour in the photograph’s', async () => {
    for (const [make, expected] of [
      [diagnosticPanorama, true],
      [photographPanorama, false],
    ] as const) {
      const { data, width, height } = await decodeRgb(await make(2048));
      const size = 160;
      const sampler = createCubeSampler(size, width, height);
      try {
        sampler.setSource(data);
        const face = await sampler.render('f', 0);
        assert.equal(sampler.holdsJpegExtremes(face, size, 0, 0, size, size), expected);
        assert.equal(holdsJpegExtremeColour(face, size), expected);
      } finally {
        await sampler.close();
      }
    }
  });

  it('reads only views it made, within their bounds', async () => {
    const sampler = createCubeSampler(32, 64, 32);
    try {
      sampler.setSource(new Uint8Array(64 * 32 * 3));
      const face = await sampler.render('f', 0);
      assert.throws(() => sampler.holdsJpegExtremes(new Uint8Array(32 * 32 * 3), 32, 0, 0, 32, 32), /a face or level this sampler made/);
      assert.throws(() => sampler.holdsJpegExtremes(face, 32, 16, 0, 17, 32), /a face or level this sampler made/);
      assert.throws(() => sampler.holdsJpegExtremes(face, 32, 0, 0, 0, 32), /a face or level this sampler made/);
      assert.equal(sampler.holdsJpegExtremes(face, 32, 0, 0, 32, 32), true);
    } finally {
      await sampler.close();
    }
  });
});

describe('the tiler’s tiles', () => {
  it('are byte for byte those of deringing every tile: the grid’s (each screened in) and the photograph’s (none)', async () => {
    for (const make of [diagnosticPanorama, photographPanorama]) {
      const input = await make(2048);
      const tileSize = 256;
      const files = new Map<string, Buffer>();
      const options = {
        extension: 'jpg',
        format: 'jpeg' as const,
        levelQuality: () => 80,
        fallbackQuality: 75,
        maxInputPixels: 1 << 24,
        tileSize,
      };
      await buildPanorama(input, options, async ({ path, data }) => void files.set(path, data));
      const { data, width, height } = await decodeRgb(input);
      const layout = panoramaLayout(width, height, { tileSize });
      const top = layout.levels.at(-1)!;
      const sampler = createCubeSampler(layout.cubeSize, width, height);
      try {
        sampler.setSource(data);
        for (const face of ['f', 'u'] as const) {
          const pixels = await sampler.render(face, 0);
          for (let row = 0; row < top.tilesPerSide; row++) {
            for (let column = 0; column < top.tilesPerSide; column++) {
              const [left, upper] = [column * tileSize, row * tileSize];
              const region = { left, top: upper, width: Math.min(tileSize, top.size - left), height: Math.min(tileSize, top.size - upper) };
              const deringed = await sharp(pixels, { raw: { width: top.size, height: top.size, channels: 3 } })
                .extract(region)
                .jpeg({ quality: 80, overshootDeringing: true })
                .toBuffer();
              const path = tilePath(top.level, face, row, column, 'jpg');
              assert.ok(files.get(path)?.equals(deringed), `${make.name} ${path}`);
            }
          }
        }
      } finally {
        await sampler.close();
      }
    }
  });
});
