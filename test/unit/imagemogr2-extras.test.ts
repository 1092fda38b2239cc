import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { TesseraError } from '../../functions/core/errors.ts';
import type { ImageHeader } from '../../functions/core/imagemogr2/image-header.ts';
import { parseRule as parseAny } from '../../functions/core/imagemogr2/parse.ts';
import type { MogrStage, Plan } from '../../functions/core/imagemogr2/plan.ts';
import { predictOutputs } from '../../functions/core/imagemogr2/predict.ts';
import { executePlan } from '../../functions/worker/imagemogr2.ts';
import { MAX_SIZE_LIMIT_ENCODES } from '../../functions/worker/mogr-size-limit.ts';
import { gradientJpeg } from '../support/synthetic-images.ts';

const parseRule = (rule: string) => parseAny(rule) as Plan & { stages: MogrStage[] };
const stageOf = (rule: string) => parseRule(rule).stages[0]!;
const run = (input: Buffer, rule: string) => executePlan(input, parseRule(rule));
const header = (width: number, height: number, format = 'jpeg'): ImageHeader => ({ width, height, format, orientation: 1 });

const refused = (rule: string, message: string) =>
  assert.throws(
    () => parseRule(rule),
    (error: TesseraError) => error.kind === 'invalid-input' && error.message === `invalid imageMogr2 rule: ${message}`,
    rule,
  );

/** Refused when planned on an input of this header: at submit when the header is readable. */
const refusedOn = (input: ImageHeader, rule: string, message: string) =>
  assert.throws(
    () => predictOutputs(parseRule(rule), input),
    (error: TesseraError) => error.kind === 'invalid-input' && error.message === message,
    rule,
  );

/** The RGBA pixel at (x, y). */
async function pixel(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * 4;
  return [...data.subarray(at, at + 4)];
}

let photo: Buffer;
before(async () => {
  photo = await gradientJpeg(960, 540, 85);
});

