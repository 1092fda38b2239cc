import { readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { findGeneratePy, generatePyTiles } from '../test/support/generate-py.ts';
import { decodeRgb, scoreViews, tesseraTiles } from '../test/support/panorama-fidelity.ts';
import { openTileSet, type TileSet } from '../test/support/tile-set.ts';
import { diagnosticPanoramaInput, panoramaInput } from './panorama-inputs.ts';
import { scratchDirectory } from './scratch-directory.ts';
import { verdict, type Row } from './stats.ts';

const VIEW_SIZE = 512;
const WIDTH = 4096;

const decibels = (value: number) => `${value.toFixed(2)} dB`;

/**
 * PSNR of views rendered from each tile set against the same views rendered from the original
 * equirectangular image, on a photograph-like input and a hard-edged diagnostic one (issue 16, item 1).
 * test/unit/panorama-fidelity.test.ts runs the same check on 2048×1024 inputs.
 */
export async function benchPanoramaFidelity(): Promise<Row[]> {
  const generatePy = findGeneratePy();
  const inputs = [
    { label: `photograph ${WIDTH}×${WIDTH / 2}`, path: await panoramaInput(WIDTH) },
    { label: `diagnostic grid ${WIDTH}×${WIDTH / 2}`, path: await diagnosticPanoramaInput(WIDTH) },
  ];
  const rows: Row[] = [];
  for (const { label, path } of inputs) {
    const input = readFileSync(path);
    const sets = new Map<string, TileSet>([['Tessera', await tesseraTiles(input)]]);
    const directory = 'missing' in generatePy ? undefined : scratchDirectory('fidelity');
    try {
      let failure = 'missing' in generatePy ? `not installed: ${generatePy.missing}` : undefined;
      if (directory && !('missing' in generatePy)) {
        failure = generatePyTiles(generatePy, path, `${directory}/out`)?.failure;
        if (!failure) sets.set('generate.py', await openTileSet((file) => readFile(`${directory}/out/${file}`)));
      }
      const differences: number[] = [];
      for (const { view, sets: scored } of await scoreViews(await decodeRgb(input), sets, VIEW_SIZE)) {
        const ours = scored.get('Tessera')!;
        const theirs = scored.get('generate.py');
        const measure = `${label}: ${view.name}, hfov ${view.hfov}° (level ${ours.level})`;
        if (!theirs) {
          rows.push({ measure, value: `Tessera ${decibels(ours.psnr)}; generate.py ${failure}` });
          continue;
        }
        const difference = ours.psnr - theirs.psnr;
        differences.push(difference);
        rows.push({
          measure,
          value: `Tessera ${decibels(ours.psnr)}, generate.py ${decibels(theirs.psnr)}, Δ ${difference >= 0 ? '+' : ''}${difference.toFixed(2)} dB`,
          goal: 'Δ ≥ 0',
          verdict: verdict(difference >= 0),
        });
      }
      if (differences.length > 0) {
        const worst = Math.min(...differences);
        rows.push({
          measure: `${label}: worst Δ over ${differences.length} views (mean Δ ${(differences.reduce((sum, value) => sum + value, 0) / differences.length).toFixed(2)} dB)`,
          value: `${worst.toFixed(2)} dB`,
          goal: '≥ 0',
          verdict: verdict(worst >= 0),
        });
      }
    } finally {
      if (directory) rmSync(directory, { recursive: true, force: true });
    }
  }
  return rows;
}
