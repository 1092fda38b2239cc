import sharp from 'sharp';
import { parseRule } from '../functions/core/imagemogr2/parse.ts';
import { executePlan } from '../functions/worker/imagemogr2.ts';
import { gradientJpeg } from '../test/support/synthetic-images.ts';
import { ms, percentile, verdict, type Row } from './stats.ts';

interface Case {
  readonly rule: string;
  /** The same operations written directly against sharp, as a developer would without Tessera. */
  readonly bare: (input: Buffer) => Promise<Buffer>;
}

const CASES: Case[] = [
  {
    rule: 'imageMogr2/thumbnail/256x',
    bare: (input) => sharp(input).resize({ width: 256 }).keepMetadata().jpeg({ quality: 80 }).toBuffer(),
  },
  {
    rule: 'imageMogr2/thumbnail/256x/strip',
    bare: (input) => sharp(input).resize({ width: 256 }).jpeg({ quality: 80 }).toBuffer(),
  },
  {
    rule: 'imageMogr2/gravity/center/crop/800x800/thumbnail/400x400/format/webp/quality/75',
    bare: (input) =>
      sharp(input)
        .extract({ left: 208, top: 179, width: 800, height: 800 })
        .resize({ width: 400, height: 400 })
        .keepMetadata()
        .webp({ quality: 75 })
        .toBuffer(),
  },
];

/** The imageMogr2 executor against the same sharp pipeline written by hand, alternating, same image. */
export async function benchImageMogr2(rounds = 60): Promise<Row[]> {
  const input = await gradientJpeg(1216, 1158, 80); // ≈ 1.4 MP, like a phone photo scaled down
  const rows: Row[] = [];
  for (const { rule, bare } of CASES) {
    const plan = parseRule(rule);
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let round = 0; round < rounds + 5; round++) {
      let started = performance.now();
      await executePlan(input, plan);
      const oursMs = performance.now() - started;
      started = performance.now();
      await bare(input);
      const theirsMs = performance.now() - started;
      if (round >= 5) {
        ours.push(oursMs);
        theirs.push(theirsMs);
      }
    }
    const ratio = percentile(ours, 50) / percentile(theirs, 50);
    rows.push({
      measure: `${rule}: executor / bare sharp (p50 ${ms(percentile(ours, 50))} / ${ms(percentile(theirs, 50))})`,
      value: ratio.toFixed(2),
      goal: '≤ 1.1',
      verdict: verdict(ratio <= 1.1),
    });
  }
  return rows;
}
