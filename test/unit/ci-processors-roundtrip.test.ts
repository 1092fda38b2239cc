import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalRule } from '../../functions/core/imagemogr2/canonical.ts';
import { parseRule } from '../../functions/core/imagemogr2/parse.ts';
import { GRAVITIES } from '../../functions/core/imagemogr2/plan.ts';
import { FONTS } from '../../functions/core/imagemogr2/watermark-fonts.ts';

/** mulberry32: the same rules on every run, so a failure names a rule that fails again. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(seed: number) {
  const next = random(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  const maybe = (part: () => string) => (next() < 0.5 ? [part()] : []);
  const shuffled = <T>(items: T[]) =>
    items
      .map((item) => ({ item, key: next() }))
      .sort((a, b) => a.key - b.key)
      .map(({ item }) => item);
  // Every Base64 spelling clients send: URL-safe or standard (where it holds no "/", which would split the rule), padded or not.
  const base64 = (text: string) => {
    const standard = Buffer.from(text).toString('base64');
    const spelled = next() < 0.5 || standard.includes('/') ? standard.replace(/\+/g, '-').replace(/\//g, '_') : standard;
    return next() < 0.5 ? spelled.replace(/=+$/, '') : spelled;
  };
  const gravity = () => {
    const name = pick(GRAVITIES);
    return next() < 0.5 ? name : name.toUpperCase();
  };
  const quality = () => pick([`q/${int(1, 100)}`, `q/${int(1, 100)}!`, `rq/${int(1, 100)}`, `lq/${int(1, 100)}`]);

  const view = () => {
    if (next() < 0.15) return ['imageView2', `format/${pick(['png', 'webp', 'jpg', 'yjpeg'])}`, ...maybe(quality)].join('/');
    const sides = pick([['w'], ['h'], ['w', 'h']]).map((side) => `${side}/${int(1, 10_000)}`);
    const settings = [
      ...sides,
      ...maybe(() => `format/${pick(['jpg', 'jpeg', 'png', 'webp', 'avif', 'gif', 'tiff', 'yjpeg', 'PNG'])}`),
      ...maybe(quality),
      ...maybe(() => `interlace/${int(0, 1)}`),
      ...maybe(() => `ignore-error/${int(0, 1)}`),
    ];
    return ['imageView2', String(int(0, 5)), ...shuffled(settings)].join('/');
  };

  const common = () => {
    const scatype = int(1, 3);
    return [
      ...maybe(() => `gravity/${gravity()}`),
      ...maybe(() => `dx/${int(0, 10_000)}`),
      ...maybe(() => `dy/${int(0, 10_000)}`),
      ...maybe(() => `dissolve/${int(1, 100)}`),
      ...maybe(() => `scatype/${scatype}/spcent/${int(1, scatype === 3 ? 250 : 1000)}`),
      ...maybe(() => `batch/${int(0, 1)}`),
      ...maybe(() => `degree/${int(0, 360)}`),
      ...maybe(() => `spacing/${int(0, 100)}`),
      ...maybe(() => `ignore-error/${int(0, 1)}`),
    ];
  };
  const texts = ['数据万象', 'Tessera', 'a+b/c?', '<b>&</b>', '腾讯云·万象优图', 'cloud.tencent.com/'];
  const watermark = () => {
    if (next() < 0.5) {
      const image = pick([
        'marks/logo.png',
        'http://demo-1250000000.cos.ap-local.myqcloud.com/a b.png',
        'https://x-1.cos.r.myqcloud.com/m.jpg',
      ]);
      return ['watermark/1', `image/${base64(image)}`, ...shuffled([...maybe(() => `blogo/${int(1, 2)}`), ...common()])].join('/');
    }
    const text = [
      ...maybe(() => `font/${base64(pick(Object.keys(FONTS)))}`),
      ...maybe(() => `fontsize/${int(1, 500)}`),
      ...maybe(() => `fill/${base64(`#${int(0, 0xffffff).toString(16).padStart(6, '0')}${next() < 0.3 ? 'AA' : ''}`)}`),
      ...maybe(() => `shadow/${int(0, 100)}`),
    ];
    return ['watermark/2', `text/${base64(pick(texts))}`, ...shuffled([...text, ...common()])].join('/');
  };
  const rule = () => {
    const stages = Array.from({ length: int(1, 9) }, () => (next() < 0.5 ? view() : watermark()));
    if (next() < 0.3) stages.push('imageInfo');
    return stages.join('|');
  };
  return { rule };
}

describe('canonical text of imageView2, watermark and imageInfo', () => {
  it('parses back to the same plan, and is its own canonical text, for 2,000 generated rules', () => {
    const { rule } = generator(14);
    const processors = new Set<string>();
    for (let index = 0; index < 2000; index++) {
      const text = rule();
      const plan = parseRule(text);
      const canonical = canonicalRule(plan);
      const again = parseRule(canonical);
      assert.deepEqual(again.stages, plan.stages, `${text}\n→ ${canonical}`);
      assert.equal(canonicalRule(again), canonical, text);
      for (const stage of plan.stages) processors.add(stage.processor);
    }
    assert.deepEqual([...processors].sort(), ['imageInfo', 'imageView2', 'watermark']);
  });

  it('writes defaults out and the documented spellings in', () => {
    assert.equal(
      canonicalRule(parseRule('watermark/2/text/5pWw5o2u5LiH6LGh/fill/I0ZGRkZGRg==/fontsize/30/dx/20/dy/20')),
      'watermark/2/text/5pWw5o2u5LiH6LGh/fontsize/30/fill/I0ZGRkZGRg/dx/20/dy/20',
    );
    assert.equal(
      canonicalRule(
        parseRule('watermark/2/text/YQ/font/dGFob21hLnR0Zg==/fontsize/13/fill/IzNEM0QzRA==/dissolve/90/gravity/SouthEast/spacing/10'),
      ),
      'watermark/2/text/YQ',
    );
    assert.equal(canonicalRule(parseRule('imageView2/3/w/400/format/yjpeg/q/85!')), 'imageView2/3/w/400/format/jpg/q/85!');
    assert.equal(canonicalRule(parseRule('imageMogr2/thumbnail/!50p|imageInfo')), 'imageMogr2/thumbnail/!50p|imageInfo');
  });
});
