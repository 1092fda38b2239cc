import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { FACES, type Face } from '../../functions/core/panorama/layout.ts';
import { faceDirection, type RawImage } from '../../functions/core/panorama/projection.ts';
import { findGeneratePy, generatePyTiles } from '../support/generate-py.ts';
import { diagnosticPanorama, photographPanorama } from '../support/panorama-images.ts';
import {
  decodeRgb,
  FIELDS_OF_VIEW,
  PLACES,
  scoreViews,
  tesseraTiles,
  tileSetBytes,
  VIEWS,
  type ViewScore,
} from '../support/panorama-fidelity.ts';
import { openTileSet, type TileSet } from '../support/tile-set.ts';
import { equirectangularSampler } from '../support/view-renderer.ts';

/**
 * Issue 16's fidelity check, as bench/panorama-fidelity.ts runs it at 4096×2048 with 512² views, here on
 * 2048×1024 inputs with 256² views: 11 places × hfov 90°, 45°, 20°, each rendered from the original
 * (2×2 rays per pixel) and from a tile set, scored by PSNR. The cube is 648, two levels (324, 648):
 * hfov 90° views read level 1, so level reduction is covered too; 45° and 20° read the full faces.
 */
const WIDTH = 2048;
const VIEW_SIZE = 256;

/**
 * Tessera's PSNR floor per place, [hfov 90°, 45°, 20°], in dB: measured with the bicubic kernel
 * (Keys, a = −0.75; half bilinear at hard edges, which raised the grid's by 0.1–2 dB) and deringed
 * JPEG, minus 0.2 dB, rounded down to 0.1 dB. The bilinear kernel
 * before it scored 0.1–0.6 dB lower on the photograph and up to 2.3 dB higher on the grid at hfov
 * 45°, where the truth, itself rendered bilinearly, favours it; against generate.py it lost on the
 * photograph everywhere. The inputs are the same every run (seeded grain), so a view below its
 * floor is a regression. Raise them as the kernel gets better; never lower them to let a change pass.
 */
const FLOORS: Record<'photograph' | 'diagnostic', Record<string, readonly [number, number, number]>> = {
  photograph: {
    'f centre': [31.0, 36.9, 36.7],
    'r centre': [31.6, 36.5, 36.4],
    'b centre': [32.3, 38.0, 36.1],
    'l centre': [31.6, 36.6, 36.7],
    'u centre (north pole)': [30.1, 31.9, 29.4],
    'd centre (south pole)': [27.0, 25.9, 21.8],
    'f|r edge': [30.6, 38.0, 38.7],
    'f|u edge': [29.6, 37.1, 38.6],
    'f|r|u corner': [29.9, 38.4, 39.5],
    'near north pole': [30.0, 32.5, 30.8],
    'near south pole': [27.0, 26.4, 22.8],
  },
  diagnostic: {
    'f centre': [27.6, 30.5, 29.3],
    'r centre': [27.7, 31.8, 31.6],
    'b centre': [27.7, 30.8, 42.0],
    'l centre': [27.8, 32.0, 40.8],
    'u centre (north pole)': [25.5, 22.4, 17.1],
    'd centre (south pole)': [27.6, 23.7, 19.6],
    'f|r edge': [25.7, 34.1, 35.3],
    'f|u edge': [23.8, 27.8, 25.9],
    'f|r|u corner': [23.2, 32.5, 33.3],
    'near north pole': [24.9, 22.1, 16.1],
    'near south pole': [25.8, 23.5, 20.4],
  },
};

/**
 * How far below generate.py a single view may score. With the same interpolator (Keys a = −0.75, as
 * nona's poly3) and the same JPEG quantisation, the faces match nona's to ~70 dB, and what is left is
 * rounding carried through JPEG: faces computed in exact double precision scatter by ±0.06 dB around
 * generate.py's on these views, and generate.py's own score moves by 0.01 dB between runs. Over
 * all views Tessera must be ahead on average.
 */
const ENCODING_NOISE_DB = 0.06;

/**
 * How far below generate.py a view may score, per input. On the grid's hard edges Tessera's kernel
 * differs from nona's (half bilinear there), and is ahead on every view by 0.09 dB or more; on the
 * photograph the two kernels are the same and the faces agree to rounding.
 */
const BEHIND_AT_MOST: Record<keyof typeof FLOORS, number> = { photograph: ENCODING_NOISE_DB, diagnostic: 0 };

