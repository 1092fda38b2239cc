import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { rotatedSize } from '../../functions/core/imagemogr2/geometry.ts';
import { readImageHeader, type ImageHeader } from '../../functions/core/imagemogr2/image-header.ts';
import { predictOutputs } from '../../functions/core/imagemogr2/predict.ts';
import { parseRule } from '../../functions/core/imagemogr2/parse.ts';
import { executePlan } from '../../functions/worker/imagemogr2.ts';
import { coordinatePng, gradientJpeg } from '../support/synthetic-images.ts';

const jpeg = (width: number, height: number, orientation = 1): ImageHeader => ({ width, height, format: 'jpeg', orientation });
const predict = (header: ImageHeader, rule: string) =>
  predictOutputs(parseRule(rule), header).map((output) => `${output.width}x${output.height}`);
const sizeOf = (result: { width: number; height: number }) => `${result.width}x${result.height}`;

/** The prediction from the real input's header, next to what the executor really produced. */
async function predictedAndActual(input: Buffer, rule: string): Promise<[string, string]> {
  const predicted = predictOutputs(parseRule(rule), readImageHeader(input)!).at(-1)!;
  const actual = await executePlan(input, parseRule(rule));
  const decoded = await sharp(actual.data).metadata();
  assert.equal(sizeOf(decoded), sizeOf(actual), `${rule}: the result reports the size it has`);
  return [sizeOf(predicted), sizeOf(actual)];
}

describe("rotation by any angle: libvips's canvas, round(W·|cos| + H·|sin|) × round(W·|sin| + H·|cos|)", () => {
  // Odd and even sides, square and not, tiny and not: every angle from 1 to 359.
  const sizes: Array<[number, number]> = [
    [1, 1],
    [2, 3],
    [17, 9],
    [64, 36],
    [101, 64],
  ];
  for (const [width, height] of sizes) {
    it(`${width}x${height}, every angle, equals sharp's real output`, async () => {
      const input = await coordinatePng(width, height);
      const angles = Array.from({ length: 359 }, (_, index) => index + 1);
      const outcomes = await Promise.all(
        angles.map(async (degrees) => {
          const rule = `imageMogr2/rotate/${degrees}`;
          const result = await executePlan(input, parseRule(rule));
          return [`${degrees}°`, sizeOf(result), predict(readImageHeader(input)!, rule)[0]];
        }),
      );
      const wrong = outcomes.filter(([, actual, predicted]) => actual !== predicted);
      assert.deepEqual(wrong, [], 'angle, sharp, prediction');
    });
  }

  it('rounds half up, as VIPS_ROUND_INT does, and keeps right angles exact', async () => {
    // 9999.484… and 9999.502… columns: the limit's edge, where rounding decides.
    for (const [height, expected] of [
      [115, { width: 9999, height: 289 }],
      [116, { width: 10000, height: 290 }],
    ] as const) {
      const { info } = await sharp({ create: { width: 9999, height, channels: 3, background: '#808080' } })
        .rotate(1)
        .raw()
        .toBuffer({ resolveWithObject: true });
      assert.deepEqual({ width: info.width, height: info.height }, expected);
      assert.deepEqual(rotatedSize({ width: 9999, height }, 1), expected);
    }
    assert.deepEqual(rotatedSize({ width: 960, height: 540 }, 45), { width: 1061, height: 1061 });
    assert.deepEqual(rotatedSize({ width: 9999, height: 9999 }, 45), { width: 14141, height: 14141 });
    assert.deepEqual(rotatedSize({ width: 640, height: 427 }, 90), { width: 427, height: 640 });
    assert.deepEqual(rotatedSize({ width: 640, height: 427 }, 180), { width: 640, height: 427 });
  });

  it('on larger images and after other operations in the same stage', async () => {
    const input = await gradientJpeg(1000, 800);
    for (const rule of [
      'imageMogr2/thumbnail/3000x/rotate/33',
      // A thumbnail or crop after such a rotation needs its size (these once failed: "size unknown").
      'imageMogr2/rotate/45/thumbnail/300x',
      'imageMogr2/rotate/10/crop/500x500/rotate/350',
      'imageMogr2/crop/999x777/rotate/271/rotate/1',
      'imageMogr2/thumbnail/!37p/rotate/137|imageMogr2/rotate/223/format/png',
    ]) {
      const [predicted, actual] = await predictedAndActual(input, rule);
      assert.equal(predicted, actual, rule);
    }
  });
});

