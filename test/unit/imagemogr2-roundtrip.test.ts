import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalRule } from '../../functions/core/imagemogr2/canonical.ts';
import { readImageHeader } from '../../functions/core/imagemogr2/image-header.ts';
import { parseRule } from '../../functions/core/imagemogr2/parse.ts';
import { predictOutputs } from '../../functions/core/imagemogr2/predict.ts';
import { executePlan } from '../../functions/worker/imagemogr2.ts';
import { animation, gradientJpeg } from '../support/synthetic-images.ts';

/** A small seeded generator (mulberry32), so a failure names a rule that fails again. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  return { int, pick, chance: (p: number) => next() < p };
}

type Random = ReturnType<typeof random>;

/** Sides up to the parser's limit, or (for rules that run) small ones, so that running them stays quick. */
let sides = [1, 2, 7, 50, 120, 333, 999, 4000, 10000];
const side = (r: Random) => r.pick(sides) + (r.chance(0.3) ? r.int(0, 9) : 0);
const percent = (r: Random) => r.pick(['50', '12.5', '100', '250', '1', '999']);
const colour = (r: Random) => r.pick(['IzNEM0QzRA', 'I0ZGRkZGRg==', 'red', 'NONE', 'IzAwMDAwMDgw', 'I2ZmMDAwMA']);

const THUMBNAILS: Array<(r: Random) => string> = [
  (r) => `!${percent(r)}p`,
  (r) => `!${percent(r)}px`,
  (r) => `!x${percent(r)}p`,
  (r) => `${side(r)}x`,
  (r) => `x${side(r)}`,
  (r) => `${side(r)}x${side(r)}`,
  (r) => `${side(r)}x${side(r)}${r.pick(['>', '%3E', '<', '%3C'])}`,
  (r) => `!${side(r)}x${side(r)}r`,
  (r) => `${side(r)}x${side(r)}!`,
  (r) => `${r.int(1, 2_000_000)}@`,
];

const OPERATIONS: Array<(r: Random) => string> = [
  (r) => `thumbnail/${r.pick(THUMBNAILS)(r)}`,
  (r) =>
    `crop/${r.pick([`${side(r)}x`, `x${side(r)}`, `${side(r)}x${side(r)}`, `!${side(r)}x${side(r)}a${r.int(0, 50)}-${r.int(0, 50)}`])}`,
  (r) => `cut/${side(r)}x${side(r)}x${r.int(0, 60)}x${r.int(0, 60)}`,
  (r) => `gravity/${r.pick(['center', 'NorthEast', 'south', 'west', 'SouthEast'])}`,
  (r) => `rotate/${r.pick([0, 90, 180, 270, 360, r.int(1, 359)])}`,
  () => 'auto-orient',
  (r) => `flip/${r.pick(['vertical', 'horizontal'])}`,
  (r) => `blur/${r.int(1, 50)}x${r.pick(['0.5', '3', '12'])}`,
  (r) => `sharpen/${r.int(10, 300)}`,
  (r) => `grayscale/${r.int(0, 1)}`,
  (r) => `bright/${r.int(-100, 100)}`,
  (r) => `contrast/${r.int(-100, 100)}`,
  (r) => `iradius/${r.int(1, 400)}`,
  (r) => `rradius/${r.int(1, 400)}`,
  (r) => `scrop/${side(r)}x${side(r)}`,
];

const SETTINGS: Array<(r: Random) => string> = [
  (r) => `format/${r.pick(['jpg', 'JPEG', 'png', 'webp', 'gif', 'tiff', 'avif'])}`,
  (r) => r.pick([`quality/${r.int(1, 100)}`, `quality/${r.int(1, 100)}!`, `rquality/${r.int(1, 100)}`, `lquality/${r.int(1, 100)}`]),
  (r) => `interlace/${r.int(0, 1)}`,
  () => 'strip',
  (r) => `ignore-error/${r.int(0, 1)}`,
  (r) => `background/${colour(r)}`,
  (r) => `size-limit/${r.int(1, 900)}${r.pick(['', 'k', 'K', 'm'])}${r.pick(['', '!'])}`,
  (r) => `cgif/${r.int(1, 100)}`,
  (r) => `minisize/${r.int(0, 1)}`,
  (r) => `${r.pick(['density', 'dpi'])}/${r.int(1, 1200)}`,
];

function stage(r: Random): string {
  const tokens = Array.from({ length: r.int(1, 5) }, () => r.pick(OPERATIONS)(r));
  for (let count = r.int(0, 3); count > 0; count--) tokens.splice(r.int(0, tokens.length), 0, r.pick(SETTINGS)(r));
  if (tokens.some((token) => /^thumbnail\/\d+x\d+(>|<|%3E|%3C)?$/.test(token)) && r.chance(0.4)) {
    tokens.push('pad/1', ...(r.chance(0.5) ? [`color/${colour(r)}`] : []));
  }
  return `imageMogr2/${tokens.join('/')}${r.chance(0.2) ? '/' : ''}`;
}

/** Rules that parse (generated ones out of range are refused, and skipped here). */
function rules(seed: number, count: number): string[] {
  const r = random(seed);
  const found: string[] = [];
  while (found.length < count) {
    const rule = Array.from({ length: r.int(1, 3) }, () => stage(r)).join('|');
    try {
      parseRule(rule);
      found.push(rule);
    } catch {
      // out of range: the parser's own tests cover refusals
    }
  }
  return found;
}

describe('imageMogr2 canonical text', () => {
  it('parse → canonical → parse gives the same stages, and the canonical text is a fixed point (2,000 generated rules)', () => {
    for (const rule of rules(14, 2000)) {
      const plan = parseRule(rule);
      const canonical = canonicalRule(plan);
      assert.deepEqual(parseRule(canonical).stages, plan.stages, `${rule} → ${canonical}`);
      assert.equal(canonicalRule(parseRule(canonical)), canonical, rule);
    }
  });
});

describe('imageMogr2: a rule the header accepts runs', () => {
  it('for generated rules on several inputs, the prediction throws or the executor succeeds', async () => {
    const inputs = [
      await gradientJpeg(64, 48),
      await gradientJpeg(3, 97),
      await gradientJpeg(1, 1),
      await animation('gif', 24, 18, 3),
      await animation('webp', 18, 24, 3),
    ];
    sides = [1, 2, 7, 20, 50, 90];
    const failures: string[] = [];
    let ran = 0;
    for (const rule of rules(1414, 150)) {
      const plan = parseRule(rule);
      for (const input of inputs) {
        try {
          predictOutputs(plan, readImageHeader(input)!);
        } catch {
          continue;
        }
        ran++;
        await executePlan(input, plan).catch((error: Error) =>
          failures.push(`${rule} on ${readImageHeader(input)!.format}: ${error.message}`),
        );
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(ran > 100, `only ${ran} rules ran`);
  });
});
