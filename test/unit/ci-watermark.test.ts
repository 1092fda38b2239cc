import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import type { TesseraError } from '../../functions/core/errors.ts';
import { parseRule } from '../../functions/core/imagemogr2/parse.ts';
import { GRAVITIES, type WatermarkStage } from '../../functions/core/imagemogr2/plan.ts';
import { FONTS } from '../../functions/core/imagemogr2/watermark-fonts.ts';
import { watermarkSource } from '../../functions/core/imagemogr2/watermark-source.ts';
import { executePlan, type PlanSources } from '../../functions/worker/imagemogr2.ts';
import { solidPng } from '../support/images.ts';
import { animation } from '../support/synthetic-images.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64url');
const stage = (rule: string) => parseRule(rule).stages[0] as WatermarkStage;
const refused = (rule: string, message: string) =>
  assert.throws(
    () => parseRule(rule),
    (error: TesseraError) => {
      assert.equal(error.kind, 'invalid-input');
      assert.equal(error.message, `invalid watermark rule: ${message}`);
      return true;
    },
  );

const MARK = 'mark.png';
const sourcesWith = (bytes: Buffer): PlanSources => ({ readObject: async () => bytes });

/** The bounding box of the pixels that differ from the background colour (red), on a PNG's raw RGBA. */
async function markBox(png: Buffer): Promise<{ left: number; top: number; right: number; bottom: number }> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const box = { left: Infinity, top: Infinity, right: -1, bottom: -1 };
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const at = (y * info.width + x) * 4;
      if (data[at] === 200 && data[at + 1] === 30 && data[at + 2] === 30) continue;
      box.left = Math.min(box.left, x);
      box.top = Math.min(box.top, y);
      box.right = Math.max(box.right, x);
      box.bottom = Math.max(box.bottom, y);
    }
  }
  return box;
}

