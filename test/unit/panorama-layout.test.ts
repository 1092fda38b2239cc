import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { faceReductions, outputFiles, pannellumConfig, panoramaLayout, tilePath } from '../../functions/core/panorama/layout.ts';

describe('panorama layout (generate.py formulas, reference/pannellum.md §1)', () => {
  it('sizes cubes and levels as generate.py does for 4K, 8K and 16K inputs', () => {
    const cases: Array<[number, number, number, number[]]> = [
      [4096, 1296, 3, [324, 648, 1296]],
      [8192, 2600, 4, [325, 650, 1300, 2600]],
      [16384, 5208, 5, [325, 651, 1302, 2604, 5208]],
      [2048, 648, 2, [324, 648]],
    ];
    for (const [width, cube, levels, sizes] of cases) {
      const layout = panoramaLayout(width, width / 2);
      assert.equal(layout.cubeSize, cube, `${width}`);
      assert.equal(layout.levels.length, levels, `${width}`);
      assert.deepEqual(
        layout.levels.map((level) => level.size),
        sizes,
        `${width}`,
      );
    }
  });

  it('counts the same tiles generate.py wrote (84, 300 and 1026 plus 6 fallbacks)', () => {
    for (const [width, tiles] of [
      [4096, 84],
      [8192, 300],
      [16384, 1026],
    ] as const) {
      const files = outputFiles(panoramaLayout(width, width / 2), 'jpg');
      assert.equal(files.length, tiles + 6 + 1, `${width}`);
    }
  });

  it('names tiles {face}{row}_{col} in two-digit level folders, and the config reaches them and loads at once', () => {
    assert.equal(tilePath(4, 'f', 5, 5, 'jpg'), '04/f5_5.jpg');
    assert.deepEqual(pannellumConfig(panoramaLayout(8192, 4096), 'jpg'), {
      autoLoad: true,
      hfov: 100,
      type: 'multires',
      multiRes: {
        path: '/0%l/%s%y_%x',
        fallbackPath: '/fallback/%s',
        extension: 'jpg',
        tileResolution: 512,
        maxLevel: 4,
        cubeResolution: 2600,
      },
    });
  });

  it('cascades the smaller levels from the full face and shrinks the fallback from the smallest level at least its size', () => {
    const layout = panoramaLayout(16384, 8192);
    assert.deepEqual(faceReductions(layout), {
      levels: layout.levels.slice(0, -1).reverse(),
      steps: [
        { from: -1, size: 2604 },
        { from: 0, size: 1302 },
        { from: 1, size: 651 },
        { from: 2, size: 325 },
        { from: 1, size: 1024 },
      ],
      fallbackStep: 4,
    });
    // The full face is the smallest level at least 1024 wide.
    assert.deepEqual(faceReductions(panoramaLayout(4096, 2048)), {
      levels: [
        { level: 2, size: 648, tilesPerSide: 2 },
        { level: 1, size: 324, tilesPerSide: 1 },
      ],
      steps: [
        { from: -1, size: 648 },
        { from: 0, size: 324 },
        { from: -1, size: 1024 },
      ],
      fallbackStep: 2,
    });
    // A cube smaller than the fallback: no fallback step (it is enlarged from the full face).
    assert.deepEqual(faceReductions(panoramaLayout(2048, 1024)), {
      levels: [{ level: 1, size: 324, tilesPerSide: 1 }],
      steps: [{ from: -1, size: 324 }],
    });
  });

  it('refuses what is not a 2:1 panorama', () => {
    assert.throws(() => panoramaLayout(4000, 3000), /an equirectangular panorama is 2:1; this image is 4000x3000/);
    assert.throws(() => panoramaLayout(16, 8), /too small/);
  });
});
