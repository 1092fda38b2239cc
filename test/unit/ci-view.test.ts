import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import type { TesseraError } from '../../functions/core/errors.ts';
import { parseRule } from '../../functions/core/imagemogr2/parse.ts';
import type { ViewStage } from '../../functions/core/imagemogr2/plan.ts';
import { predictOutputs } from '../../functions/core/imagemogr2/predict.ts';
import { viewSize } from '../../functions/core/imagemogr2/view-size.ts';
import { executePlan } from '../../functions/worker/imagemogr2.ts';
import { convert } from '../support/imagemagick.ts';
import { gradientJpeg } from '../support/synthetic-images.ts';

const view = (rule: string) => parseRule(rule).stages[0] as ViewStage;

const refused = (rule: string, message: string) =>
  assert.throws(
    () => parseRule(rule),
    (error: TesseraError) => {
      assert.equal(error.kind, 'invalid-input');
      assert.equal(error.message, message);
      return true;
    },
  );

/**
 * Each mode as ImageMagick geometry (docs/ci-processors.md): `>` never enlarges, `^` covers, and
 * modes 0, 4, 5 turn their long/short box along the source's long side.
 */
function imageMagickView(mode: number, w: number | undefined, h: number | undefined, width: number, height: number): string[] {
  const portrait = height > width;
  const text = (value: number | undefined) => (value === undefined ? '' : String(value));
  switch (mode) {
    case 0: {
      const [bw, bh] = portrait ? [h, w] : [w, h];
      return ['-thumbnail', `${text(bw)}x${text(bh)}>`];
    }
    case 2:
      return ['-thumbnail', `${text(w)}x${text(h)}>`];
    case 3:
    case 1: {
      const [bw, bh] = [w ?? h!, h ?? w!];
      const crop = mode === 1 ? ['-gravity', 'center', '-crop', `${bw}x${bh}+0+0`] : [];
      return ['-thumbnail', `${bw}x${bh}^>`, ...crop];
    }
    default: {
      const [long, short] = [w ?? h!, h ?? w!];
      const [bw, bh] = portrait ? [short, long] : [long, short];
      const crop = mode === 5 ? ['-gravity', 'center', '-crop', `${bw}x${bh}+0+0`] : [];
      return ['-thumbnail', `${bw}x${bh}^>`, ...crop];
    }
  }
}

/** ImageMagick's sizes for several operation lists on one blank source, in one run of convert. */
function imageMagickSizes(
  width: number,
  height: number,
  variants: readonly (readonly string[])[],
): Array<{ width: number; height: number }> {
  const args = [`xc:white[${width}x${height}!]`];
  for (const operations of variants) args.push('(', '-clone', '0', ...operations, '+repage', '+gravity', ')');
  const out = convert([...args, '-delete', '0', '-format', '%w %h\\n', 'info:']).toString('utf8');
  return out
    .trim()
    .split('\n')
    .map((line) => {
      const [w, h] = line.split(' ').map(Number) as [number, number];
      return { width: w, height: h };
    });
}