describe('watermark rules', () => {
  it("reads Tencent's documented and SDK demo forms, every Base64 spelling alike", () => {
    const url = 'http://examplebucket-1250000000.cos.ap-shanghai.myqcloud.com/shuiyin_2.png';
    for (const spelling of [
      b64(url),
      Buffer.from(url).toString('base64'),
      'aHR0cDovL2V4YW1wbGVidWNrZXQtMTI1MDAwMDAwMC5jb3MuYXAtc2hhbmdoYWkubXlxY2xvdWQuY29tL3NodWl5aW5fMi5wbmc',
    ]) {
      assert.equal((stage(`watermark/1/image/${spelling}`).mark as { image: string }).image, url);
    }
    assert.deepEqual(stage(`watermark/1/image/${b64(MARK)}`), {
      processor: 'watermark',
      mark: { kind: 'image', image: MARK },
      gravity: 'southeast',
      dx: 0,
      dy: 0,
      dissolve: 90,
      ignoreError: false,
    });
    assert.deepEqual(
      stage(
        'watermark/1/image/aHR0cHM6Ly93d3cueHh4LmNvbS94eHguanBn/gravity/SouthEast/dx/10/dy/10/blogo/1/scatype/1/spcent/200/dissolve/70/batch/1/spacing/10/degree/90',
      ),
      {
        processor: 'watermark',
        mark: { kind: 'image', image: 'https://www.xxx.com/xxx.jpg', blogo: 1 },
        gravity: 'southeast',
        dx: 10,
        dy: 10,
        dissolve: 70,
        scale: { type: 1, permille: 200 },
        tile: { degree: 90, spacing: 10 },
        ignoreError: false,
      },
    );
    // spcent without scatype (cos-php-sdk-v5's imageWatermark.php) is ignored; the centre ignores dx and dy.
    const centred = stage(
      'watermark/1/image/aHR0cDovL2V4YW1wbGVidWNrZXQtMTI1MDAwMDAwLmNvcy5hcC1iZWlqaW5nLm15cWNsb3VkLmNvbS9zaHVpeWluLmpwZWc=/gravity/center/dx/10/dy/10/spcent/100',
    );
    assert.deepEqual([centred.gravity, centred.dx, centred.dy, centred.scale], ['center', 0, 0, undefined]);
    assert.deepEqual(
      [
        stage(`watermark/1/image/${b64(MARK)}/gravity/north/dx/5/dy/6`).dx,
        stage(`watermark/1/image/${b64(MARK)}/gravity/north/dx/5/dy/6`).dy,
      ],
      [0, 6],
    );
    assert.deepEqual(stage(`watermark/1/image/${b64(MARK)}/gravity/east/dx/5/dy/6`).dy, 0);
    assert.equal(stage(`watermark/1/image/${b64(MARK)}/degree/45`).tile, undefined);

    assert.deepEqual(stage('watermark/2/text/5pWw5o2u5LiH6LGh/fill/I0ZGRkZGRg==/fontsize/30/dx/20/dy/20'), {
      processor: 'watermark',
      mark: {
        kind: 'text',
        text: '数据万象',
        font: 'tahoma.ttf',
        fontSize: 30,
        fill: { red: 255, green: 255, blue: 255, alpha: 255 },
        shadow: 0,
      },
      gravity: 'southeast',
      dx: 20,
      dy: 20,
      dissolve: 90,
      ignoreError: false,
    });
    const full = stage(
      'watermark/2/text/5rC05Y2w5YaF5a65/font/dGFob21hLnR0Zg==/fontsize/13/fill/IzNEM0QzRA==/dissolve/90/gravity/SouthEast/dx/10/dy/10/batch/1/spacing/10/degree/10/shadow/10/scatype/1/spcent/500',
    );
    assert.deepEqual(full.mark, {
      kind: 'text',
      text: '水印内容',
      font: 'tahoma.ttf',
      fontSize: 13,
      fill: { red: 61, green: 61, blue: 61, alpha: 255 },
      shadow: 10,
    });
    assert.deepEqual(
      [full.tile, full.scale],
      [
        { degree: 10, spacing: 10 },
        { type: 1, permille: 500 },
      ],
    );
    for (const rule of [
      'watermark/2/text/6IW-6K6v5LqRwrfkuIfosaHkvJjlm74/fill/IzNEM0QzRA/fontsize/20/dissolve/50/gravity/northeast/dx/20/dy/20/batch/1/degree/45',
      'watermark/2/text/Y2xvdWQudGVuY2VudC5jb20v/fill/IzNEM0QzRA/fontsize/20/dissolve/50/gravity/northeast/dx/20/dy/20/batch/1/degree/45',
      'watermark/2/text/5paH5qGj6aKE6KeI/fontsize/20/gravity/NorthEast',
      'watermark/2/text/dGVzdGV0c3Q=/fontsize/30/gravity/center',
      'watermark/1/image/aHR0cDovL2xpbGFuZy0xMjUzOTYwNDU0LmNvcy5hcC1jaG9uZ3FpbmcubXlxY2xvdWQuY29tL3BpYy9iZWFyLnBuZw==/gravity/northeast/batch/1/degree/45/dissolve/40/',
    ]) {
      assert.equal(parseRule(rule).stages[0]!.processor, 'watermark', rule);
    }
  });

  it('names fonts as either of Tencent’s lists spells them', () => {
    for (const [spelling, font] of [
      ['simhei黑体.ttf', 'SimHei.ttf'],
      ['SimHei.ttf', 'SimHei.ttf'],
      ['STHeiti Light华文黑体.ttc', 'STHeiti-Light.ttc'],
      ['STHeiti-Medium.ttc', 'STHeiti-Medium.ttc'],
      ['幼圆.TTF', 'YouYuan.ttf'],
      ['Tahoma.ttf', 'tahoma.ttf'],
      ['HelveticaNeue.dfont', 'HelveticaNeue.dfont'],
    ]) {
      assert.equal((stage(`watermark/2/text/${b64('a')}/font/${b64(spelling!)}`).mark as { font: string }).font, font, spelling);
    }
  });

  it('refuses every bad form, saying what is wrong', () => {
    const image = `watermark/1/image/${b64(MARK)}`;
    const text = `watermark/2/text/${b64('a')}`;
    refused('watermark', 'type "" is not 1 (an image) or 2 (text)');
    refused('watermark/5/text/YQ', 'type "5" is not 1 (an image) or 2 (text)');
    refused('watermark/3/type/3/text/5L2g5aW95LiH6LGh/version/3.0', 'blind watermarks (watermark/3) are not supported');
    refused('watermark/4/type/3/version/3.0', 'blind watermarks (watermark/4) are not supported');
    refused('watermark/1/gravity/north', "watermark/1 needs image (the Base64 of the watermark image's URL or object name)");
    refused('watermark/2/fontsize/20', 'watermark/2 needs text (the Base64 of the text)');
    refused('watermark/1/image/a*b', 'image "a*b" is not URL-safe Base64');
    refused('watermark/2/text/_w', 'text "_w" does not decode to UTF-8 text');
    refused(`watermark/2/text/${b64('a\nb')}`, `text "${b64('a\nb')}" decodes to control characters`);
    refused(`watermark/2/text/${b64('x'.repeat(301))}`, 'text is longer than 300 characters');
    refused(
      `${image}/font/${b64('tahoma.ttf')}`,
      `unknown parameter "font" for watermark/1; the parameters are image, blogo, gravity, dx, dy, dissolve, scatype, spcent, batch, spacing, degree, ignore-error`,
    );
    refused(
      `${text}/blogo/1`,
      `unknown parameter "blogo" for watermark/2; the parameters are text, font, fontsize, fill, shadow, gravity, dx, dy, dissolve, scatype, spcent, batch, spacing, degree, ignore-error`,
    );
    refused(
      'watermark/2/text/dGVzdFdhdGVyTWFyaw==/fillIzNEM0QzRA==/fontsize/20/dissolve/50/gravity/northeast/dx/20/dy/20/batch/1/degree/45',
      '"fillIzNEM0QzRA==" is not a parameter: a "/" is missing after "fill" (write fill/IzNEM0QzRA==)',
    );
    refused(`${text}/font/${b64('comic.ttf')}`, `font "comic.ttf" is not one of ${Object.keys(FONTS).join(', ')}`);
    refused(`${text}/fontsize/0`, 'fontsize must be from 1 to 500, got 0');
    refused(`${text}/fill/${b64('#12345')}`, `fill "${b64('#12345')}" decodes to "#12345", not #RRGGBB or #RRGGBBAA`);
    refused(`${text}/shadow/101`, 'shadow must be from 0 to 100, got 101');
    refused(`${image}/gravity/middle`, `gravity "middle" is not one of ${GRAVITIES.join(', ')}`);
    refused(`${image}/dx/-5`, 'dx must be a whole number, got "-5"');
    refused(`${image}/dy/10001`, 'dy must be from 0 to 10000, got 10001');
    refused(`${image}/dissolve/0`, 'dissolve must be from 1 to 100, got 0');
    refused(`${image}/blogo/3`, 'blogo must be from 1 to 2, got 3');
    refused(`${image}/scatype/1`, 'scatype needs spcent');
    refused(`${image}/scatype/4/spcent/10`, 'scatype must be from 1 to 3, got 4');
    refused(`${image}/scatype/3/spcent/251`, 'spcent must be from 1 to 250, got 251');
    refused(`${image}/scatype/1/spcent/1001`, 'spcent must be from 1 to 1000, got 1001');
    refused(`${image}/batch/2`, 'batch "2" is not 0 or 1');
    refused(`${image}/batch/1/degree/361`, 'degree must be from 0 to 360, got 361');
    refused(`${image}/batch/1/spacing/101`, 'spacing must be from 0 to 100, got 101');
    refused(`${image}/ignore-error/2`, 'ignore-error "2" is not 0 or 1');
    refused(`${image}/gravity`, 'gravity needs a value');
    refused(`${image}//gravity/north`, 'empty parameter name ("//")');
  });

  it('names the watermark image by a COS URL (http or https, myqcloud.com or tencentcos.cn) or an object name', () => {
    assert.deepEqual(watermarkSource('http://examplebucket-1250000000.cos.ap-shanghai.myqcloud.com/pic/shuiyin%202.png'), {
      kind: 'bucket',
      bucket: 'examplebucket-1250000000',
      region: 'ap-shanghai',
      object: 'pic/shuiyin 2.png',
    });
    assert.equal(watermarkSource('https://examplebucket-1250000000.cos.ap-beijing.tencentcos.cn/watermark.png').kind, 'bucket');
    assert.deepEqual(watermarkSource('/marks/logo.png'), { kind: 'object', object: 'marks/logo.png' });
    for (const elsewhere of [
      'https://www.xxx.com/xxx.jpg',
      'http://examplebucket-1250000000.file.myqcloud.com/shuiyin_2.png',
      'http://examples-1251000004.picsh.myqcloud.com/shuiyin.jpg',
      'ftp://examplebucket-1250000000.cos.ap-shanghai.myqcloud.com/a.png',
      'http://user:pw@examplebucket-1250000000.cos.ap-shanghai.myqcloud.com/a.png',
      'http://examplebucket-1250000000.cos.ap-shanghai.myqcloud.com/',
    ]) {
      assert.deepEqual(watermarkSource(elsewhere), { kind: 'elsewhere' }, elsewhere);
    }
  });
});

