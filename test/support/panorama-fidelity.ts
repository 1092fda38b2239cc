import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RawImage } from '../../functions/core/panorama/projection.ts';
import { buildPanorama } from '../../functions/worker/panorama/tiler.ts';
import { openTileSet, type TileSet } from './tile-set.ts';
import { cubeSampler, equirectangularSampler, psnr, renderView, type View } from './view-renderer.ts';

/** Sub-pixel rays per side for the views rendered from the original: the "truth" every tile set is measured against. */
export const TRUTH_GRID = 2;
export const FIELDS_OF_VIEW = [90, 45, 20];
/** The cube corner shared by f, r and u: 45° east, atan(1/√2) up. */
const CORNER_PITCH = (Math.atan(Math.SQRT1_2) * 180) / Math.PI;

/** Issue 16's places: the six face centres (u and d are the poles), face edges, a corner, and beside each pole. */
export const PLACES: ReadonlyArray<Omit<View, 'hfov'>> = [
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
/** Every place at every field of view: 33 views, widest first. */
export const VIEWS: readonly View[] = FIELDS_OF_VIEW.flatMap((hfov) => PLACES.map((place) => ({ ...place, hfov })));

/**
 * Pannellum's choice, in terms of pixel density: the smallest level whose face has at least as many
 * pixels per unit of the image plane as a viewSize-wide view (viewSize / 2tan(hfov/2)) over the face's
 * half-width of 1; else the largest.
 */
export function levelFor(set: TileSet, hfov: number, viewSize: number): number {
  const needed = viewSize / Math.tan((hfov * Math.PI) / 360);
  for (let level = 1; level < set.maxLevel; level++) if (set.levelSize(level) >= needed) return level;
  return set.maxLevel;
}

/** An image file decoded to 8-bit sRGB without alpha, as the renderer reads it. */
export async function decodeRgb(input: Buffer): Promise<RawImage> {
  const { data, info } = await sharp(input).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

/** Bytes of the files below a tile set's folder but its config.json: the tiles and fallback faces. */
export function tileSetBytes(directory: string): number {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name !== 'config.json')
    .reduce((bytes, entry) => bytes + statSync(join(entry.parentPath, entry.name)).size, 0);
}

/**
 * Tessera's build as the worker runs it at generate.py's default settings (512 px tiles, JPEG q75),
 * tiles kept in memory; `bytes` counts its tiles and fallback faces.
 */
export async function tesseraTiles(input: Buffer): Promise<TileSet & { readonly bytes: number }> {
  const { width = 0, height = 0 } = await sharp(input).metadata();
  const files = new Map<string, Buffer>();
  await buildPanorama(
    input,
    { extension: 'jpg', format: 'jpeg', levelQuality: () => 75, fallbackQuality: 75, maxInputPixels: width * height },
    async ({ path, data }) => void files.set(path, data),
  );
  const set = await openTileSet(async (path) => files.get(path) ?? Promise.reject(new Error(`Tessera wrote no ${path}`)));
  let bytes = 0;
  for (const [path, data] of files) if (path !== 'config.json') bytes += data.length;
  return { ...set, bytes };
}

export interface ViewScore {
  readonly view: View;
  /** Per tile set, by the name it was given: the level the view is rendered from and its PSNR against the truth. */
  readonly sets: ReadonlyMap<string, { readonly level: number; readonly psnr: number }>;
}

/**
 * Renders every view (viewSize×viewSize) from the original equirectangular image (TRUTH_GRID² rays
 * per pixel) and from each tile set (one ray per pixel, the level Pannellum would choose), and scores
 * each set's view by its PSNR against the original's.
 */
export async function scoreViews(
  source: RawImage,
  sets: ReadonlyMap<string, TileSet>,
  viewSize: number,
  views: readonly View[] = VIEWS,
): Promise<ViewScore[]> {
  const truthSampler = equirectangularSampler(source);
  const scores: ViewScore[] = [];
  for (const view of views) {
    const truth = renderView(view, truthSampler, viewSize, TRUTH_GRID);
    const scored = new Map<string, { level: number; psnr: number }>();
    for (const [name, set] of sets) {
      const level = levelFor(set, view.hfov, viewSize);
      scored.set(name, { level, psnr: psnr(renderView(view, cubeSampler(await set.faces(level)), viewSize), truth) });
    }
    scores.push({ view, sets: scored });
  }
  return scores;
}
