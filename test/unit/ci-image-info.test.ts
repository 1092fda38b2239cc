import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { TesseraError } from '../../functions/core/errors.ts';
import { IMAGE_INFO_KEYS } from '../../functions/core/imagemogr2/info-rule.ts';
import { parseRule } from '../../functions/core/imagemogr2/parse.ts';
import { predictOutputs } from '../../functions/core/imagemogr2/predict.ts';
import { executePlan } from '../../functions/worker/imagemogr2.ts';
import { solidPng } from '../support/images.ts';
import { animation, gradientJpeg } from '../support/synthetic-images.ts';

const refused = (rule: string, message: string) =>
  assert.throws(
    () => parseRule(rule),
    (error: TesseraError) => {
      assert.equal(error.message, message);
      return true;
    },
  );

describe('imageInfo', () => {
  it('is a stage of its own, the last one', () => {
    assert.deepEqual(parseRule('imageInfo').stages, [{ processor: 'imageInfo', ignoreError: false }]);
    assert.deepEqual(parseRule('imageMogr2/thumbnail/!50p|imageInfo/').stages.at(-1), { processor: 'imageInfo', ignoreError: false });
    refused('imageInfo/format/json', 'invalid imageInfo rule: imageInfo takes no parameters, got "format/json"');
    refused(
      'imageInfo|imageMogr2/rotate/90',
      'invalid imageInfo rule: imageInfo writes JSON, not an image, so it must be the last stage; stage 2 follows it',
    );
    assert.equal(
      predictOutputs(parseRule('imageView2/2/w/50|imageInfo'), { width: 100, height: 80, format: 'png', orientation: 1 })[1]!.format,
      'json',
    );
  });

  it("writes Tencent's JSON: its keys in order, every value a string, the md5 of the bytes it describes", async () => {
    const jpeg = await gradientJpeg(96, 54, 80);
    const result = await executePlan(jpeg, parseRule('imageInfo'));
    const info = JSON.parse(result.data.toString('utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(info), [...IMAGE_INFO_KEYS]);
    assert.deepEqual(info, {
      format: 'jpeg',
      width: '96',
      height: '54',
      size: String(jpeg.length),
      md5: createHash('md5').update(jpeg).digest('hex'),
      dynamic_range: 'sdr',
      frame_count: '1',
      bit_depth: '8',
      vertical_dpi: '72',
      horizontal_dpi: '72',
    });
    assert.deepEqual([result.format, result.width, result.height, result.size], ['json', 96, 54, result.data.length]);
  });

  it('describes the previous stage’s output, an animation’s frames, and a PNG', async () => {
    const piped = JSON.parse(
      (await executePlan(solidPng(100, 80), parseRule('imageView2/2/w/50/format/webp|imageInfo'))).data.toString(),
    ) as Record<string, string>;
    assert.deepEqual([piped.format, piped.width, piped.height], ['webp', '50', '40']);
    const gif = JSON.parse((await executePlan(await animation('gif', 30, 20, 4), parseRule('imageInfo'))).data.toString()) as Record<
      string,
      string
    >;
    assert.deepEqual([gif.format, gif.width, gif.height, gif.frame_count], ['gif', '30', '20', '4']);
  });
});
