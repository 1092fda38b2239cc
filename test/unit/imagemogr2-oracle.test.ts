import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import type { ImageHeader } from '../../functions/core/imagemogr2/image-header.ts';
import { parseRule } from '../../functions/core/imagemogr2/parse.ts';
import { predictOutputs } from '../../functions/core/imagemogr2/predict.ts';
import { executePlan } from '../../functions/worker/imagemogr2.ts';
import { convert } from '../support/imagemagick.ts';
import { coordinatePng } from '../support/synthetic-images.ts';

/** Every thumbnail form, and its ImageMagick geometry (reference §1.2: p ⇒ %, r ⇒ ^). */
const THUMBNAILS: Array<[rule: string, geometry: string]> = [
  ...['50', '33.3', '150', '1', '999'].map((s): [string, string] => [`!${s}p`, `${s}%`]),
  ...['50', '250'].flatMap((s): Array<[string, string]> => [
    [`!${s}px`, `${s}%x100%`],
    [`!x${s}p`, `100%x${s}%`],
  ]),
  ...['1', '7', '300', '999'].flatMap((s): Array<[string, string]> => [
    [`${s}x`, `${s}x`],
    [`x${s}`, `x${s}`],
  ]),
  ...['300x300', '7x999', '1x1', '999x7'].flatMap((box): Array<[string, string]> => [
    [box, box],
    [`${box}>`, `${box}>`],
    [`${box}<`, `${box}<`],
    [`!${box}r`, `${box}^`],
    [`${box}!`, `${box}!`],
  ]),
  ...['1', '7', '100000', '350000'].map((area): [string, string] => [`${area}@`, `${area}@`]),
];

const GRAVITY_NAMES = { northwest: 'NorthWest', center: 'Center', southeast: 'SouthEast', north: 'North', east: 'East' } as const;

/** Every crop form with its ImageMagick `-crop`, under several gravities, and cut. */
const CROPS: Array<[rule: string, operations: string[]]> = [
  ...Object.entries(GRAVITY_NAMES).flatMap(([gravity, name]) =>
    [
      ['300x', '300x+0+0'],
      ['x200', 'x200+0+0'],
      ['300x300', '300x300+0+0'],
      ['7x1', '7x1+0+0'],
      ['!300x300a30a100', '300x300+30+100'],
      ['!300x300a30-100', '300x300+30-100'],
      ['!300x300-30a100', '300x300-30+100'],
      ['!5x5-3-3', '5x5-3-3'],
    ].map(([crop, geometry]): [string, string[]] => {
      // Tencent's 3×3 rule: the centre ignores both offsets, north/south ignore dx, west/east ignore dy.
      const [, box, dx, dy] = /^(\d*x\d*)([+-]\d+)([+-]\d+)$/.exec(geometry!)!;
      const keepX = !['center', 'north'].includes(gravity);
      const keepY = !['center', 'east'].includes(gravity);
      return [`gravity/${gravity}/crop/${crop}`, ['-gravity', name, '-crop', `${box}${keepX ? dx : '+0'}${keepY ? dy : '+0'}`]];
    }),
  ),
  ['cut/600x600x100x10', ['-crop', '600x600+100+10']],
  ['cut/5x5x0x0', ['-crop', '5x5+0+0']],
];

const SOURCES: Array<[number, number]> = [
  [1, 1],
  [1, 1000],
  [1000, 1],
  [3, 7919],
  [10_000, 2],
  [17, 9],
  [640, 427],
];

/** ImageMagick's size for each case on one blank source, in one call; undefined where ImageMagick makes no image (a side rounding to 0). */
function imageMagickSizes(width: number, height: number, cases: readonly string[][]): Array<string | undefined> {
  const args = [`xc:white[${width}x${height}!]`];
  for (const operations of cases) args.push('(', '-clone', '0', ...operations, '+repage', '+gravity', ')');
  try {
    return convert([...args, '-delete', '0', '-format', '%wx%h\n', 'info:'])
      .toString('utf8')
      .trim()
      .split('\n');
  } catch {
    if (cases.length === 1) return [undefined];
    // One case failed the batch: halve it to find which.
    const half = Math.ceil(cases.length / 2);
    return [...imageMagickSizes(width, height, cases.slice(0, half)), ...imageMagickSizes(width, height, cases.slice(half))];
  }
}

