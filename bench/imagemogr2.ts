import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import sharp, { type Sharp } from 'sharp';
import { parseRule } from '../functions/core/imagemogr2/parse.ts';
import { executePlan } from '../functions/worker/imagemogr2.ts';
import { AVIF_SPEED } from '../functions/worker/encode.ts';
import { gradientJpeg } from '../test/support/synthetic-images.ts';
import { alternate, type Contender, type Outcome, type Pace } from './alternate.ts';
import { findImageMagick, type ImageMagick } from './imagemagick.ts';
import { panoramaInput } from './panorama-inputs.ts';
import { scratchDirectory } from './scratch-directory.ts';
import { ms, percentile, verdict, type Row } from './stats.ts';

/** 4896×2448 ≈ 12 MP: the panorama bench's procedural photo (colour waves under grain), cached in .bench/. */
const PHOTO = { width: 4896, height: 2448 };
const PHOTO_PACE: Pace = { budgetMs: 20_000, minRounds: 3, maxRounds: 15 };
const SMALL_PACE: Pace = { budgetMs: 5_000, minRounds: 3, maxRounds: 60 };
/** The watermark: a 400×200 PNG with soft edges and half-transparent parts, as logos are. */
const LOGO = { width: 400, height: 200, name: 'bench/logo.png' };
const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="${LOGO.width}" height="${LOGO.height}">
  <rect x="8" y="8" width="384" height="184" rx="32" fill="#ffffff" fill-opacity="0.6" stroke="#1d4ed8" stroke-width="8"/>
  <circle cx="100" cy="100" r="60" fill="#1d4ed8" fill-opacity="0.8"/>
