import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPanoramaHeader, levelQuality, parseQualities, tileFormatFor } from '../../functions/core/panorama/submission.ts';
import { isTesseraError } from '../../functions/core/errors.ts';
import { compileKernel, KERNEL_MODULE, kernelModuleText } from '../../scripts/build-kernel.ts';
import { readFileSync } from 'node:fs';

const refused = (run: () => unknown, pattern: RegExp) =>
  assert.throws(run, (error: unknown) => isTesseraError(error) && pattern.test(error.message));

describe('panorama request fields', () => {
  it('takes {fallback,01,02,03,04}_quality as integers 1–100, the default for the rest', () => {
    const qualities = parseQualities({ fallback_quality: '55', '01_quality': '1', '04_quality': '100' }, 90);
    assert.deepEqual(qualities, { fallback: 55, levels: [1, 90, 90, 100] });
    assert.equal(levelQuality(qualities, 5), 100, 'a level beyond 04 uses 04');
    assert.equal(levelQuality(qualities, 2), 90);
  });

  it('refuses out-of-range, non-integer and unknown quality fields', () => {
    for (const value of ['0', '101', '-5', '7.5', 'high', ' 50', '1000'])
      refused(() => parseQualities({ '02_quality': value }, 90), /02_quality must be an integer from 1 to 100/);
    refused(() => parseQualities({ '05_quality': '50' }, 90), /05_quality is not a quality this API takes/);
  });

  it("names tiles with the original's extension as written, encoded as that extension says", () => {
    assert.deepEqual(tileFormatFor('pano/a.JPG', 'jpg'), { extension: 'JPG', format: 'jpeg' });
    assert.deepEqual(tileFormatFor('pano/a.jpeg', 'jpg'), { extension: 'jpeg', format: 'jpeg' });
    assert.deepEqual(tileFormatFor('pano/a.png', 'png'), { extension: 'png', format: 'png' });
    assert.deepEqual(tileFormatFor('pano/noext', 'webp'), { extension: 'webp', format: 'webp' });
    refused(() => tileFormatFor('pano/noext', 'gif'), /JPEG, PNG or WebP/);
  });

  it('checks a header before anything is stored or decoded: format, pixel limit, 2:1', () => {
    checkPanoramaHeader({ width: 16384, height: 8192, type: 'jpg' }, 16384 * 8192);
    refused(() => checkPanoramaHeader({ width: 16386, height: 8193, type: 'jpg' }, 16384 * 8192), /at most 134217728 pixels/);
    refused(() => checkPanoramaHeader({ width: 4000, height: 3000, type: 'jpg' }, 16384 * 8192), /2:1/);
    refused(() => checkPanoramaHeader({ width: 2048, height: 1024, type: 'gif' }, 16384 * 8192), /JPEG, PNG or WebP/);
  });
});

describe('the projection kernel', () => {
  it('is embedded exactly as its AssemblyScript source compiles (npm run build:kernel)', async () => {
    assert.equal(readFileSync(KERNEL_MODULE, 'utf8'), kernelModuleText(await compileKernel()));
  });
});