describe('imageMogr2 output sizes predicted from the header alone', () => {
  let oriented: Buffer;
  before(async () => {
    oriented = await sharp(await gradientJpeg(400, 300))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
  });

  it('refuses the rule of the issue from the header, before anything is decoded', async () => {
    const rule = 'imageMogr2/thumbnail/9999x9999!/rotate/45';
    assert.throws(() => predict(jpeg(1000, 800), rule), /the result would be 14141x14141, over the 9999 px per side limit/);
    // Only the first bytes of a JPEG: the header is whole, the pixels are missing.
    const photo = await gradientJpeg(1000, 800);
    const headerOnly = photo.subarray(0, photo.indexOf(Buffer.from([0xff, 0xda])));
    await assert.rejects(executePlan(headerOnly, parseRule(rule)), /the result would be 14141x14141, over the 9999 px per side limit/);
  });

  it('swaps the sides for auto-orient with an EXIF orientation of 5 to 8, as sharp does', async () => {
    assert.deepEqual(predict(jpeg(400, 300, 6), 'imageMogr2/auto-orient'), ['300x400']);
    assert.deepEqual(predict(jpeg(400, 300, 3), 'imageMogr2/auto-orient'), ['400x300']);
    assert.deepEqual(predict(jpeg(400, 300, 8), 'imageMogr2/rotate/90/thumbnail/100x'), ['100x133']);
    for (const rule of [
      'imageMogr2/auto-orient',
      'imageMogr2/auto-orient/crop/350x200',
      // Only a stage's first pipeline sees the EXIF orientation.
      'imageMogr2/flip/vertical/auto-orient',
      // A JPEG stage that keeps metadata hands the orientation on to the next stage; others do not.
      'imageMogr2/thumbnail/200x|imageMogr2/auto-orient',
      'imageMogr2/thumbnail/200x/strip|imageMogr2/auto-orient',
      'imageMogr2/crop/300x200/thumbnail/200x/rotate/90|imageMogr2/auto-orient',
      'imageMogr2/thumbnail/200x/format/gif|imageMogr2/auto-orient',
    ]) {
      const [predicted, actual] = await predictedAndActual(oriented, rule);
      assert.equal(predicted, actual, rule);
    }
  });

  it('holds each stage to the limit of its own format: 16,383 px for WebP, 9,999 otherwise', () => {
    assert.deepEqual(predict(jpeg(1000, 800), 'imageMogr2/thumbnail/9999x9999!/rotate/45/format/webp'), ['14141x14141']);
    assert.deepEqual(predict({ width: 1000, height: 800, format: 'webp', orientation: 1 }, 'imageMogr2/thumbnail/9999x9999!/rotate/45'), [
      '14141x14141',
    ]);
    // A later stage writes its input's format unless it names one.
    assert.deepEqual(predict(jpeg(1000, 800), 'imageMogr2/thumbnail/9999x9999!/rotate/45/format/webp|imageMogr2/thumbnail/!80p'), [
      '14141x14141',
      '11313x11313',
    ]);
    assert.throws(
      () => predict(jpeg(1000, 800), 'imageMogr2/thumbnail/9999x9999!/rotate/45/format/webp|imageMogr2/thumbnail/!80p/format/jpg'),
      /the result would be 11313x11313, over the 9999 px per side limit/,
    );
    assert.throws(
      () => predict(jpeg(1000, 800), 'imageMogr2/thumbnail/10000x/format/webp|imageMogr2/format/png'),
      /the result would be 10000x8000, over the 9999 px per side limit/,
    );
    // A thumbnail over the limit fails even when a later operation would bring the size back.
    assert.throws(
      () => predict(jpeg(1000, 800), 'imageMogr2/thumbnail/10000x/thumbnail/100x'),
      /the result would be 10000x8000, over the 9999 px per side limit/,
    );
  });

  it('refuses an image between operations over 250 M pixels', () => {
    assert.throws(
      () => predict(jpeg(15000, 15000), 'imageMogr2/rotate/45/thumbnail/1000x'),
      /an intermediate image would be 21213x21213 \(449991369 pixels\), over the 250000000 pixel limit/,
    );
  });

  it('refuses a crop or cut outside the image, at the size the image has by then', () => {
    assert.throws(() => predict(jpeg(400, 300), 'imageMogr2/cut/100x100x500x10'), /cut 100x100 at 500,10 falls outside the 400x300 image/);
    assert.throws(
      () => predict(jpeg(400, 300), 'imageMogr2/thumbnail/200x|imageMogr2/cut/100x100x300x10'),
      /cut 100x100 at 300,10 falls outside the 200x150 image/,
    );
    assert.deepEqual(predict(jpeg(400, 300, 6), 'imageMogr2/auto-orient/cut/100x100x250x350'), ['50x50']);
  });

  it("passes a failing ignore-error stage's input on, and goes on with the next stage", async () => {
    assert.deepEqual(predict(jpeg(1000, 800), 'imageMogr2/thumbnail/9999x9999!/rotate/45/ignore-error/1|imageMogr2/thumbnail/100x'), [
      '1000x800',
      '100x80',
    ]);
    assert.deepEqual(predict(jpeg(400, 300), 'imageMogr2/cut/100x100x500x10/ignore-error/1|imageMogr2/rotate/90'), ['400x300', '300x400']);
    assert.throws(
      () => predict(jpeg(400, 300), 'imageMogr2/cut/100x100x500x10/ignore-error/1|imageMogr2/cut/100x100x500x10'),
      /falls outside/,
    );
    const [predicted, actual] = await predictedAndActual(
      await gradientJpeg(400, 300),
      'imageMogr2/thumbnail/9999x9999!/rotate/45/ignore-error/1|imageMogr2/thumbnail/100x',
    );
    assert.equal(predicted, actual);
  });
});

describe('a stage that may hand its input back (minisize, size-limit !)', () => {
  it('has the stages after it checked on its input too: whichever header they get, none fails for a reason the header shows', () => {
    const small = jpeg(100, 100);
    assert.deepEqual(predict(small, 'imageMogr2/thumbnail/200x|imageMogr2/iradius/60'), ['200x200', '120x120']);
    for (const handsBack of ['minisize/1', 'format/jpg/size-limit/5k!']) {
      assert.throws(
        () => predict(small, `imageMogr2/thumbnail/200x/${handsBack}|imageMogr2/iradius/60`),
        /iradius must be from 1 to 49 on a 100x100 image/,
        handsBack,
      );
    }
    assert.deepEqual(predict(small, 'imageMogr2/thumbnail/200x/minisize/1|imageMogr2/iradius/40'), ['200x200', '80x80']);
  });
});
