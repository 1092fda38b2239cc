import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { parseRule } from '../../functions/core/imagemogr2/parse.ts';
import { jpegQuality } from '../../functions/core/jpeg-quality.ts';
import { executePlan } from '../../functions/worker/imagemogr2.ts';
import { coordinatePng, gradientJpeg, originOf } from '../support/synthetic-images.ts';

const run = (input: Buffer, rule: string) => executePlan(input, parseRule(rule));
let photo: Buffer;
before(async () => {
  photo = await sharp(await gradientJpeg(400, 300, 70))
    .withMetadata({ orientation: 6 })
    .withExifMerge({ IFD0: { Copyright: 'Tessera test' } })
    .jpeg({ quality: 70 })
    .toBuffer();
});

describe('imageMogr2 executor', () => {
  it("reads a JPEG's quality from its tables", async () => {
    for (const quality of [30, 68, 75, 90]) assert.equal(jpegQuality(await gradientJpeg(64, 64, quality)), quality);
    assert.equal(jpegQuality(Buffer.from('not a jpeg')), undefined);
  });

  it('keeps the input quality by default, caps with quality, forces with !, scales with rquality, floors with lquality', async () => {
    assert.equal((await run(photo, 'imageMogr2/thumbnail/200x')).quality, 70);
    assert.equal((await run(photo, 'imageMogr2/quality/90')).quality, 70);
    assert.equal((await run(photo, 'imageMogr2/quality/50')).quality, 50);
    assert.equal((await run(photo, 'imageMogr2/quality/90!')).quality, 90);
    assert.equal((await run(photo, 'imageMogr2/rquality/50')).quality, 35);
    assert.equal((await run(photo, 'imageMogr2/lquality/85')).quality, 85);
    assert.equal(jpegQuality((await run(photo, 'imageMogr2/quality/50')).data), 50);
  });

  it('auto-orients from EXIF, keeps metadata unless strip', async () => {
    const oriented = await run(photo, 'imageMogr2/auto-orient');
    assert.deepEqual([oriented.width, oriented.height], [300, 400]);
    const kept = await sharp(oriented.data).metadata();
    assert.ok(kept.exif, 'metadata is kept without strip');
    const stripped = await sharp((await run(photo, 'imageMogr2/auto-orient/strip')).data).metadata();
    assert.equal(stripped.exif, undefined);
  });

  it('converts formats and writes progressive JPEG for interlace', async () => {
    for (const format of ['png', 'webp', 'avif', 'gif', 'tiff'] as const) {
      const result = await run(photo, `imageMogr2/thumbnail/100x/format/${format}`);
      const metadata = await sharp(result.data).metadata();
      assert.equal(metadata.format === 'heif' ? 'avif' : metadata.format, format);
    }
    assert.equal((await sharp((await run(photo, 'imageMogr2/interlace/1')).data).metadata()).isProgressive, true);
    assert.equal((await sharp((await run(photo, 'imageMogr2/interlace/0')).data).metadata()).isProgressive, false);
  });

  it("runs operations left to right, also where sharp's own order differs (crop, then rotate, then crop)", async () => {
    const input = await coordinatePng(640, 427);
    // crop 200x100 at 0,0, rotate 90 (100x200, the crop's bottom-left row comes first), crop 50x50.
    const result = await run(input, 'imageMogr2/crop/200x100/rotate/90/crop/50x50/format/png');
    assert.deepEqual([result.width, result.height], [50, 50]);
    assert.deepEqual(await originOf(result.data), { x: 0, y: 99 });
  });

  it('flips vertically and horizontally', async () => {
    const input = await coordinatePng(100, 80);
    assert.deepEqual(await originOf((await run(input, 'imageMogr2/flip/vertical/format/png')).data), { x: 0, y: 79 });
    assert.deepEqual(await originOf((await run(input, 'imageMogr2/flip/horizontal/format/png')).data), { x: 99, y: 0 });
  });

  it('rotates by any angle onto a bounding box', async () => {
    const result = await run(await gradientJpeg(960, 540), 'imageMogr2/rotate/45');
    assert.ok(Math.abs(result.width - 1062) <= 2 && Math.abs(result.height - 1062) <= 2, `${result.width}x${result.height}`);
  });

  it('pipes stages, each on the previous output', async () => {
    const result = await run(photo, 'imageMogr2/thumbnail/200x/format/png|imageMogr2/crop/100x50/format/webp');
    assert.deepEqual([result.format, result.width, result.height], ['webp', 100, 50]);
  });

  it('refuses results over 9,999 px a side, or passes the input on with ignore-error', async () => {
    await assert.rejects(run(photo, 'imageMogr2/thumbnail/10000x'), /the result would be 10000x7500, over the 9999 px per side limit/);
    const ignored = await run(photo, 'imageMogr2/thumbnail/10000x/ignore-error/1');
    assert.deepEqual(ignored.data, photo);
    const piped = await run(photo, 'imageMogr2/thumbnail/200x|imageMogr2/thumbnail/!900p/thumbnail/10000x/ignore-error/1');
    assert.equal(piped.width, 200);
  });

  it('fails on bytes that are not an image, and on crops outside the image', async () => {
    await assert.rejects(run(Buffer.from('plain text, not an image'), 'imageMogr2/thumbnail/10x'), /unsupported image format|not an image/);
    await assert.rejects(run(photo, 'imageMogr2/cut/100x100x500x10'), /cut 100x100 at 500,10 falls outside the 400x300 image/);
  });
});