describe('imageMogr2 extras: the forms', () => {
  it('reads iradius, rradius, scrop, pad/color, background, size-limit, cgif, minisize, density and dpi', () => {
    assert.deepEqual(stageOf('imageMogr2/iradius/300/rradius/30/scrop/100x600').operations, [
      { op: 'iradius', radius: 300 },
      { op: 'rradius', radius: 30 },
      { op: 'scrop', width: 100, height: 600 },
    ]);
    assert.deepEqual(stageOf('imageMogr2/thumbnail/600x600/pad/1/color/IzNEM0QzRA').pad, {
      red: 0x3d,
      green: 0x3d,
      blue: 0x3d,
      alpha: 255,
    });
    assert.deepEqual(stageOf('imageMogr2/thumbnail/600x600>/pad/1').pad, { red: 255, green: 255, blue: 255, alpha: 255 });
    assert.equal(stageOf('imageMogr2/thumbnail/600x600/pad/0').pad, undefined);
    assert.deepEqual(stageOf('imageMogr2/background/red').background, { red: 255, green: 0, blue: 0, alpha: 255 });
    assert.deepEqual(stageOf('imageMogr2/background/IzAwMDAwMDgw').background, { red: 0, green: 0, blue: 0, alpha: 0x80 });
    assert.deepEqual(stageOf('imageMogr2/size-limit/15k!').sizeLimit, { bytes: 15 * 1024, keepSmallerInput: true });
    assert.deepEqual(stageOf('imageMogr2/size-limit/2M').sizeLimit, { bytes: 2 * 1024 * 1024, keepSmallerInput: false });
    assert.deepEqual(stageOf('imageMogr2/size-limit/15!').sizeLimit, { bytes: 15, keepSmallerInput: true });
    assert.equal(stageOf('imageMogr2/cgif/1').cgif, 1);
    assert.equal(stageOf('imageMogr2/minisize/1').minisize, true);
    assert.equal(stageOf('imageMogr2/quality/80').minisize, false);
    assert.equal(stageOf('imageMogr2/density/300').density, 300);
    assert.equal(stageOf('imageMogr2/dpi/72').density, 72);
  });

  it('refuses every malformed form with a precise message', () => {
    refused('imageMogr2/iradius/0', 'iradius must be from 1 to 5000, got 0');
    refused('imageMogr2/rradius/5001', 'rradius must be from 1 to 5000, got 5001');
    refused('imageMogr2/iradius/1.5', 'iradius must be a whole number, got "1.5"');
    refused('imageMogr2/scrop/100', 'scrop "100" is not <W>x<H>');
    refused('imageMogr2/scrop/0x100', 'scrop width must be from 1 to 10000, got 0');
    refused('imageMogr2/pad/2', 'pad "2" is not 0 or 1');
    refused('imageMogr2/thumbnail/600x600/color/IzNEM0QzRA', 'color needs pad/1');
    refused('imageMogr2/thumbnail/600x600/pad/0/color/IzNEM0QzRA', 'color needs pad/1');
    refused('imageMogr2/pad/1', 'pad/1 needs a thumbnail into a box (<W>x<H>, <W>x<H>> or <W>x<H><) in its stage');
    refused('imageMogr2/thumbnail/600x600!/pad/1', 'pad/1 needs a thumbnail into a box (<W>x<H>, <W>x<H>> or <W>x<H><) in its stage');
    refused('imageMogr2/thumbnail/600x600/pad/1/color/cmVk', 'color "cmVk" decodes to "red", not #RRGGBB or #RRGGBBAA');
    refused('imageMogr2/background/!!', 'background "!!" is not URL-safe Base64');
    refused('imageMogr2/size-limit/15kb', 'size-limit "15kb" is not <n>, <n>k or <n>m, with an optional !');
    refused('imageMogr2/size-limit/0k', 'size-limit must be from 1 byte to 32m, got 0k');
    refused('imageMogr2/size-limit/33m', 'size-limit must be from 1 byte to 32m, got 33m');
    refused('imageMogr2/cgif/0', 'cgif must be from 1 to 100, got 0');
    refused('imageMogr2/cgif/101', 'cgif must be from 1 to 100, got 101');
    refused('imageMogr2/minisize/2', 'minisize "2" is not 0 or 1');
    refused('imageMogr2/density/0', 'density must be from 1 to 1200, got 0');
    refused('imageMogr2/dpi/1201', 'dpi must be from 1 to 1200, got 1201');
  });

  it('refuses from the header what does not fit the image: a radius, a pad box, a mask on a GIF', () => {
    refusedOn(
      header(960, 540),
      'imageMogr2/iradius/270',
      'iradius must be from 1 to 269 on a 960x540 image (less than half its shorter side), got 270',
    );
    refusedOn(
      header(960, 540),
      'imageMogr2/thumbnail/!10p/rradius/27',
      'rradius must be from 1 to 26 on a 96x54 image (less than half its shorter side), got 27',
    );
    refusedOn(header(2, 7919), 'imageMogr2/rradius/1', 'rradius needs an image at least 3 px on its shorter side, got 2x7919');
    refusedOn(header(960, 540, 'gif'), 'imageMogr2/iradius/100', 'iradius does not apply to GIF images');
    refusedOn(
      header(960, 540),
      'imageMogr2/thumbnail/600x600</pad/1',
      'pad/1 needs the image inside its box, but thumbnail/600x600< leaves the 960x540 image as it is',
    );
    // The image a scrop scales to before cutting: 10000×2 covering 5000×5000 is 25000000×5000.
    refusedOn(
      header(10_000, 2),
      'imageMogr2/scrop/5000x5000',
      'an intermediate image would be 25000000x5000 (125000000000 pixels), over the 250000000 pixel limit',
    );
    assert.deepEqual(
      predictOutputs(parseRule('imageMogr2/iradius/269'), header(960, 540)).map((out) => [out.width, out.height]),
      [[538, 538]],
    );
  });
});

