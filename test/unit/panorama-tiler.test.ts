import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { outputFiles, panoramaLayout } from '../../functions/core/panorama/layout.ts';
import { buildPanorama, type TileFile } from '../../functions/worker/panorama/tiler.ts';
import { photographPanorama } from '../support/panorama-images.ts';
import { compareBytes } from '../support/compare-bytes.ts';
import { openTileSet } from '../support/tile-set.ts';

/** Scratch folders of this process's builds still in the temporary folder. */
const scratchLeft = async () => (await readdir(tmpdir())).filter((name) => name.startsWith(`tessera-panorama-${process.pid}-`));

describe('panorama tiler (on buffers)', () => {
  it('writes every tile, fallback face and config.json the layout names, at the right sizes and qualities', async () => {
    const input = await sharp({
      create: { width: 2048, height: 1024, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 30 } },
    })
      .jpeg()
      .toBuffer();
    const files = new Map<string, Buffer>();
    const progress: number[] = [];
    const options = {
      extension: 'jpg',
      format: 'jpeg' as const,
      levelQuality: (level: number) => (level === 1 ? 40 : 90),
      fallbackQuality: 60,
      maxInputPixels: 16384 * 8192,
      tileSize: 256,
      fallbackSize: 128,
    };
    const layout = await buildPanorama(
      input,
      { ...options, onProgress: (fraction) => void progress.push(fraction) },
      async (file: TileFile) => {
        files.set(file.path, file.data);
      },
    );
    assert.deepEqual(
      progress,
      [1, 2, 3, 4, 5, 6].map((faces) => faces / 6),
      'progress after each face',
    );
    assert.deepEqual(layout, panoramaLayout(2048, 1024, { tileSize: 256, fallbackSize: 128 }));
    assert.deepEqual([...files.keys()].sort(), outputFiles(layout, 'jpg').sort());
    const top = layout.levels.at(-1)!;
    const corner = await sharp(files.get(`0${top.level}/f${top.tilesPerSide - 1}_${top.tilesPerSide - 1}.jpg`)!).metadata();
    const edge = top.size - (top.tilesPerSide - 1) * layout.tileSize;
    assert.deepEqual([corner.width, corner.height], [edge, edge], 'the last row and column are partial tiles');
    assert.deepEqual([(await sharp(files.get('fallback/b.jpg')!).metadata()).width], [128]);
    // Per-level quality shows in the output: the low-quality level compresses much harder.
    const bytesPerPixel = async (path: string) => files.get(path)!.length / (await sharp(files.get(path)!).metadata()).width! ** 2;
    assert.ok((await bytesPerPixel('01/f0_0.jpg')) < (await bytesPerPixel('02/f0_0.jpg')) * 0.7);
    assert.deepEqual(JSON.parse(files.get('config.json')!.toString()).multiRes.maxLevel, layout.levels.length);
    assert.deepEqual(await scratchLeft(), [], 'the decoded scratch file is gone when the build returns');
  });

  it('shrinks each level from the one above within a grey level or so of sharp (Lanczos-3), odd steps and the fallback included', async () => {
    const files = new Map<string, Buffer>();
    const options = { extension: 'png', format: 'png' as const, levelQuality: () => 80, fallbackQuality: 80, maxInputPixels: 1 << 24 };
    await buildPanorama(await photographPanorama(2048), { ...options, tileSize: 64, fallbackSize: 128 }, async (file) => {
      files.set(file.path, file.data);
    });
    const set = await openTileSet(async (path) => files.get(path)!);
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((level) => set.levelSize(level)),
      [40, 81, 162, 324, 648],
    );
    const shrunk = (face: { data: Uint8Array; width: number }, size: number) =>
      sharp(face.data, { raw: { width: face.width, height: face.width, channels: 3 } })
        .resize(size, size, { kernel: 'lanczos3' })
        .raw()
        .toBuffer();
    for (let level = 4; level >= 1; level--) {
      const [above, below] = [await set.faces(level + 1), await set.faces(level)];
      for (const [face, image] of below) {
        const { psnr, maxDiff: worst } = compareBytes(image.data, await shrunk(above.get(face)!, image.width));
        // Measured: 648 → 324 … 162 → 81 66.7–76.3 dB, one grey level at most; 81 → 40 (odd) 56.1–57.8 dB, two.
        const [least, most] = level === 1 ? [54, 2] : [65, 1];
        assert.ok(psnr >= least && worst <= most, `level ${level} face ${face}: ${psnr.toFixed(1)} dB, ${worst} at most`);
      }
    }
    // The fallback is shrunk the same way from the smallest level at least its size (162 → 128).
    // Measured 55.0 dB, 3 at most: libvips places a non-2:1 reduction's taps on a grid of subpixel
    // positions, 55 dB from the exact Lanczos-3, which the kernel is within 77 dB of.
    const fallback = await sharp(files.get('fallback/u.png')!).raw().toBuffer();
    const { psnr, maxDiff: worst } = compareBytes(fallback, await shrunk((await set.faces(3)).get('u')!, 128));
    assert.ok(psnr >= 53 && worst <= 3, `fallback: ${psnr.toFixed(1)} dB, ${worst} at most`);
  });

  it('enlarges the full face with sharp into a fallback larger than the cube', async () => {
    const files = new Map<string, Buffer>();
    const options = { extension: 'png', format: 'png' as const, levelQuality: () => 80, fallbackQuality: 80, maxInputPixels: 1 << 24 };
    await buildPanorama(await photographPanorama(2048), { ...options, fallbackSize: 1024 }, async (file) => {
      files.set(file.path, file.data);
    });
    const face = (await (await openTileSet(async (path) => files.get(path)!)).faces(2)).get('r')!;
    assert.equal(face.width, 648);
    const enlarged = await sharp(face.data, { raw: { width: 648, height: 648, channels: 3 } })
      .resize(1024, 1024, { kernel: 'lanczos3' })
      .raw()
      .toBuffer();
    assert.deepEqual(await sharp(files.get('fallback/r.png')!).raw().toBuffer(), enlarged);
  });

  it('refuses before decoding: a pixel count over the limit, a wrong aspect, bytes that are no image, a truncated file', async () => {
    const options = { extension: 'jpg', format: 'jpeg' as const, levelQuality: () => 80, fallbackQuality: 80, maxInputPixels: 1024 * 512 };
    const emit = async () => undefined;
    const jpeg = (width: number, height: number) =>
      sharp({ create: { width, height, channels: 3, background: '#336699' } })
        .jpeg()
        .toBuffer();
    await assert.rejects(buildPanorama(await jpeg(2048, 1024), options, emit), /at most 524288 pixels/);
    await assert.rejects(buildPanorama(await jpeg(600, 400), options, emit), /2:1/);
    await assert.rejects(buildPanorama(Buffer.from('not an image'), options, emit), /not an image/);
    const whole = await jpeg(1024, 512);
    await assert.rejects(buildPanorama(whole.subarray(0, whole.length >> 1), options, emit), /could not be decoded/);
    assert.deepEqual(await scratchLeft(), [], 'a failed decode leaves no scratch file');
  });
});

