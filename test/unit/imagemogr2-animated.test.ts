import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { readImageHeader } from '../../functions/core/imagemogr2/image-header.ts';
import { parseRule } from '../../functions/core/imagemogr2/parse.ts';
import { predictOutputs } from '../../functions/core/imagemogr2/predict.ts';
import { executePlan } from '../../functions/worker/imagemogr2.ts';
import { animation } from '../support/synthetic-images.ts';

const run = (input: Buffer, rule: string) => executePlan(input, parseRule(rule));

/** Frames, the size of each, delays, and each frame's red (which says which input frame it came from). */
async function framesOf(image: Buffer) {
  const metadata = await sharp(image, { animated: true }).metadata();
  const { data, info } = await sharp(image, { animated: true }).raw().toBuffer({ resolveWithObject: true });
  const pageHeight = metadata.pageHeight ?? metadata.height!;
  const pages = metadata.pages ?? 1;
  const frameBytes = info.width * pageHeight * info.channels;
  const centre = (Math.floor(pageHeight / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
  return {
    format: metadata.format,
    pages,
    size: `${info.width}x${pageHeight}`,
    delay: metadata.delay,
    reds: Array.from({ length: pages }, (_, page) => data[page * frameBytes + centre]!),
  };
}

describe('animated GIF and WebP', () => {
  it('counts frames from the header bytes alone; a prefix gives a lower bound', async () => {
    const gif = await animation('gif', 40, 30, 7);
    const webp = await animation('webp', 40, 30, 5);
    assert.deepEqual(readImageHeader(gif), { width: 40, height: 30, format: 'gif', orientation: 1, frames: 7 });
    assert.deepEqual(readImageHeader(webp), { width: 40, height: 30, format: 'webp', orientation: 1, frames: 5 });
    const prefix = readImageHeader(gif.subarray(0, Math.floor(gif.length / 2)))!.frames!;
    assert.ok(prefix >= 2 && prefix < 7, `half the bytes: ${prefix}`);
    assert.equal(readImageHeader(await animation('gif', 40, 30, 1))!.frames, undefined);
  });

  it('GIF in, GIF out: every frame resized, order and delays kept', async () => {
    const gif = await animation('gif', 40, 30, 6, 80);
    const result = await run(gif, 'imageMogr2/thumbnail/20x');
    assert.deepEqual([result.format, result.width, result.height], ['gif', 20, 15]);
    const frames = await framesOf(result.data);
    assert.deepEqual([frames.pages, frames.size, frames.delay], [6, '20x15', [80, 80, 80, 80, 80, 80]]);
    assert.deepEqual(frames.reds, (await framesOf(gif)).reds);
  });

  it('every operation applies per frame, including those sharp refuses on an animation (rotate, scrop)', async () => {
    const webp = await animation('webp', 40, 30, 4);
    for (const [rule, size] of [
      ['imageMogr2/rotate/90', '30x40'],
      ['imageMogr2/rotate/45', '49x49'],
      ['imageMogr2/thumbnail/20x/rotate/90/crop/10x10/blur/2x1', '10x10'],
      ['imageMogr2/scrop/10x25', '10x25'],
      ['imageMogr2/crop/20x20/gravity/center/flip/vertical/grayscale/1', '20x20'],
      ['imageMogr2/rradius/5', '40x30'],
      ['imageMogr2/iradius/10', '20x20'],
      ['imageMogr2/thumbnail/60x60/pad/1', '60x60'],
      // A resize in a later pass, on raw frames: sharp must see them as pages (this once resized the stack as one image).
      ['imageMogr2/blur/2x1/thumbnail/!x250p/contrast/-38/auto-orient', '40x75'],
    ] as const) {
      const result = await run(webp, rule);
      const frames = await framesOf(result.data);
      assert.deepEqual([frames.format, frames.pages, frames.size], ['webp', 4, size], rule);
      assert.deepEqual(predictOutputs(parseRule(rule), readImageHeader(webp)!).at(-1)!.frames, 4, rule);
    }
    const gifOut = await framesOf((await run(webp, 'imageMogr2/rotate/90/format/gif')).data);
    assert.deepEqual([gifOut.format, gifOut.pages, gifOut.size], ['gif', 4, '30x40']);
  });

  it('a format that cannot animate gets the first frame', async () => {
    const gif = await animation('gif', 40, 30, 5);
    const result = await run(gif, 'imageMogr2/thumbnail/20x/format/png');
    const frames = await framesOf(result.data);
    assert.deepEqual([frames.format, frames.pages, frames.size, frames.reds], ['png', 1, '20x15', [0]]);
    assert.equal(predictOutputs(parseRule('imageMogr2/format/jpg'), readImageHeader(gif)!)[0]!.frames, undefined);
  });

  it('cgif keeps evenly spaced frames, each shown as long as those it stands for; cgif/1 cuts to 30', async () => {
    const gif = await animation('gif', 8, 8, 10, 50);
    const frames = await framesOf((await run(gif, 'imageMogr2/cgif/3')).data);
    const input = await framesOf(gif);
    assert.equal(frames.pages, 3);
    assert.deepEqual(frames.delay, [150, 150, 200]);
    assert.deepEqual(frames.reds, [input.reds[0], input.reds[3], input.reds[6]]);
    assert.equal((await framesOf((await run(await animation('gif', 4, 4, 40), 'imageMogr2/cgif/1')).data)).pages, 30);
    assert.equal((await framesOf((await run(gif, 'imageMogr2/cgif/20')).data)).pages, 10, 'fewer frames than n: all kept');
  });

  it('refuses, from the header, over 300 frames and over 250 M pixels across all frames', async () => {
    const tooMany = await animation('gif', 2, 2, 301);
    assert.equal(readImageHeader(tooMany)!.frames, 301);
    await assert.rejects(run(tooMany, 'imageMogr2/thumbnail/1x'), { message: 'the input has 301 frames, over the 300 frame limit' });
    assert.throws(
      () => predictOutputs(parseRule('imageMogr2/strip'), { width: 1000, height: 1000, format: 'gif', orientation: 1, frames: 251 }),
      /the input is 1000x1000 × 251 frames \(251000000 pixels\), over the 250000000 pixel limit$/,
    );
    assert.throws(
      () =>
        predictOutputs(parseRule('imageMogr2/thumbnail/5000x'), { width: 1000, height: 1000, format: 'webp', orientation: 1, frames: 20 }),
      /an intermediate image would be 5000x5000 × 20 frames \(500000000 pixels\), over the 250000000 pixel limit/,
    );
  });
});
