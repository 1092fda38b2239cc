import { setImmediate as yieldToEvents } from 'node:timers/promises';
import sharp, { type Sharp } from 'sharp';
import { invalidInput } from '../../core/errors.ts';
import { FACES, fallbackPath, pannellumConfig, panoramaLayout, tilePath, type Face, type PanoramaLayout } from '../../core/panorama/layout.ts';
import { checkPanoramaHeader, type TileFormat } from '../../core/panorama/submission.ts';
import { createCubeSampler, type CubeSampler } from './cube-sampler.ts';

export interface TileFile {
  readonly path: string;
  readonly data: Buffer;
}

export interface TilerOptions {
  /** Written into file names and config.json as given (the original's, e.g. "JPG"). */
  readonly extension: string;
  readonly format: TileFormat;
  /** Quality per level number (1 = smallest). */
  readonly levelQuality: (level: number) => number;
  readonly fallbackQuality: number;
  /** Inputs with more pixels fail before they are decoded. */
  readonly maxInputPixels: number;
  readonly tileSize?: number;
  readonly fallbackSize?: number;
  /** Called with the fraction done (0–1) as faces finish. */
  readonly onProgress?: (fraction: number) => void | Promise<void>;
}

/** Rows rendered between looks at the event loop, so finished encodes hand sharp new work promptly. */
const ROWS_PER_SLICE = 256;
/** Faces whose tiles may be encoding while the next face is projected: bounds memory to a few faces. */
const FACES_IN_FLIGHT = 2;

function encode(image: Sharp, format: TileFormat, quality: number): Promise<Buffer> {
  if (format === 'png') return image.png().toBuffer();
  if (format === 'webp') return image.webp({ quality }).toBuffer();
  return image.jpeg({ quality }).toBuffer();
}

interface SquareImage {
  readonly data: Buffer;
  readonly size: number;
}

const rawInput = (face: SquareImage) => ({ raw: { width: face.size, height: face.size, channels: 3 as const } });

/**
 * Reads the header and checks the input before anything is decoded: a JPEG, PNG or WebP within
 * the pixel limit, 2:1. A decompression bomb or a wrong aspect costs a header read, not a decode.
 */
async function inspect(input: Buffer, options: TilerOptions): Promise<{ width: number; height: number }> {
  let metadata;
  try {
    metadata = await sharp(input).metadata();
  } catch {
    throw invalidInput('the file is not an image this service can read (JPEG, PNG or WebP expected)');
  }
  const { width, height, format } = metadata;
  checkPanoramaHeader({ width, height, type: format === 'jpeg' ? 'jpg' : format }, options.maxInputPixels);
  return { width, height };
}

/**
 * Builds a Pannellum multires set from an equirectangular image held in memory. The sample
 * tables are computed while libvips decodes; the six faces are projected one after another on the
 * WebAssembly kernel while sharp (on libuv threads) shrinks and encodes the faces already done.
 */
export async function buildPanorama(input: Buffer, options: TilerOptions, emit: (file: TileFile) => Promise<void>): Promise<PanoramaLayout> {
  const { width, height } = await inspect(input, options);
  const layout = panoramaLayout(width, height, { tileSize: options.tileSize, fallbackSize: options.fallbackSize });
  const sampler = await decodeIntoSampler(input, layout.cubeSize, width, height, options.maxInputPixels);
  const inFlight: Array<Promise<void>> = [];
  let facesDone = 0;
  for (const face of FACES) {
    const pixels = await renderFace(sampler, face);
    inFlight.push(
      tileFace(pixels, face, layout, options, emit).then(async () => {
        facesDone += 1;
        await options.onProgress?.(facesDone / FACES.length);
      }),
    );
    if (inFlight.length >= FACES_IN_FLIGHT) await inFlight.shift();
  }
  await Promise.all(inFlight);
  await emit({ path: 'config.json', data: Buffer.from(JSON.stringify(pannellumConfig(layout, options.extension), null, 2)) });
  return layout;
}

/**
 * Decodes to RGB while the sample tables are built on this thread, then copies the pixels into
 * the kernel's memory. The decoded buffer lives only in this frame, so it can be freed as soon as
 * the copy is done rather than sit beside the faces for the whole build.
 */
async function decodeIntoSampler(input: Buffer, cubeSize: number, width: number, height: number, maxInputPixels: number): Promise<CubeSampler> {
  const decoding = sharp(input, { limitInputPixels: maxInputPixels, failOn: 'error' }).flatten().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  // A rejected decode must not go unhandled while the tables are being built.
  decoding.catch(() => undefined);
  const sampler = createCubeSampler(cubeSize, width, height);
  let decoded;
  try {
    decoded = await decoding;
  } catch (error) {
    throw invalidInput(`the image could not be decoded: ${(error as Error).message}`);
  }
  if (decoded.info.channels !== 3 || decoded.info.width !== width || decoded.info.height !== height) throw invalidInput('the image decoded to an unexpected shape');
  sampler.source.set(decoded.data);
  return sampler;
}

/** Projects one face in slices, yielding between them, and copies it out of the kernel's memory. */
async function renderFace(sampler: CubeSampler, face: Face): Promise<SquareImage> {
  let view: Uint8Array | undefined;
  for (let row = 0; row < sampler.size; row += ROWS_PER_SLICE) {
    view = sampler.render(face, row, Math.min(sampler.size, row + ROWS_PER_SLICE));
    await yieldToEvents();
  }
  return { data: Buffer.from(view!), size: sampler.size };
}

/**
 * Levels cascaded (each shrunk from the one above with Lanczos, as generate.py does), every
 * level's tiles encoding while the next is shrunk. The fallback face is shrunk from the smallest
 * level at least its size (generate.py shrinks the full face: same filter, a quarter of the work
 * or less), or enlarged from the full face when the cube is smaller than the fallback.
 */
async function tileFace(top: SquareImage, face: Face, layout: PanoramaLayout, options: TilerOptions, emit: (file: TileFile) => Promise<void>): Promise<void> {
  const work: Array<Promise<void>> = [];
  const fallbackSource = [...layout.levels].find((level) => level.size >= layout.fallbackSize)?.level ?? layout.levels.length;
  let current = top;
  for (const level of [...layout.levels].reverse()) {
    if (level.size !== current.size) {
      const data = await sharp(current.data, rawInput(current)).resize(level.size, level.size, { kernel: 'lanczos3' }).raw().toBuffer();
      current = { data, size: level.size };
    }
    if (level.level === fallbackSource) {
      const fallback = sharp(current.data, rawInput(current)).resize(layout.fallbackSize, layout.fallbackSize, { kernel: 'lanczos3' });
      work.push(encode(fallback, options.format, options.fallbackQuality).then((data) => emit({ path: fallbackPath(face, options.extension), data })));
    }
    const quality = options.levelQuality(level.level);
    for (let row = 0; row < level.tilesPerSide; row++) {
      for (let column = 0; column < level.tilesPerSide; column++) {
        const left = column * layout.tileSize;
        const topOffset = row * layout.tileSize;
        const region = { left, top: topOffset, width: Math.min(layout.tileSize, level.size - left), height: Math.min(layout.tileSize, level.size - topOffset) };
        const tile = sharp(current.data, rawInput(current)).extract(region);
        work.push(encode(tile, options.format, quality).then((data) => emit({ path: tilePath(level.level, face, row, column, options.extension), data })));
      }
    }
  }
  await Promise.all(work);
}