const header = (width: number, height: number): ImageHeader => ({ width, height, format: 'png', orientation: 1 });
/** ImageMagick is asked only for results it can make quickly; larger ones are over Tessera's limits anyway or covered by sharp's own runs. */
const MAX_COMPARED_PIXELS = 250_000;

describe('imageMogr2 geometry equals ImageMagick for every thumbnail and crop form × extreme sources', () => {
  const cases = [...THUMBNAILS.map(([rule, geometry]): [string, string[]] => [`thumbnail/${rule}`, ['-thumbnail', geometry]]), ...CROPS];
  for (const [width, height] of SOURCES) {
    it(`${width}x${height}`, async () => {
      const planned = cases.flatMap(([rule, operations]) => {
        try {
          const [output] = predictOutputs(parseRule(`imageMogr2/${rule}`), header(width, height));
          return output!.width * output!.height <= MAX_COMPARED_PIXELS ? [{ rule, operations, size: [output!.width, output!.height] }] : [];
        } catch {
          return []; // over a limit, or a crop outside the image: refused, so no size to compare
        }
      });
      assert.ok(planned.length >= 20, `${planned.length} cases compared`);
      // A side of 1 may be ImageMagick's 0, which fails its whole call: those run one by one.
      const solo = (entry: (typeof planned)[number]) => entry.size.includes(1);
      const batched = imageMagickSizes(
        width,
        height,
        planned.filter((entry) => !solo(entry)).map((entry) => entry.operations),
      );
      const oracle = planned.map((entry) => (solo(entry) ? imageMagickSizes(width, height, [entry.operations])[0] : batched.shift()));
      // Where ImageMagick refuses ("negative or zero image size"), Tessera makes that side 1 px.
      const wrong = planned.filter(
        (entry, index) =>
          (oracle[index] ?? 'no image') !== entry.size.join('x') && !(oracle[index] === undefined && entry.size.includes(1)),
      );
      assert.deepEqual(
        wrong.map((entry) => `${entry.rule}: ${entry.size.join('x')}`),
        [],
        'Tessera vs ImageMagick',
      );
      // sharp's real output honours the plan (cheap cases only).
      if (width * height > 50_000) return;
      const input = await coordinatePng(width, height);
      const cheap = planned.filter((each) => each.size[0]! * each.size[1]! <= 100_000);
      const actual = await Promise.all(cheap.map((entry) => executePlan(input, parseRule(`imageMogr2/${entry.rule}`))));
      assert.deepEqual(
        actual.map((result) => [result.width, result.height]),
        cheap.map((entry) => entry.size),
      );
    });
  }
});

/** The raw RGBA pixels of an image, and its size. */
const rgba = async (image: Buffer) => sharp(image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });

