import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TesseraError } from '../../functions/core/errors.ts';
import { parseThumbnail } from '../../functions/core/imagemogr2/mogr-rule.ts';
import { parseRule as parseAny } from '../../functions/core/imagemogr2/parse.ts';
import type { MogrStage, Plan } from '../../functions/core/imagemogr2/plan.ts';

/** A rule of imageMogr2 stages only, typed as such. */
const parseRule = (rule: string) => parseAny(rule) as Plan & { stages: MogrStage[] };

const refused = (rule: string, message: string) =>
  assert.throws(
    () => parseRule(rule),
    (error: TesseraError) => {
      assert.equal(error.kind, 'invalid-input');
      assert.equal(error.message, `invalid imageMogr2 rule: ${message}`);
      return true;
    },
  );

describe('imageMogr2 parser', () => {
  it('reads every thumbnail form', () => {
    assert.deepEqual(parseThumbnail('!50p'), { kind: 'percent', percent: 50 });
    assert.deepEqual(parseThumbnail('!12.5p'), { kind: 'percent', percent: 12.5 });
    assert.deepEqual(parseThumbnail('!50px'), { kind: 'percentWidth', percent: 50 });
    assert.deepEqual(parseThumbnail('!x50p'), { kind: 'percentHeight', percent: 50 });
    assert.deepEqual(parseThumbnail('300x'), { kind: 'width', width: 300 });
    assert.deepEqual(parseThumbnail('x300'), { kind: 'height', height: 300 });
    assert.deepEqual(parseThumbnail('300x200'), { kind: 'fit', width: 300, height: 200 });
    assert.deepEqual(parseThumbnail('300x200>'), { kind: 'fit', width: 300, height: 200, only: 'shrink' });
    assert.deepEqual(parseThumbnail('300x200<'), { kind: 'fit', width: 300, height: 200, only: 'enlarge' });
    assert.deepEqual(parseThumbnail('!300x200r'), { kind: 'cover', width: 300, height: 200 });
    assert.deepEqual(parseThumbnail('300x200!'), { kind: 'exact', width: 300, height: 200 });
    assert.deepEqual(parseThumbnail('90000@'), { kind: 'area', area: 90000 });
  });

  it('reads a whole rule: operations in order, stage settings, pipes', () => {
    const plan = parseRule(
      'imageMogr2/auto-orient/thumbnail/300x/crop/200x200/gravity/center/rotate/90/flip/vertical/format/webp/quality/80!/strip/interlace/1|imageMogr2/blur/3x2/sharpen/70/grayscale/1/bright/-20/contrast/30/rquality/50/ignore-error/1',
    );
    assert.equal(plan.stages.length, 2);
    const [first, second] = plan.stages;
    assert.deepEqual(
      first!.operations.map((operation) => operation.op),
      ['autoOrient', 'thumbnail', 'crop', 'rotate', 'flip'],
    );
    assert.equal(first!.gravity, 'center');
    assert.equal(first!.format, 'webp');
    assert.deepEqual(first!.quality, { mode: 'forced', value: 80 });
    assert.deepEqual([first!.strip, first!.interlace, first!.ignoreError], [true, true, false]);
    assert.deepEqual(
      second!.operations.map((operation) => operation.op),
      ['blur', 'sharpen', 'grayscale', 'bright', 'contrast'],
    );
    assert.deepEqual(second!.quality, { mode: 'relative', value: 50 });
    assert.equal(second!.ignoreError, true);
  });

  it('reads crop, cut, Qiniu offsets, lquality, URL-encoded values and a trailing slash', () => {
    const [stage] = parseRule('imageMogr2/crop/!300x400a10-20/cut/600x600x100x10/lquality/80/thumbnail/300x300%3E/').stages;
    assert.deepEqual(stage!.operations, [
      { op: 'crop', spec: { width: 300, height: 400, dx: 10, dy: -20 } },
      { op: 'cut', width: 600, height: 600, dx: 100, dy: 10 },
      { op: 'thumbnail', spec: { kind: 'fit', width: 300, height: 300, only: 'shrink' } },
    ]);
    assert.deepEqual(stage!.quality, { mode: 'floor', value: 80 });
    assert.equal(parseRule('imageMogr2/format/JPG').stages[0]!.format, 'jpg');
  });

  it('refuses every malformed rule with a precise message', () => {
    refused('', 'the rule is empty');
    refused('imageMogr2/thumbnail/300x 200', 'a rule contains no spaces or line breaks');
    refused('imageSlim/1', 'stage 1 uses processor "imageSlim"; the processors are imageMogr2, imageView2, watermark, imageInfo');
    refused(
      'imageMogr2/rotate/90|ImageMogr2/rotate/90',
      'stage 2 uses processor "ImageMogr2"; the processors are imageMogr2, imageView2, watermark, imageInfo',
    );
    refused(Array.from({ length: 11 }, () => 'imageMogr2/strip').join('|'), 'at most 10 stages may be joined with "|", got 11');
    refused('imageMogr2', 'stage 1 has no operations');
    refused('imageMogr2/thumbnail', 'thumbnail needs a value');
    refused(
      'imageMogr2/thumbnail/abc',
      'thumbnail "abc" is not one of !<S>p, !<S>px, !x<S>p, <W>x, x<H>, <W>x<H>, <W>x<H>>, <W>x<H><, !<W>x<H>r, <W>x<H>!, <Area>@',
    );
    refused('imageMogr2/thumbnail/0x100', 'thumbnail width must be from 1 to 10000, got 0');
    refused('imageMogr2/thumbnail/20000x', 'thumbnail width must be from 1 to 10000, got 20000');
    refused('imageMogr2/thumbnail/!0p', 'thumbnail percentage must be more than 0 and at most 1000, got 0');
    refused('imageMogr2/thumbnail/!2000p', 'thumbnail percentage must be more than 0 and at most 1000, got 2000');
    refused('imageMogr2/thumbnail/300000000@', 'thumbnail area must be from 1 to 250000000, got 300000000');
    refused('imageMogr2/crop/300', 'crop "300" is not one of <W>x, x<H>, <W>x<H>, !<W>x<H>a<dx>a<dy>');
    refused('imageMogr2/cut/600x600x100', 'cut "600x600x100" is not <width>x<height>x<dx>x<dy>');
    refused(
      'imageMogr2/gravity/middle/crop/10x10',
      'gravity "middle" is not one of northwest, north, northeast, west, center, east, southwest, south, southeast',
    );
    refused('imageMogr2/rotate/361', 'rotate must be from 0 to 360, got 361');
    refused('imageMogr2/rotate/-90', 'rotate must be a whole number, got "-90"');
    refused('imageMogr2/flip/diagonal', 'flip "diagonal" is not vertical or horizontal');
    refused('imageMogr2/format/bmp', 'format "bmp" is not one of jpg, jpeg, png, webp, avif, gif, tiff');
    refused('imageMogr2/quality/101', 'quality must be from 1 to 100, got 101');
    refused('imageMogr2/quality/high', 'quality "high" is not <1-100> or <1-100>!');
    refused('imageMogr2/rquality/0', 'rquality must be from 1 to 100, got 0');
    refused('imageMogr2/interlace/2', 'interlace "2" is not 0 or 1');
    refused('imageMogr2/blur/60x2', 'blur radius must be from 1 to 50, got 60');
    refused('imageMogr2/sharpen/5', 'sharpen must be from 10 to 300, got 5');
    refused('imageMogr2/bright/101', 'bright must be a whole number from -100 to 100, got "101"');
    refused('imageMogr2/frobnicate/1', 'unknown operation "frobnicate"');
    refused('imageMogr2//rotate/90', 'empty operation name ("//")');
    refused('imageMogr2/thumbnail/%E0%A4%A', 'thumbnail value "%E0%A4%A" is not valid URL encoding');
  });
});