describe('watermark pixels', () => {
  const background = solidPng(200, 100);
  const blue = solidPng(20, 10, [0, 0, 255]);

  it('places the mark at each gravity, dx/dy inwards from its edges, and ignores the margins the gravity does not use', async () => {
    const expected: Record<string, [number, number]> = {
      northwest: [7, 5],
      north: [90, 5],
      northeast: [173, 5],
      west: [7, 45],
      center: [90, 45],
      east: [173, 45],
      southwest: [7, 85],
      south: [90, 85],
      southeast: [173, 85],
    };
    for (const gravity of GRAVITIES) {
      const result = await executePlan(
        background,
        parseRule(`watermark/1/image/${b64(MARK)}/gravity/${gravity}/dx/7/dy/5/dissolve/100`),
        sourcesWith(blue),
      );
      const [left, top] = expected[gravity]!;
      assert.deepEqual(await markBox(result.data), { left, top, right: left + 19, bottom: top + 9 }, gravity);
      assert.deepEqual([result.format, result.width, result.height], ['png', 200, 100]);
    }
  });

  it('makes the mark dissolve % opaque', async () => {
    const result = await executePlan(
      background,
      parseRule(`watermark/1/image/${b64(MARK)}/gravity/northwest/dissolve/40`),
      sourcesWith(blue),
    );
    const { data } = await sharp(result.data).raw().toBuffer({ resolveWithObject: true });
    // 40 % blue over red (200, 30, 30): 0.6 × red + 0.4 × blue.
    const pixel = [...data.subarray(0, 3)];
    assert.ok(Math.abs(pixel[0]! - 120) <= 1 && Math.abs(pixel[1]! - 18) <= 1 && Math.abs(pixel[2]! - 120) <= 1, String(pixel));
  });

  it('tiles a batch over the whole image, every cell of a tile-sized grid marked', async () => {
    const result = await executePlan(
      background,
      parseRule(`watermark/1/image/${b64(MARK)}/batch/1/spacing/50/dissolve/100`),
      sourcesWith(blue),
    );
    const { data, info } = await sharp(result.data).raw().toBuffer({ resolveWithObject: true });
    // A tile is 30×15 (the mark and half its size of space); each 30×15 cell holds blue.
    for (let top = 0; top < info.height; top += 15) {
      for (let left = 0; left < info.width; left += 30) {
        let found = false;
        for (let y = top; y < Math.min(top + 15, info.height) && !found; y++) {
          for (let x = left; x < Math.min(left + 30, info.width) && !found; x++) found = data[(y * info.width + x) * 3 + 2] === 255;
        }
        assert.ok(found, `cell at ${left},${top}`);
      }
    }
  });

  it('follows blogo for a mark larger than the image, scales by scatype/spcent, and refuses an animated mark', async () => {
    const huge = solidPng(400, 50, [0, 0, 255]);
    const scaled = await executePlan(background, parseRule(`watermark/1/image/${b64(MARK)}/blogo/1/dissolve/100`), sourcesWith(huge));
    assert.deepEqual(await markBox(scaled.data), { left: 0, top: 75, right: 199, bottom: 99 });
    const cropped = await executePlan(background, parseRule(`watermark/1/image/${b64(MARK)}/blogo/2/dissolve/100`), sourcesWith(huge));
    assert.deepEqual(await markBox(cropped.data), { left: 0, top: 50, right: 199, bottom: 99 });
    const byWidth = await executePlan(
      background,
      parseRule(`watermark/1/image/${b64(MARK)}/gravity/northwest/scatype/1/spcent/500/dissolve/100`),
      sourcesWith(blue),
    );
    assert.deepEqual(await markBox(byWidth.data), { left: 0, top: 0, right: 99, bottom: 49 });
    await assert.rejects(
      executePlan(background, parseRule(`watermark/1/image/${b64(MARK)}`), sourcesWith(await animation('gif', 20, 10, 3))),
      /the watermark image mark.png is animated; animated images cannot be watermarks/,
    );
    await assert.rejects(
      executePlan(background, parseRule(`watermark/1/image/${b64(MARK)}`), sourcesWith(await animation('webp', 20, 10, 3))),
      /animated images cannot be watermarks/,
    );
  });

  it('marks every frame of an animated GIF or WebP at the same place, and the result stays animated with its timing', async () => {
    // The middle of the mark: the south-east one (20×10, 5 px in) and the first tile of a batch.
    const middles = { southeast: ((40 - 5 - 5) * 60 + (60 - 5 - 10)) * 3, batch: (5 * 60 + 10) * 3 };
    for (const format of ['gif', 'webp'] as const) {
      const input = await animation(format, 60, 40, 4, 70);
      const rules = {
        southeast: `watermark/1/image/${b64(MARK)}/gravity/southeast/dx/5/dy/5/dissolve/100`,
        batch: `watermark/1/image/${b64(MARK)}/batch/1/dissolve/100`,
      };
      for (const [placement, rule] of Object.entries(rules) as Array<[keyof typeof rules, string]>) {
        const result = await executePlan(input, parseRule(rule), sourcesWith(blue));
        const metadata = await sharp(result.data).metadata();
        assert.deepEqual(
          [result.format, result.width, result.height, metadata.pages, metadata.delay],
          [format, 60, 40, 4, [70, 70, 70, 70]],
          rule,
        );
        for (let page = 0; page < 4; page++) {
          const { data } = await sharp(result.data, { page }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
          const [red, green, blueness] = [...data.subarray(middles[placement], middles[placement] + 3)] as [number, number, number];
          // Blue stands out from every frame's own colour (WebP is lossy here, so not exactly 0, 0, 255).
          assert.ok(blueness > 200 && red < 60 && green < 60, `${format} ${placement} page ${page}: ${[red, green, blueness]}`);
        }
      }
    }
  });

  it('draws text with glyphs in every documented font (CJK too), in its fill colour', async () => {
    const white = solidPng(400, 100, [200, 30, 30]);
    for (const font of Object.keys(FONTS)) {
      for (const text of ['Tessera', '数据万象']) {
        const rule = `watermark/2/text/${b64(text)}/font/${b64(font)}/fontsize/30/fill/${b64('#00FF00')}/dissolve/100/gravity/northwest`;
        const result = await executePlan(white, parseRule(rule));
        const { data } = await sharp(result.data).raw().toBuffer({ resolveWithObject: true });
        let green = 0;
        for (let at = 0; at < data.length; at += 3) if (data[at] === 0 && data[at + 1] === 255 && data[at + 2] === 0) green++;
        assert.ok(green > 100, `${font} "${text}": ${green} fully inked pixels`);
      }
    }
    // The documented Chinese fonts draw CJK with Noto Sans SC itself, and tahoma.ttf falls back to it: the same glyphs.
    const render = (font: string) =>
      executePlan(white, parseRule(`watermark/2/text/${b64('万象')}/font/${b64(font)}/fontsize/30/dissolve/100/gravity/northwest`));
    assert.ok((await render('SimHei.ttf')).data.equals((await render('tahoma.ttf')).data));
  });

  it('puts a shadow below and right of the text', async () => {
    const plain = await executePlan(
      background,
      parseRule(`watermark/2/text/${b64('I')}/fontsize/60/fill/${b64('#FFFFFF')}/dissolve/100/gravity/northwest`),
    );
    const shaded = await executePlan(
      background,
      parseRule(`watermark/2/text/${b64('I')}/fontsize/60/fill/${b64('#FFFFFF')}/dissolve/100/gravity/northwest/shadow/100`),
    );
    const plainBox = await markBox(plain.data);
    const shadedBox = await markBox(shaded.data);
    assert.deepEqual([shadedBox.right - plainBox.right, shadedBox.bottom - plainBox.bottom], [4, 4]);
  });
});