describe('imageMogr2 pixels equal ImageMagick where the result is defined', () => {
  it('rotate 90, 180, 270, flip, crop offsets: identical pixels', async () => {
    const input = await coordinatePng(97, 61);
    for (const [rule, operations] of [
      ['rotate/90', ['-rotate', '90']],
      ['rotate/180', ['-rotate', '180']],
      ['rotate/270', ['-rotate', '270']],
      ['flip/vertical', ['-flip']],
      ['flip/horizontal', ['-flop']],
      ['gravity/southeast/crop/!40x30a7a5', ['-gravity', 'SouthEast', '-crop', '40x30+7+5']],
      ['gravity/center/crop/40x30', ['-gravity', 'Center', '-crop', '40x30+0+0']],
      ['cut/50x20x13x29', ['-crop', '50x20+13+29']],
    ] as const) {
      const ours = await rgba((await executePlan(input, parseRule(`imageMogr2/${rule}/format/png`))).data);
      const theirs = await rgba(convert(['png:-', ...operations, '+repage', 'png:-'], input));
      assert.deepEqual([ours.info.width, ours.info.height], [theirs.info.width, theirs.info.height], rule);
      assert.ok(ours.data.equals(theirs.data), `${rule}: pixels differ`);
    }
  });

  it("grayscale: within 2 levels of ImageMagick's Rec. 709 luminance, computed in linear light as libvips does", async () => {
    const input = await coordinatePng(64, 64);
    const ours = await sharp((await executePlan(input, parseRule('imageMogr2/grayscale/1/format/png'))).data)
      .extractChannel(0)
      .raw()
      .toBuffer();
    const theirs = await sharp(
      convert(['png:-', '-colorspace', 'RGB', '-grayscale', 'Rec709Luminance', '-colorspace', 'sRGB', 'png:-'], input),
    )
      .extractChannel(0)
      .raw()
      .toBuffer();
    const worst = ours.reduce((most, value, index) => Math.max(most, Math.abs(value - theirs[index]!)), 0);
    assert.ok(worst <= 2, `largest difference ${worst}`);
  });

  it("iradius and rradius: the alpha of ImageMagick's circle and round rectangle, but for the anti-aliased edge", async () => {
    const input = await coordinatePng(120, 80);
    for (const [rule, draw, size, radius] of [
      ['iradius/30', 'circle 29.5,29.5 29.5,-0.5', '60x60', 30],
      ['rradius/20', 'roundrectangle 0,0 119,79 20,20', '120x80', 20],
    ] as const) {
      const ours = await rgba((await executePlan(input, parseRule(`imageMogr2/${rule}/format/png`))).data);
      const mask = await rgba(convert(['-size', size, 'xc:none', '-fill', 'white', '-draw', draw, 'png:-']));
      assert.deepEqual(`${ours.info.width}x${ours.info.height}`, size, rule);
      let differing = 0;
      let opaqueInside = 0;
      for (let at = 3; at < ours.data.length; at += 4) {
        if (Math.abs(ours.data[at]! - mask.data[at]!) > 128) differing++;
        if (mask.data[at] === 255 && ours.data[at] === 255) opaqueInside++;
      }
      // Anti-aliasing may put an edge pixel either side: at most a tenth of the curve's length.
      assert.ok(differing <= (2 * Math.PI * radius) / 10, `${rule}: ${differing} pixels on the other side of the edge`);
      assert.ok(opaqueInside > 0);
      assert.equal(ours.data[3], 0, `${rule}: the top-left corner is transparent`);
    }
  });

  it("pad: the bars sit where ImageMagick's -gravity center -extent puts them", async () => {
    for (const [width, height] of [
      [960, 540],
      [541, 960],
      [333, 100],
    ] as const) {
      const input = await coordinatePng(width, height);
      const ours = await rgba((await executePlan(input, parseRule('imageMogr2/thumbnail/600x600/pad/1/color/IzNEM0QzRA/format/png'))).data);
      const theirs = await rgba(
        convert(['png:-', '-thumbnail', '600x600', '-background', '#3D3D3D', '-gravity', 'center', '-extent', '600x600', 'png:-'], input),
      );
      assert.deepEqual([ours.info.width, ours.info.height], [600, 600]);
      const isBar = (data: Buffer, x: number, y: number) => [0, 1, 2].every((channel) => data[(y * 600 + x) * 4 + channel] === 0x3d);
      for (let i = 0; i < 600; i++) {
        assert.equal(isBar(ours.data, 300, i), isBar(theirs.data, 300, i), `${width}x${height}: row ${i}`);
        assert.equal(isBar(ours.data, i, 300), isBar(theirs.data, i, 300), `${width}x${height}: column ${i}`);
      }
    }
  });
});