describe('imageView2 rules', () => {
  it('reads every form: the six modes, w/h alone or both, format, q[!]/rq/lq, interlace, ignore-error, and no mode', () => {
    assert.deepEqual(view('imageView2/1/w/400/h/600/q/85'), {
      processor: 'imageView2',
      mode: 1,
      width: 400,
      height: 600,
      quality: { mode: 'absolute', value: 85 },
      interlace: false,
      ignoreError: false,
    });
    assert.deepEqual(view('imageView2/2/w/400/h/600/q/85!').quality, { mode: 'forced', value: 85 });
    assert.deepEqual(view('imageView2/0/w/400/rq/80').quality, { mode: 'relative', value: 80 });
    assert.deepEqual(view('imageView2/3/h/300/lq/70').quality, { mode: 'floor', value: 70 });
    assert.deepEqual(view('imageView2/3/w/400/format/png'), {
      processor: 'imageView2',
      mode: 3,
      width: 400,
      format: 'png',
      interlace: false,
      ignoreError: false,
    });
    assert.equal(view('imageView2/4/w/10/format/yjpeg').format, 'jpg');
    assert.equal(view('imageView2/5/h/10/format/WEBP/interlace/1/ignore-error/1/').ignoreError, true);
    assert.deepEqual(view('imageView2/format/png'), { processor: 'imageView2', format: 'png', interlace: false, ignoreError: false });
    assert.equal(parseRule('imageMogr2/thumbnail/!50p/rotate/50|imageView2/1/w/400/h/600/q/85').stages.length, 2);
    assert.equal(view('imageView2/1/w/400/h/600/format/jpg/q/85/ignore-error/1').ignoreError, true);
  });

  it('refuses every bad form, saying what is wrong', () => {
    const bad = 'invalid imageView2 rule: ';
    refused('imageView2/6/w/100', `${bad}mode must be from 0 to 5, got 6`);
    refused('imageView2/1', `${bad}mode 1 needs w, h or both`);
    refused('imageView2/w/100', `${bad}w and h need a mode (imageView2/<0-5>/w/…)`);
    refused('imageView2', `${bad}the stage does nothing: give a mode with w or h, or a format or quality`);
    refused('imageView2/2/w/0', `${bad}w must be from 1 to 10000, got 0`);
    refused('imageView2/2/h/10001', `${bad}h must be from 1 to 10000, got 10001`);
    refused('imageView2/2/w/1.5', `${bad}w must be a whole number, got "1.5"`);
    refused('imageView2/2/w', `${bad}w needs a value`);
    refused('imageView2/2/w/10/format/bmp', `${bad}format "bmp" is not supported: Tessera writes jpg, jpeg, png, webp, avif, gif, tiff`);
    refused('imageView2/2/w/10/format/svg', `${bad}format "svg" is not one of jpg, jpeg, png, webp, avif, gif, tiff, yjpeg`);
    refused('imageView2/2/w/10/q/101', `${bad}q must be from 1 to 100, got 101`);
    refused('imageView2/2/w/10/q/8x', `${bad}q "8x" is not <1-100> or <1-100>!`);
    refused('imageView2/2/w/10/rq/0', `${bad}rq must be from 1 to 100, got 0`);
    refused('imageView2/2/w/10/interlace/2', `${bad}interlace "2" is not 0 or 1`);
    refused('imageView2/2/w/10/ignore-error/yes', `${bad}ignore-error "yes" is not 0 or 1`);
    refused(
      'imageView2/2/w/10/colors/8',
      `${bad}unknown parameter "colors"; the parameters are w, h, format, q, rq, lq, interlace, ignore-error`,
    );
    refused('imageView2/2//w/10', `${bad}empty parameter name ("//")`);
  });

  it("gives Tencent's and Qiniu's documented sizes", () => {
    assert.deepEqual(viewSize(view('imageView2/1/w/500/h/400'), { width: 1000, height: 500 }), { width: 500, height: 400 });
    assert.deepEqual(viewSize(view('imageView2/2/w/500/h/400'), { width: 1000, height: 500 }), { width: 500, height: 250 });
    assert.deepEqual(viewSize(view('imageView2/3/w/500/h/400'), { width: 1000, height: 500 }), { width: 800, height: 400 });
    assert.deepEqual(viewSize(view('imageView2/1/w/200/h/200'), { width: 640, height: 427 }), { width: 200, height: 200 });
    assert.deepEqual(viewSize(view('imageView2/2/w/200'), { width: 640, height: 427 }), { width: 200, height: 133 });
    assert.deepEqual(viewSize(view('imageView2/2/h/200'), { width: 640, height: 427 }), { width: 300, height: 200 });
    // Never enlarged: Qiniu's 256×256 source asked for 1080×636 stays 256×256.
    assert.deepEqual(viewSize(view('imageView2/1/w/1080/h/636'), { width: 256, height: 256 }), { width: 256, height: 256 });
  });

  it('sizes every mode × w only / h only / both × extreme sources as ImageMagick does for the translated geometry', () => {
    const sources = [
      [1, 1],
      [1, 1000],
      [1000, 1],
      [3, 2000],
      [2000, 3],
      [640, 427],
      [427, 640],
      [1000, 500],
      [999, 999],
      [1234, 567],
    ] as const;
    const boxes = [
      [200, undefined],
      [undefined, 200],
      [300, 120],
      [120, 300],
      [1, 1],
      [5000, 4000],
    ] as const;
    let cases = 0;
    for (const [width, height] of sources) {
      const rules = [0, 1, 2, 3, 4, 5].flatMap((mode) => boxes.map(([w, h]) => ({ mode, w, h })));
      const expected = imageMagickSizes(
        width,
        height,
        rules.map(({ mode, w, h }) => imageMagickView(mode, w, h, width, height)),
      );
      for (const [index, { mode, w, h }] of rules.entries()) {
        const rule = `imageView2/${mode}${w ? `/w/${w}` : ''}${h ? `/h/${h}` : ''}`;
        assert.deepEqual(viewSize(view(rule), { width, height }), expected[index], `${rule} on ${width}x${height}`);
        cases++;
      }
    }
    assert.equal(cases, 360);
  });

  it('writes those sizes: sharp output on real images, and the prediction agrees', async () => {
    const input = await gradientJpeg(300, 200, 80);
    const header = { width: 300, height: 200, format: 'jpeg', orientation: 1 };
    for (const rule of [
      'imageView2/0/w/100/h/50',
      'imageView2/1/w/120/h/120',
      'imageView2/2/h/90',
      'imageView2/3/w/100/h/100',
      'imageView2/4/w/150/h/60',
      'imageView2/5/w/150/h/60/format/png',
      'imageView2/1/w/1000/h/50',
      'imageView2/format/webp/q/50',
    ]) {
      const result = await executePlan(input, parseRule(rule));
      const metadata = await sharp(result.data).metadata();
      const predicted = predictOutputs(parseRule(rule), header)[0]!;
      assert.deepEqual({ width: metadata.width, height: metadata.height }, viewSize(view(rule), { width: 300, height: 200 }), rule);
      assert.deepEqual({ width: result.width, height: result.height }, { width: predicted.width, height: predicted.height }, rule);
      assert.equal(metadata.format, predicted.format, rule);
    }
    const forced = await executePlan(input, parseRule('imageView2/2/w/100/q/30!/interlace/1'));
    assert.equal(forced.quality, 30);
    assert.equal((await sharp(forced.data).metadata()).isProgressive, true);
  });
});