describe('imageMogr2 extras: what they do', () => {
  it('iradius: the circle in its 2r square, transparent outside (PNG) or white/background (JPEG)', async () => {
    const png = await run(photo, 'imageMogr2/iradius/100/format/png');
    assert.deepEqual([png.width, png.height], [200, 200]);
    assert.equal((await pixel(png.data, 0, 0))[3], 0, 'a corner is transparent');
    assert.equal((await pixel(png.data, 100, 100))[3], 255, 'the centre is opaque');
    assert.equal((await pixel(png.data, 100, 2))[3], 255, 'inside near the top edge');
    const jpeg = await run(photo, 'imageMogr2/iradius/100');
    assert.ok(
      (await pixel(jpeg.data, 1, 1)).slice(0, 3).every((value) => value > 250),
      'white outside in a JPEG',
    );
    const red = await run(photo, 'imageMogr2/iradius/100/background/red');
    const [r, g, b] = await pixel(red.data, 1, 1);
    assert.ok(r! > 240 && g! < 15 && b! < 15, `the background outside, got ${r},${g},${b}`);
  });

  it('rradius: the same size, corners transparent (WebP) or white (JPEG)', async () => {
    const webp = await run(photo, 'imageMogr2/rradius/50/format/webp');
    assert.deepEqual([webp.width, webp.height], [960, 540]);
    assert.equal((await pixel(webp.data, 2, 2))[3], 0);
    assert.equal((await pixel(webp.data, 957, 537))[3], 0);
    assert.equal((await pixel(webp.data, 480, 1))[3], 255, 'the edge between the corners stays');
    const jpeg = await run(photo, 'imageMogr2/rradius/50');
    assert.ok((await pixel(jpeg.data, 2, 2)).slice(0, 3).every((value) => value > 250));
  });

  it("scrop: exactly W×H, by libvips's attention strategy", async () => {
    const result = await run(photo, 'imageMogr2/scrop/100x600');
    assert.deepEqual([result.width, result.height], [100, 600]);
    assert.deepEqual(
      predictOutputs(parseRule('imageMogr2/scrop/100x600'), header(960, 540)).map((out) => out.width),
      [100],
    );
  });

  it("pad: Tencent's sample, thumbnail/600x600/pad/1/color/IzNEM0QzRA on 960×540 → 600×600 with #3D3D3D bars", async () => {
    const result = await run(photo, 'imageMogr2/thumbnail/600x600/pad/1/color/IzNEM0QzRA/format/png');
    assert.deepEqual([result.width, result.height], [600, 600]);
    // The image is 600×338, centred: 131 rows of bar above it, 131 below.
    assert.deepEqual(await pixel(result.data, 300, 130), [0x3d, 0x3d, 0x3d, 255]);
    assert.deepEqual(await pixel(result.data, 300, 469), [0x3d, 0x3d, 0x3d, 255]);
    assert.notDeepEqual(await pixel(result.data, 300, 131), [0x3d, 0x3d, 0x3d, 255]);
    const white = await run(photo, 'imageMogr2/thumbnail/100x300>/pad/1/format/png');
    assert.deepEqual([white.width, white.height], [100, 300]);
    assert.deepEqual(await pixel(white.data, 50, 0), [255, 255, 255, 255]);
  });

  it(`size-limit: a JPEG within the limit from at most ${MAX_SIZE_LIMIT_ENCODES} encodes; with ! the input when it is smaller`, async () => {
    for (const limit of [8, 15, 40]) {
      const result = await run(photo, `imageMogr2/strip/format/jpg/size-limit/${limit}k`);
      assert.ok(result.size <= limit * 1024, `${limit}k: got ${result.size} bytes`);
      assert.ok(result.quality! <= 85);
    }
    const loose = await run(photo, 'imageMogr2/size-limit/1m');
    assert.equal(loose.quality, 85, 'a limit the first encode meets keeps the quality');
    const small = await gradientJpeg(64, 64, 20);
    const kept = await run(small, 'imageMogr2/quality/100!/size-limit/1m!');
    assert.equal(kept.data, small, 'the larger result gives way to the input');
    const unbounded = await run(small, 'imageMogr2/quality/100!/size-limit/1m');
    assert.ok(unbounded.size > small.length);
    // Tencent's SDK demos write it with PNG: the limit needs JPEG's quality, and only ! applies.
    assert.equal((await run(photo, 'imageMogr2/strip/format/png/size-limit/15k!')).data, photo);
  });

  it('minisize: the input when the result would be larger', async () => {
    const small = await gradientJpeg(64, 64, 20);
    assert.equal((await run(small, 'imageMogr2/quality/100!/minisize/1')).data, small);
    assert.notEqual((await run(photo, 'imageMogr2/quality/30!/minisize/1')).data, photo);
  });

  it('density and dpi write the resolution; background fills a free rotation', async () => {
    assert.equal((await sharp((await run(photo, 'imageMogr2/density/300')).data).metadata()).density, 300);
    assert.equal((await sharp((await run(photo, 'imageMogr2/dpi/150/format/png')).data).metadata()).density, 150);
    const rotated = await run(photo, 'imageMogr2/thumbnail/100x/rotate/45/background/blue/format/png');
    assert.deepEqual(await pixel(rotated.data, 0, 0), [0, 0, 255, 255]);
    const transparent = await run(photo, 'imageMogr2/thumbnail/100x/rotate/45/format/png');
    assert.equal((await pixel(transparent.data, 0, 0))[3], 0);
  });

  it("a PNG's transparency becomes the background in a JPEG, white by default", async () => {
    const clear = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    assert.deepEqual((await pixel((await run(clear, 'imageMogr2/format/jpg')).data, 4, 4)).slice(0, 3), [255, 255, 255]);
    const [r, g, b] = await pixel((await run(clear, 'imageMogr2/format/jpg/background/red')).data, 4, 4);
    assert.ok(r! > 240 && g! < 15 && b! < 15);
  });
});