</svg>`;

type Format = 'jpeg' | 'webp' | 'avif';

interface SmallCase {
  readonly rule: string;
  /** The same operations written directly against sharp, as a developer would without Tessera. */
  readonly bare: (input: Buffer) => Promise<Buffer>;
}

const SMALL_CASES: SmallCase[] = [
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

/** One operation family on the 12 MP photo, written three ways with the same settings. */
interface Family {
  readonly name: string;
  readonly rule: string;
  /** Tessera: the rule through the worker's executor. */
  readonly executor: (input: Buffer) => Promise<unknown>;
  /** The same operation written directly against sharp, as a developer would without Tessera. */
  readonly bare: (input: Buffer) => Promise<unknown>;
  /** ImageMagick's arguments for the input file and an output file in `format`. */
  readonly magick: (input: string, output: string) => string[];
  readonly format: Format;
}

/** What an imageMogr2 family is made of; the output format, `strip` and a forced quality are added to all three. */
interface MogrFamily {
  readonly operation?: string;
  readonly sharp?: (image: Sharp) => Sharp;
  readonly magick?: readonly string[];
  /** ImageMagick's settings before it reads the input (jpeg:size, its shrink-on-load). */
  readonly magickRead?: readonly string[];
  readonly format: Format;
  readonly quality: number;
}

function mogr(name: string, family: MogrFamily): Family {
  const { operation, format, quality } = family;
  const rule = ['imageMogr2', operation, `format/${format}/strip/quality/${quality}!`].filter(Boolean).join('/');
  const plan = parseRule(rule);
  return {
    name,
    rule,
    format,
    executor: (input) => executePlan(input, plan),
    bare: (input) =>
      (family.sharp ?? ((image) => image))(sharp(input))
        .toFormat(format, { quality, ...(format === 'avif' ? AVIF_SPEED : {}) })
        .toBuffer(),
    magick: (input, output) => [
      ...(family.magickRead ?? []),
      input,
      ...(family.magick ?? []),
      '-strip',
      '-quality',
      String(quality),
      output,
    ],
  };
}

const WATERMARK_RULE = `watermark/1/image/${Buffer.from(LOGO.name).toString('base64url')}/gravity/southeast/dx/10/dy/10`;

/** Tessera's watermark processor, reading the logo as the worker reads a client's object. */
const executorWatermark = (input: Buffer, logo: Buffer) => executePlan(input, parseRule(WATERMARK_RULE), { readObject: async () => logo });

function families(logo: { png: Buffer; path: string }): Family[] {
  const photoCentre = (width: number, height: number) => ({
    left: (PHOTO.width - width) / 2,
    top: (PHOTO.height - height) / 2,
    width,
    height,
  });
  return [
    mogr('resize', {
      operation: 'thumbnail/1280x',
      sharp: (image) => image.resize({ width: 1280 }),
      // sharp decodes a JPEG at 1/2 (or less) before resizing by itself; ImageMagick needs the hint.
      magickRead: ['-define', 'jpeg:size=1280x640'],
      magick: ['-resize', '1280x'],
      format: 'jpeg',
      quality: 85,
    }),
    mogr('crop', {
      operation: 'gravity/center/crop/2000x1500',
      sharp: (image) => image.extract(photoCentre(2000, 1500)),
      magick: ['-gravity', 'center', '-crop', '2000x1500+0+0', '+repage'],
      format: 'jpeg',
      quality: 85,
    }),
    mogr('rotate', { operation: 'rotate/90', sharp: (image) => image.rotate(90), magick: ['-rotate', '90'], format: 'jpeg', quality: 85 }),
    mogr('blur', { operation: 'blur/15x5', sharp: (image) => image.blur(5), magick: ['-blur', '15x5'], format: 'jpeg', quality: 85 }),
    mogr('sharpen', {
      operation: 'sharpen/150',
      sharp: (image) => image.sharpen({ sigma: 1.5 }),
      magick: ['-sharpen', '0x1.5'],
      format: 'jpeg',
      quality: 85,
    }),
    mogr('format to webp', { format: 'webp', quality: 75 }),
    mogr('format to avif', { format: 'avif', quality: 50 }),
    {
      name: 'watermark',
      rule: WATERMARK_RULE,
      format: 'jpeg',
      executor: (input) => executorWatermark(input, logo.png),
      // q90 is the photo's own quality, which Tessera writes where a rule sets none.
      bare: (input) =>
        sharp(input)
          .composite([{ input: logo.png, left: PHOTO.width - LOGO.width - 10, top: PHOTO.height - LOGO.height - 10 }])
          .jpeg({ quality: 90 })
          .toBuffer(),
      magick: (input, output) => [
        input,
        logo.path,
        '-gravity',
        'southeast',
        '-geometry',
        '+10+10',
        '-composite',
        '-strip',
        '-quality',
        '90',
        output,
      ],
    },
  ];
}

interface Peers {
  readonly input: Buffer;
  readonly inputPath: string;
  readonly directory: string;
  readonly magick: ImageMagick | undefined;
}

/** A contender's p50 in ms, or why there is none. */
const p50 = (outcome: Outcome | undefined, missing: string): number | string =>
  !outcome ? missing : 'samples' in outcome ? percentile(outcome.samples, 50) : outcome.failure;

/** The three contenders on one family, alternating; a missing peer or executor is said so in place of its number. */
async function benchFamily(family: Family, { input, inputPath, directory, magick }: Peers): Promise<Row[]> {
  const magickMissing = !magick ? 'not installed' : magick.writes(family.format) ? '' : `ImageMagick lacks the ${family.format} delegate`;
  const output = `${family.format}:${directory}/out.${family.format}`;
  const contenders: Contender[] = [() => family.executor(input), () => family.bare(input)];
  if (magick && !magickMissing) contenders.push(() => magick.run(family.magick(inputPath, output)));
  const { outcomes, rounds } = await alternate(contenders, PHOTO_PACE);
  const [ours, bare, theirs] = [p50(outcomes[0], ''), p50(outcomes[1], ''), p50(outcomes[2], magickMissing)];
  const label = `12 MP ${family.name}`;
  const ratio = (versus: string, other: number | string, goal: string, meets: (ratio: number) => boolean): Row => {
    const measure = `${label}: executor / ${versus}`;
    if (typeof ours === 'string') return { measure, value: `executor: ${ours}`, goal };
    if (typeof other === 'string') return { measure, value: other, goal };
    return { measure, value: (ours / other).toFixed(2), goal, verdict: verdict(meets(ours / other)) };
  };
  return [
    {
      measure: `${label} (${family.rule}): p50 executor / bare sharp / ImageMagick, ${rounds} rounds`,
      value: [ours, bare, theirs].map((value) => (typeof value === 'number' ? ms(value) : '—')).join(' / '),
    },
    ratio('bare sharp', bare, '≤ 1.1', (value) => value <= 1.1),
    ratio('ImageMagick', theirs, '< 1', (value) => value < 1),
  ];
}

/** Tessera's executor, the same sharp pipeline by hand and ImageMagick's convert on a 12 MP photo, per operation family. */
async function benchPhoto(): Promise<Row[]> {
  const directory = scratchDirectory('imagemogr2');
  try {
    const path = await panoramaInput(PHOTO.width);
    const inputPath = `${directory}/photo.jpg`;
    copyFileSync(path, inputPath);
    const logo = { png: await sharp(Buffer.from(LOGO_SVG)).png().toBuffer(), path: `${directory}/logo.png` };
    writeFileSync(logo.path, logo.png);
    const peers: Peers = { input: readFileSync(path), inputPath, directory, magick: await findImageMagick(directory) };
    const rows: Row[] = [
      {
        measure: 'sharp (executor and bare)',
        value: `sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), libvips threads per image: ${sharp.concurrency()}`,
      },
      { measure: 'ImageMagick', value: peers.magick ? `${peers.magick.version}, ${peers.magick.threads} OpenMP threads` : 'not installed' },
    ];
    for (const family of families(logo)) rows.push(...(await benchFamily(family, peers)));
    return rows;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The executor against the same sharp pipeline by hand on a 1.4 MP JPEG, where its own overhead weighs most. */
async function benchSmall(): Promise<Row[]> {
  const input = await gradientJpeg(1216, 1158, 80); // ≈ 1.4 MP, like a phone photo scaled down
  const rows: Row[] = [];
  for (const { rule, bare } of SMALL_CASES) {
    const plan = parseRule(rule);
    const { outcomes, rounds } = await alternate([() => executePlan(input, plan), () => bare(input)], SMALL_PACE);
    const [ours, theirs] = outcomes.map((outcome) => {
      if ('failure' in outcome) throw new Error(`${rule}: ${outcome.failure}`);
      return percentile(outcome.samples, 50);
    }) as [number, number];
    rows.push({
      measure: `1.4 MP ${rule}: executor / bare sharp (p50 ${ms(ours)} / ${ms(theirs)}, ${rounds} rounds)`,
      value: (ours / theirs).toFixed(2),
      goal: '≤ 1.1',
      verdict: verdict(ours / theirs <= 1.1),
    });
  }
  return rows;
}

export async function benchImageMogr2(): Promise<Row[]> {
  return [...(await benchSmall()), ...(await benchPhoto())];
}
