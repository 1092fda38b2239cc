import { readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { RawImage } from '../functions/core/panorama/projection.ts';
import { buildPanorama } from '../functions/worker/panorama/tiler.ts';
import { diagnosticPanorama } from './diagnostic-panorama.ts';
import { findGeneratePy } from './generate-py.ts';
import { generatePyTiles } from './generate-py-tiles.ts';
import { panoramaInput } from './panorama-inputs.ts';
import { verdict, type Row } from './stats.ts';
import { openTileSet, type TileSet } from './tile-set.ts';
import { cubeSampler, equirectangularSampler, psnr, renderView, type View } from './view-renderer.ts';

const VIEW_SIZE = 512;
const WIDTH = 4096;
/** Sub-pixel rays per side for the views rendered from the original: the "truth" both tile sets are measured against. */
const TRUTH_GRID = 2;
const FIELDS_OF_VIEW = [90, 45, 20];
/** The cube corner shared by f, r and u: 45° east, atan(1/√2) up. */
const CORNER_PITCH = (Math.atan(Math.SQRT1_2) * 180) / Math.PI;

const PLACES: ReadonlyArray<Omit<View, 'hfov'>> = [
  { name: 'f centre', yaw: 0, pitch: 0 },
  { name: 'r centre', yaw: 90, pitch: 0 },
  { name: 'b centre', yaw: 180, pitch: 0 },
  { name: 'l centre', yaw: -90, pitch: 0 },
  { name: 'u centre (north pole)', yaw: 0, pitch: 90 },
  { name: 'd centre (south pole)', yaw: 0, pitch: -90 },
  { name: 'f|r edge', yaw: 45, pitch: 0 },
  { name: 'f|u edge', yaw: 0, pitch: 45 },
  { name: 'f|r|u corner', yaw: 45, pitch: CORNER_PITCH },
  // Beside the poles, where the equirectangular rows are shortest and meridian artefacts were seen (issue 16).
  { name: 'near north pole', yaw: 30, pitch: 78 },
  { name: 'near south pole', yaw: -150, pitch: -78 },
];
const VIEWS: View[] = FIELDS_OF_VIEW.flatMap((hfov) => PLACES.map((place) => ({ ...place, hfov })));

/**
 * Pannellum's choice, in terms of pixel density: the smallest level whose face has at least as many
 * pixels per unit of the image plane as the view (VIEW_SIZE / 2tan(hfov/2)) over the face's half-width of 1; else the largest.
 */
function levelFor(set: TileSet, hfov: number): number {
  const needed = VIEW_SIZE / Math.tan((hfov * Math.PI) / 360);
  for (let level = 1; level < set.maxLevel; level++) if (set.levelSize(level) >= needed) return level;
  return set.maxLevel;
}

async function renderFromTiles(set: TileSet, view: View): Promise<Float64Array> {
  return renderView(view, cubeSampler(await set.faces(levelFor(set, view.hfov))), VIEW_SIZE);
}

/** Tessera's build as the worker runs it at generate.py's default quality, tiles kept in memory. */
async function tesseraTiles(input: Buffer, width: number, height: number): Promise<TileSet> {
  const files = new Map<string, Buffer>();
  await buildPanorama(
    input,
    { extension: 'jpg', format: 'jpeg', levelQuality: () => 75, fallbackQuality: 75, maxInputPixels: width * height },
    async ({ path, data }) => void files.set(path, data),
  );
  return openTileSet(async (path) => files.get(path) ?? Promise.reject(new Error(`Tessera wrote no ${path}`)));
}

const decibels = (value: number) => `${value.toFixed(2)} dB`;

/**
 * PSNR of views rendered from each tile set against the same views rendered from the original
 * equirectangular image, on a photograph-like input and a hard-edged diagnostic one (issue 16, item 1).
 */
export async function benchPanoramaFidelity(): Promise<Row[]> {
  const generatePy = findGeneratePy();
  const inputs = [
    { label: `photograph ${WIDTH}×${WIDTH / 2}`, path: await panoramaInput(WIDTH) },
    { label: `diagnostic grid ${WIDTH}×${WIDTH / 2}`, path: await diagnosticPanorama(WIDTH) },
  ];
  const rows: Row[] = [];
  for (const { label, path } of inputs) {
    const input = readFileSync(path);
    const decoded = await sharp(input).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const source: RawImage = { data: decoded.data, width: decoded.info.width, height: decoded.info.height, channels: 3 };
    const truthSampler = equirectangularSampler(source);
    const tessera = await tesseraTiles(input, source.width, source.height);
    const generated = 'missing' in generatePy ? { failure: `not installed: ${generatePy.missing}` } : generatePyTiles(generatePy, path);
    try {
      const reference = 'failure' in generated ? undefined : await openTileSet((file) => readFile(`${generated.output}/${file}`));
      const differences: number[] = [];
      for (const view of VIEWS) {
        const truth = renderView(view, truthSampler, VIEW_SIZE, TRUTH_GRID);
        const ours = psnr(await renderFromTiles(tessera, view), truth);
        const theirs = reference && psnr(await renderFromTiles(reference, view), truth);
        const measure = `${label}: ${view.name}, hfov ${view.hfov}° (level ${levelFor(tessera, view.hfov)})`;
        if (theirs === undefined || 'failure' in generated) {
          rows.push({ measure, value: `Tessera ${decibels(ours)}; generate.py ${'failure' in generated ? generated.failure : ''}` });
          continue;
        }
        differences.push(ours - theirs);
        rows.push({
          measure,
          value: `Tessera ${decibels(ours)}, generate.py ${decibels(theirs)}, Δ ${ours >= theirs ? '+' : ''}${(ours - theirs).toFixed(2)} dB`,
          goal: 'Δ ≥ 0',
          verdict: verdict(ours >= theirs),
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
      if (!('failure' in generated)) rmSync(generated.directory, { recursive: true, force: true });
    }
  }
  return rows;
}