describe('panorama tiler failures', () => {
  it('rejects the build when a write fails mid-way, without an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const input = await sharp({ create: { width: 2048, height: 1024, channels: 3, background: '#808080' } })
        .jpeg()
        .toBuffer();
      let writes = 0;
      const emit = async () => {
        writes += 1;
        if (writes === 3) throw new Error('S3 is down');
      };
      await assert.rejects(
        buildPanorama(
          input,
          { extension: 'jpg', format: 'jpeg', levelQuality: () => 80, fallbackQuality: 80, maxInputPixels: 16384 * 8192, tileSize: 128 },
          emit,
        ),
        /S3 is down/,
      );
      assert.deepEqual(await scratchLeft(), [], 'the decoded scratch file is gone when the build rejects');
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});

describe('panorama tiler inputs', () => {
  it('takes greyscale, RGBA and 16-bit inputs: flattened to 8-bit sRGB tiles', async () => {
    const base = () => sharp({ create: { width: 1024, height: 512, channels: 4, background: { r: 40, g: 90, b: 160, alpha: 0.5 } } });
    const inputs = {
      greyscale: await base().toColourspace('b-w').jpeg().toBuffer(),
      rgba: await base().png().toBuffer(),
      sixteenBit: await base().toColourspace('rgb16').png().toBuffer(),
    };
    assert.equal((await sharp(inputs.greyscale).metadata()).channels, 1);
    assert.equal((await sharp(inputs.sixteenBit).metadata()).depth, 'ushort');
    for (const [name, input] of Object.entries(inputs)) {
      const files = new Map<string, Buffer>();
      await buildPanorama(
        input,
        {
          extension: 'png',
          format: 'png',
          levelQuality: () => 80,
          fallbackQuality: 80,
          maxInputPixels: 1 << 24,
          tileSize: 256,
          fallbackSize: 128,
        },
        async (file) => {
          files.set(file.path, file.data);
        },
      );
      const tile = await sharp(files.get('01/f0_0.png')!).metadata();
      assert.deepEqual([tile.channels, tile.depth], [3, 'uchar'], name);
    }
  });
});