const dB = (value: number) => value.toFixed(2).padStart(6);
const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
const viewName = (score: ViewScore) => `${score.view.name}, hfov ${score.view.hfov}°`;
const floorOf = (input: keyof typeof FLOORS, score: ViewScore) =>
  FLOORS[input][score.view.name]?.[FIELDS_OF_VIEW.indexOf(score.view.hfov)] ?? Number.POSITIVE_INFINITY;

/**
 * A deliberately broken build: each face sampled at its pixels' corners instead of their centres
 * (half a face pixel off, the classic slip), bilinear from the original, then JPEG q75 like the real
 * tiles, at the same level sizes as `like`. The floors must reject it, or they would not catch a regression.
 */
function misregisteredSet(source: RawImage, like: TileSet): TileSet {
  const sample = equirectangularSampler(source);
  const face = async (name: Face, size: number): Promise<RawImage> => {
    const out = new Float64Array(size * size * 3);
    for (let row = 0; row < size; row++) {
      for (let column = 0; column < size; column++) {
        const [x, y, z] = faceDirection(name, (2 * column) / size - 1, (2 * row) / size - 1);
        sample(x, y, z, 1, out, (row * size + column) * 3);
      }
    }
    const pixels = Uint8Array.from(out, (value) => Math.round(value));
    return decodeRgb(
      await sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
        .jpeg({ quality: 75 })
        .toBuffer(),
    );
  };
  const cache = new Map<number, Promise<ReadonlyMap<Face, RawImage>>>();
  return {
    maxLevel: like.maxLevel,
    levelSize: like.levelSize,
    faces(level) {
      let faces = cache.get(level);
      if (!faces) {
        faces = Promise.all(FACES.map(async (name) => [name, await face(name, like.levelSize(level))] as const)).then(
          (entries) => new Map(entries),
        );
        cache.set(level, faces);
      }
      return faces;
    },
  };
}

const INPUTS = [
  { input: 'photograph', label: `photograph ${WIDTH}×${WIDTH / 2} (JPEG)`, make: photographPanorama, extension: 'jpg' },
  { input: 'diagnostic', label: `diagnostic grid with labels ${WIDTH}×${WIDTH / 2} (PNG)`, make: diagnosticPanorama, extension: 'png' },
] as const;

const generatePy = findGeneratePy();

/** One line per view that fails, or nothing: an assertion message that names every failing view and its numbers. */
function noneFail(failures: readonly string[], what: string): void {
  assert.ok(failures.length === 0, `${what} on ${failures.length} of ${VIEWS.length} views:\n  ${failures.join('\n  ')}`);
}

