import { readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { findGeneratePy, generatePyTiles } from '../test/support/generate-py.ts';
import { decodeRgb, scoreViews, tesseraTiles, tileSetBytes } from '../test/support/panorama-fidelity.ts';
import { openTileSet, type TileSet } from '../test/support/tile-set.ts';
import { diagnosticPanoramaInput, panoramaInput } from './panorama-inputs.ts';
import { scratchDirectory } from './scratch-directory.ts';
import { verdict, type Row } from './stats.ts';

const VIEW_SIZE = 512;
const WIDTH = 4096;

const decibels = (value: number) => `${value.toFixed(2)} dB`;
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

/**
 * PSNR of views rendered from each tile set against the same views rendered from the original
 * equirectangular image, on a photograph-like input and a hard-edged diagnostic one (issue 16, item 1),
 * and the two sets' sizes.
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
    const tessera = await tesseraTiles(input);
    const sets = new Map<string, TileSet>([['Tessera', tessera]]);
    const directory = 'missing' in generatePy ? undefined : scratchDirectory('fidelity');
    try {
      let failure = 'missing' in generatePy ? `not installed: ${generatePy.missing}` : undefined;
      if (directory && !('missing' in generatePy)) {
        failure = generatePyTiles(generatePy, path, `${directory}/out`)?.failure;
        if (!failure) sets.set('generate.py', await openTileSet((file) => readFile(`${directory}/out/${file}`)));
      }
      const theirBytes = directory && !failure ? tileSetBytes(`${directory}/out`) : undefined;
      rows.push({
        measure: `${label}: tile set size (tiles and fallback faces, JPEG q75)`,
        value:
          theirBytes === undefined
            ? `Tessera ${megabytes(tessera.bytes)}; generate.py ${failure}`
            : `Tessera ${megabytes(tessera.bytes)}, generate.py ${megabytes(theirBytes)} (${((100 * tessera.bytes) / theirBytes).toFixed(0)}%)`,
        ...(theirBytes === undefined ? {} : { goal: '≤ generate.py', verdict: verdict(tessera.bytes <= theirBytes) }),
      });
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
