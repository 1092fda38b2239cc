import { invalidInput } from '../errors.ts';

/** Pannellum's cube faces, in generate.py's order. */
export const FACES = ['f', 'b', 'u', 'd', 'l', 'r'] as const;
export type Face = (typeof FACES)[number];

export interface Level {
  /** 1 is the smallest; the folder is the number padded to two digits ("01"). */
  readonly level: number;
  readonly size: number;
  readonly tilesPerSide: number;
}

export interface PanoramaLayout {
  readonly cubeSize: number;
  readonly tileSize: number;
  readonly fallbackSize: number;
  readonly levels: readonly Level[];
}

/** Folders "01"…"09": Pannellum's path "/0%l/…" reaches them, which holds for up to 9 levels. */
export const MAX_LEVELS = 9;

/**
 * Sizes as Pannellum's generate.py computes them for a full (360°×180°) equirectangular input:
 * cube = width/π floored to a multiple of 8; levels = ceil(log2(cube/tile)) + 1, one fewer in its
 * edge case; each lower level half the one above (floored); tiles per side = ceil(size/tile).
 */
export function panoramaLayout(width: number, height: number, options: { tileSize?: number; fallbackSize?: number } = {}): PanoramaLayout {
  if (width !== height * 2) throw invalidInput(`an equirectangular panorama is 2:1; this image is ${width}x${height}`);
  const cubeSize = 8 * Math.floor(width / Math.PI / 8);
  if (cubeSize < 8) throw invalidInput(`the panorama is too small (${width}x${height})`);
  const tileSize = Math.min(options.tileSize ?? 512, cubeSize);
  let count = Math.ceil(Math.log2(cubeSize / tileSize)) + 1;
  if (count > 1 && Math.floor(cubeSize / 2 ** (count - 2)) === tileSize) count -= 1;
  if (count > MAX_LEVELS) throw invalidInput(`the panorama would need ${count} levels; at most ${MAX_LEVELS} are supported`);
  const levels: Level[] = [];
  let size = cubeSize;
  for (let level = count; level >= 1; level--) {
    levels.unshift({ level, size, tilesPerSide: Math.ceil(size / tileSize) });
    size = Math.floor(size / 2);
  }
  return { cubeSize, tileSize, fallbackSize: options.fallbackSize ?? 1024, levels };
}

/** A reduction of a face: the image step `from` made (−1: the full face), shrunk to `size`. */
export interface Reduction {
  readonly from: number;
  readonly size: number;
}

/**
 * How a face's smaller images are made, each shrunk from a larger one: the levels below the full
 * size cascaded, each from the one above (as generate.py does), largest first, so step i makes
 * `levels[i]`; then the fallback face from the smallest level at least its size (generate.py
 * shrinks the full face: the same filter on a quarter of the pixels or fewer). With no such level
 * (a cube smaller than the fallback) there is no fallback step: it is enlarged from the full face.
 */
export function faceReductions(layout: PanoramaLayout): {
  readonly steps: readonly Reduction[];
  readonly levels: readonly Level[];
  readonly fallbackStep?: number;
} {
  const levels = layout.levels.filter((level) => level.size < layout.cubeSize).reverse();
  const steps: Reduction[] = levels.map((level, index) => ({ from: index - 1, size: level.size }));
  const source = layout.levels.find((level) => level.size >= layout.fallbackSize);
  if (!source) return { steps, levels };
  steps.push({ from: levels.indexOf(source), size: layout.fallbackSize });
  return { steps, levels, fallbackStep: steps.length - 1 };
}

export const levelFolder = (level: number) => String(level).padStart(2, '0');

export const tilePath = (level: number, face: Face, row: number, column: number, extension: string) =>
  `${levelFolder(level)}/${face}${row}_${column}.${extension}`;

export const fallbackPath = (face: Face, extension: string) => `fallback/${face}.${extension}`;

/** Every file a build writes, relative to the panorama's folder, config.json last. */
export function outputFiles(layout: PanoramaLayout, extension: string): string[] {
  const files: string[] = [];
  for (const { level, tilesPerSide } of layout.levels) {
    for (const face of FACES) {
      for (let row = 0; row < tilesPerSide; row++) {
        for (let column = 0; column < tilesPerSide; column++) files.push(tilePath(level, face, row, column, extension));
      }
    }
  }
  for (const face of FACES) files.push(fallbackPath(face, extension));
  files.push('config.json');
  return files;
}

/**
 * The config.json Pannellum's multires viewer loads as it is (basePath = the folder it is in).
 * autoLoad: the viewer page opens on the panorama itself, not on a "Click to Load" button.
 */
export function pannellumConfig(layout: PanoramaLayout, extension: string): Record<string, unknown> {
  return {
    autoLoad: true,
    hfov: 100,
    type: 'multires',
    multiRes: {
      path: '/0%l/%s%y_%x',
      fallbackPath: '/fallback/%s',
      extension,
      tileResolution: layout.tileSize,
      maxLevel: layout.levels.length,
      cubeResolution: layout.cubeSize,
    },
  };
}