/** Every imageMogr2-only rule in Tencent's SDK demos (research-14 §5), verbatim. */
const SDK_DEMO_RULES = [
  'imageMogr2/thumbnail/200x/',
  'imageMogr2/thumbnail/!50px',
  'imageMogr2/format/avif',
  'imageMogr2/thumbnail/!50p',
  'imageMogr2/thumbnail/!70p',
  'imageMogr2/thumbnail/!55p',
  'imageMogr2/cut/600x600x100x10',
  'imageMogr2/crop/500x',
  'imageMogr2/iradius/300',
  'imageMogr2/iradius/150',
  'imageMogr2/rotate/45',
  'imageMogr2/rotate/90',
  'imageMogr2/rotate/180',
  'imageMogr2/flip/horizontal',
  'imageMogr2/format/webp',
  'imageMogr2/format/png',
  'imageMogr2/quality/60',
  'imageMogr2/rquality/50',
  'imageMogr2/blur/8x5',
  'imageMogr2/blur/10x3',
  'imageMogr2/bright/50',
  'imageMogr2/bright/-30',
  'imageMogr2/bright/30',
  'imageMogr2/bright/60',
  'imageMogr2/bright/70',
  'imageMogr2/contrast/50',
  'imageMogr2/contrast/-30',
  'imageMogr2/contrast/-50',
  'imageMogr2/sharpen/70',
  'imageMogr2/sharpen/120',
  'imageMogr2/grayscale/1',
  'imageMogr2/grayscale/0',
  'imageMogr2/strip',
  'imageMogr2/strip/format/png/size-limit/15k!',
  'imageMogr2/strip/format/png/size-limit/100k!',
  'imageMogr2/strip/format/png/size-limit/10k!',
  'imageMogr2/format/jpg/interlace/0/quality/100',
  'imageMogr2/format/jpg/interlace/1',
  'imageMogr2/thumbnail/!50p/rotate/50',
  'imageMogr2/bright/70/ignore-error/1',
  'imageMogr2/contrast/-70/ignore-error/1',
  'imageMogr2/cut/400x400x100x100/crop/400x/gravity/center/crop/x400/gravity/center/crop/400x400/gravity/center/iradius/30/rradius/30/scrop/30x30/ignore-error/1',
  'imageMogr2/format/jpg/cgif/1/interlace/1/ignore-error/1',
  'imageMogr2/blur/8x5/ignore-error/1',
  'imageMogr2/grayscale/1/ignore-error/1',
  'imageMogr2/quality/90!/lquality/90/rquality/90/ignore-error/1',
  'imageMogr2/rotate/90/auto-orient/flip/vertical/ignore-error/1',
  'imageMogr2/sharpen/70/ignore-error/1',
  'imageMogr2/size-limit/15!/ignore-error/1',
  'imageMogr2/strip/ignore-error/1',
  'imageMogr2/thumbnail/!50p/thumbnail/!50px/thumbnail/!x50p/thumbnail/60x/thumbnail/x60/thumbnail/100x100/thumbnail/!30x30r/thumbnail/50x50!/thumbnail/10000@/thumbnail/300x300>/thumbnail/300x300<',
];

describe("Tencent's SDK demo rules", () => {
  it('every imageMogr2-only one parses, is accepted on a 1280x720 JPEG, and runs', async () => {
    const input = await gradientJpeg(1280, 720);
    const results = await Promise.all(
      SDK_DEMO_RULES.map((rule) =>
        run(input, rule).then(
          () => 'ran',
          (error: Error) => `${rule}: ${error.message}`,
        ),
      ),
    );
    assert.deepEqual(
      results.filter((outcome) => outcome !== 'ran'),
      [],
    );
  });
});
