import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { readImageHeader } from '../../functions/core/imagemogr2/image-header.ts';
import { predictOutputs } from '../../functions/core/imagemogr2/predict.ts';
import { parseRule } from '../../functions/core/imagemogr2/parse.ts';
import { executePlan } from '../../functions/worker/imagemogr2.ts';
import { coordinatePng, gradientJpeg, originOf } from '../support/synthetic-images.ts';

// Every output size stated in reference/tencent-ci.md §1.7, checked on sharp's real output and on
// the size predicted at submit from the input's header.
const VECTORS: Record<string, Array<[rule: string, width: number, height: number]>> = {
  '640x427': [
    ['thumbnail/!75p', 480, 320],
    ['thumbnail/700x', 700, 467],
    ['thumbnail/x467', 700, 467],
    ['thumbnail/300x300', 300, 200],
    ['thumbnail/!200x200r', 300, 200],
    ['thumbnail/200x300!', 200, 300],
    ['thumbnail/200x300>', 200, 133],
    ['thumbnail/700x600<', 700, 467],
    ['thumbnail/350000@', 724, 483],
    ['crop/300x', 300, 427],
    ['crop/x200', 640, 200],
    ['crop/300x300', 300, 300],
    ['crop/!300x300a30a100', 300, 300],
    ['crop/!300x300a30-100', 300, 200],
    ['crop/!300x300-30a100', 270, 300],
    ['crop/!300x300-30-100', 270, 200],
    ['gravity/North/crop/300x300', 300, 300],
    ['gravity/Center/crop/300x300', 300, 300],
    ['gravity/SouthEast/crop/300x300', 300, 300],
  ],
  '1024x768': [
    ['thumbnail/!75p', 768, 576],
    ['thumbnail/!75px', 768, 768],
    ['thumbnail/!x75p', 1024, 576],
    ['thumbnail/1536x', 1536, 1152],
    ['thumbnail/x1152', 1536, 1152],
    ['thumbnail/400x400', 400, 300],
    ['thumbnail/!400x400r', 533, 400],
    ['thumbnail/400x600!', 400, 600],
    ['thumbnail/400x600>', 400, 300],
    ['thumbnail/1500x1100<', 1467, 1100],
    ['thumbnail/900000@', 1095, 821],
    ['crop/400x', 400, 768],
    ['crop/x400', 1024, 400],
    ['crop/!400x400a30a100', 400, 400],
    ['crop/!400x400a30-100', 400, 300],
    ['crop/!400x400-30a100', 370, 400],
    ['crop/!400x400-30-100', 370, 300],
  ],
  '960x540': [
    ['thumbnail/!50p', 480, 270],
    ['thumbnail/!50px', 480, 540],
    ['cut/600x600x100x10', 600, 530],
    ['crop/300x400/gravity/center', 300, 400],
    ['rotate/90', 540, 960],
    ['thumbnail/600x600', 600, 338],
    ['thumbnail/600x600>', 600, 338],
    ['thumbnail/1000x1000>', 960, 540],
    ['thumbnail/400x300<', 960, 540],
    ['thumbnail/2000x2000<', 2000, 1125],
    ['thumbnail/!600x600r', 1067, 600],
    ['thumbnail/100000@', 421, 237],
  ],
};

const inputs = new Map<string, Buffer>();
before(async () => {
  for (const size of Object.keys(VECTORS)) {
    const [width, height] = size.split('x').map(Number) as [number, number];
    inputs.set(size, await gradientJpeg(width, height));
  }
});

describe('imageMogr2 output sizes equal ImageMagick geometry (reference §1.7), on sharp output', () => {
  for (const [size, vectors] of Object.entries(VECTORS)) {
    for (const [rule, width, height] of vectors) {
      it(`${size} ${rule} → ${width}x${height}`, async () => {
        const plan = parseRule(`imageMogr2/${rule}`);
        const result = await executePlan(inputs.get(size)!, plan);
        const actual = await sharp(result.data).metadata();
        assert.deepEqual([actual.width, actual.height], [width, height]);
        assert.deepEqual([result.width, result.height], [width, height]);
        const [predicted] = predictOutputs(plan, readImageHeader(inputs.get(size)!)!);
        assert.deepEqual([predicted!.width, predicted!.height], [width, height], 'predicted from the header alone');
      });
    }
  }
});

describe('crop windows sit where ImageMagick puts them', () => {
  const cases: Array<[string, number, number]> = [
    ['gravity/North/crop/300x300', 170, 0],
    ['gravity/Center/crop/300x300', 170, 63],
    ['gravity/SouthEast/crop/300x300', 340, 127],
    ['crop/!300x300a30a100', 30, 100],
    ['crop/!300x300a30-100', 30, 0],
    ['crop/!300x300-30a100', 0, 100],
    ['crop/300x300/gravity/center', 170, 63],
    // East: dx moves inwards from the right edge; dy is ignored (Tencent's 3x3 rule), so y stays centred.
    ['gravity/east/crop/!300x300a20a40', 320, 63],
    ['gravity/southwest/crop/!300x300a20a40', 20, 87],
  ];
  for (const [rule, x, y] of cases) {
    it(`640x427 ${rule} starts at ${x},${y}`, async () => {
      const result = await executePlan(await coordinatePng(640, 427), parseRule(`imageMogr2/${rule}/format/png`));
      assert.deepEqual(await originOf(result.data), { x, y });
    });
  }

  it('cut/600x600x100x10 on 960x540 starts at 100,10', async () => {
    const result = await executePlan(await coordinatePng(960, 540), parseRule('imageMogr2/cut/600x600x100x10/format/png'));
    assert.deepEqual(await originOf(result.data), { x: 100, y: 10 });
  });
});