for (const { input, label, make, extension } of INPUTS) {
  describe(`panorama fidelity: ${label}`, () => {
    let scores: ViewScore[];
    /** Why generate.py's set is missing (not installed, or it failed), when it is. */
    let generatePyMissing: string | undefined;
    let directory: string | undefined;
    /** The tiles' and fallback faces' bytes of each set. */
    const bytes = new Map<string, number>();
    after(() => directory && rmSync(directory, { recursive: true, force: true }));
    const psnrOf = (score: ViewScore, set: string) => score.sets.get(set)!.psnr;

    before(async () => {
      const image = await make(WIDTH);
      const source = await decodeRgb(image);
      const tessera = await tesseraTiles(image);
      bytes.set('Tessera', tessera.bytes);
      const sets = new Map<string, TileSet>([
        ['Tessera', tessera],
        ['misregistered', misregisteredSet(source, tessera)],
      ]);
      if ('missing' in generatePy) {
        generatePyMissing = `generate.py is not installed (missing ${generatePy.missing}): Tessera is not compared with it`;
      } else {
        directory = mkdtempSync(join(tmpdir(), 'tessera-fidelity-'));
        const [path, output] = [join(directory, `input.${extension}`), join(directory, 'out')];
        writeFileSync(path, image);
        const failed = generatePyTiles(generatePy, path, output);
        if (failed) generatePyMissing = `generate.py is installed but ${failed.failure}`;
        else {
          sets.set('generate.py', await openTileSet((file) => readFile(join(output, file))));
          bytes.set('generate.py', tileSetBytes(output));
        }
      }
      scores = await scoreViews(source, sets, VIEW_SIZE);
    });

    it('writes a set no larger than generate.py at the same JPEG quality', (t) => {
      const theirs = bytes.get('generate.py');
      if (theirs === undefined) return t.skip(generatePyMissing);
      const ours = bytes.get('Tessera')!;
      t.diagnostic(`Tessera ${ours} bytes, generate.py ${theirs} (${((100 * ours) / theirs).toFixed(1)}%)`);
      assert.ok(ours <= theirs, `Tessera wrote ${ours} bytes, generate.py ${theirs}`);
    });

    it('holds its PSNR floor on every view', (t) => {
      t.diagnostic(`${VIEWS.length} views of ${VIEW_SIZE}², PSNR in dB against the same view of the original; Δ = Tessera − generate.py`);
      t.diagnostic(`${'view'.padEnd(34)} level  floor  Tessera  misregistered${generatePyMissing ? '' : '  generate.py      Δ'}`);
      for (const score of scores) {
        const theirs = score.sets.get('generate.py');
        t.diagnostic(
          `${viewName(score).padEnd(34)} ${String(score.sets.get('Tessera')!.level).padStart(5)}  ${floorOf(input, score).toFixed(1).padStart(5)}` +
            `   ${dB(psnrOf(score, 'Tessera'))}         ${dB(psnrOf(score, 'misregistered'))}` +
            (theirs ? `       ${dB(theirs.psnr)}  ${signed(psnrOf(score, 'Tessera') - theirs.psnr).padStart(5)}` : ''),
        );
      }
      if (generatePyMissing) t.diagnostic(generatePyMissing);
      assert.deepEqual(
        Object.keys(FLOORS[input]),
        PLACES.map((place) => place.name),
        'a floor for every place',
      );
      noneFail(
        scores
          .filter((score) => psnrOf(score, 'Tessera') < floorOf(input, score))
          .map((score) => `${viewName(score)}: ${psnrOf(score, 'Tessera').toFixed(2)} dB < floor ${floorOf(input, score).toFixed(1)} dB`),
        'Tessera is below its floor',
      );
    });

    it('beats a build half a face pixel off on every view, and its floors reject that build on every view', (t) => {
      const margins = scores.map((score) => psnrOf(score, 'Tessera') - psnrOf(score, 'misregistered'));
      const underFloor = scores.map((score) => floorOf(input, score) - psnrOf(score, 'misregistered'));
      t.diagnostic(
        `the misregistered build is ${Math.min(...margins).toFixed(2)}–${Math.max(...margins).toFixed(2)} dB below Tessera, ` +
          `${Math.min(...underFloor).toFixed(2)}–${Math.max(...underFloor).toFixed(2)} dB below the floors`,
      );
      noneFail(
        scores
          .filter((score) => psnrOf(score, 'Tessera') <= psnrOf(score, 'misregistered'))
          .map((score) => `${viewName(score)}: ${psnrOf(score, 'Tessera').toFixed(2)} ≤ ${psnrOf(score, 'misregistered').toFixed(2)} dB`),
        'the misregistered build scores as well as Tessera',
      );
      noneFail(
        scores
          .filter((score) => psnrOf(score, 'misregistered') >= floorOf(input, score))
          .map(
            (score) => `${viewName(score)}: ${psnrOf(score, 'misregistered').toFixed(2)} ≥ floor ${floorOf(input, score).toFixed(1)} dB`,
          ),
        'the floors let the misregistered build pass',
      );
    });

    it('is at least as good as generate.py: ahead on average, and no view below it by more than its input allows (issue 16)', (t) => {
      if (generatePyMissing) {
        // Not installed (as on CI): said so, and nothing to compare. Installed but failing: a failure.
        assert.ok('missing' in generatePy, generatePyMissing);
        t.diagnostic(generatePyMissing);
        return;
      }
      const differences = scores.map((score) => psnrOf(score, 'Tessera') - psnrOf(score, 'generate.py'));
      const worst = differences.indexOf(Math.min(...differences));
      t.diagnostic(
        `Δ = Tessera − generate.py: worst ${signed(differences[worst]!)} dB (${viewName(scores[worst]!)}), ` +
          `mean ${signed(differences.reduce((sum, value) => sum + value, 0) / differences.length)} dB, ` +
          `≥ 0 on ${differences.filter((value) => value >= 0).length} of ${differences.length} views (every Δ is in the table above)`,
      );
      noneFail(
        scores
          .map((score, index) => ({ score, difference: differences[index]! }))
          .filter(({ difference }) => difference < -BEHIND_AT_MOST[input])
          .map(({ score, difference }) => `${viewName(score)}: Δ ${signed(difference)} dB`),
        `Tessera is more than ${BEHIND_AT_MOST[input]} dB below generate.py`,
      );
      assert.ok(differences.reduce((sum, value) => sum + value, 0) >= 0, 'Tessera is behind generate.py on average');
    });
  });
}
