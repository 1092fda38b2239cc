import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { invalidInput } from '../../core/errors.ts';
import {
  faceReductions,
  FACES,
  fallbackPath,
  pannellumConfig,
  panoramaLayout,
  tilePath,
  type Face,
  type Level,
  type PanoramaLayout,
  type Reduction,
} from '../../core/panorama/layout.ts';
import { checkPanoramaHeader, notAnImage, type TileFormat } from '../../core/panorama/submission.ts';
import { createCubeSampler, FACE_SLOTS, type CubeSampler } from './cube-sampler.ts';
import { scratchDirectory } from './scratch-directory.ts';
import { checkVipsHeader, VIPS_HEADER_BYTES } from './vips-file.ts';

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

/**
 * `deringing`: whether the pixels hold a colour JPEG's overshoot deringing can change
 * (core/panorama/jpeg-extremes.ts). Deringing keeps hard edges against black or white from ringing
 * at the same quality and size: on a diagnostic grid +0.1 to +0.3 dB over plain JPEG. Elsewhere it
 * changes no byte and costs ~40% more CPU, so it is asked for only where it can act.
 */
function encode(image: Sharp, format: TileFormat, quality: number, deringing: boolean): Promise<Buffer> {
  if (format === 'png') return image.png().toBuffer();
  if (format === 'webp') return image.webp({ quality }).toBuffer();
  return image.jpeg({ quality, overshootDeringing: deringing }).toBuffer();
}

interface SquareImage {
  readonly data: Uint8Array;
  readonly size: number;
}

const rawInput = (size: number) => ({ raw: { width: size, height: size, channels: 3 as const } });

/**
 * Reads the header and checks the input before anything is decoded: a JPEG, PNG or WebP within
 * the pixel limit, 2:1. A decompression bomb or a wrong aspect costs a header read, not a decode.
 */
async function inspect(input: Buffer, options: TilerOptions): Promise<{ width: number; height: number }> {
  let metadata;
  try {
    // A header read decodes nothing: the limit is checked below, with the error that names it.
    metadata = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw notAnImage();
  }
  const { width, height, format } = metadata;
  checkPanoramaHeader({ width, height, type: format === 'jpeg' ? 'jpg' : format }, options.maxInputPixels);
  return { width, height };
}

/**
 * Builds a Pannellum multires set from an equirectangular image held in memory. The sample
 * tables are computed while libvips decodes into the kernel's memory. Each face is projected on
 * the WebAssembly kernel a tile row at a time, and that row's full-size tiles go to sharp (libuv
 * threads) at once, so encoding runs beside projection from the first face on; the smaller levels
 * and the fallback follow when the face is whole, while the next face is projected into the other
 * face slot.
 */
export async function buildPanorama(
  input: Buffer,
  options: TilerOptions,
  emit: (file: TileFile) => Promise<void>,
): Promise<PanoramaLayout> {
  const { width, height } = await inspect(input, options);
  const layout = panoramaLayout(width, height, { tileSize: options.tileSize, fallbackSize: options.fallbackSize });
  const writer = new TileWriter(layout, options, emit);
  const { sampler, scratchRemoved } = await decodeIntoSampler(
    input,
    layout.cubeSize,
    writer.reductions.steps,
    width,
    height,
    options.maxInputPixels,
  );
  const encodings: Array<Promise<void>> = [];
  try {
    const inFlight: Array<Promise<void>> = [];
    let facesDone = 0;
    for (const [index, face] of FACES.entries()) {
      // A slot is rendered into again two faces later: by then the face that used it is finished.
      const { encoded } = await projectFace(sampler, face, index % FACE_SLOTS, writer);
      encodings.push(encoded);
      inFlight.push(
        awaitedLater(
          encoded.then(async () => {
            facesDone += 1;
            await options.onProgress?.(facesDone / FACES.length);
          }),
        ),
      );
      if (inFlight.length >= FACE_SLOTS) await inFlight.shift();
    }
    await Promise.all(inFlight);
  } catch (error) {
    // Stopped or failed: nothing more is written, and the writes under way land before this
    // returns, so no file appears after the task says it ended.
    writer.abandon();
    await Promise.allSettled(encodings);
    throw error;
  } finally {
    await sampler.close();
    await scratchRemoved;
  }
  await emit({ path: 'config.json', data: Buffer.from(JSON.stringify(pannellumConfig(layout, options.extension), null, 2)) });
  return layout;
}

/**
 * Marks a promise that will be awaited later as handled now, so a failure that comes first (a
 * failed encode or write while faces are still being projected) is not an unhandled rejection;
 * the later await still sees it.
 */
function awaitedLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * Decodes straight into the kernel's memory, so the pixels are held once. sharp cannot decode into
 * a given buffer and hands raw pixels over only whole, so libvips streams them, in its own .v
 * format, to a scratch file that the kernel's helper thread reads in behind it; meanwhile this
 * thread builds the sample tables. Holding the decoded image twice cost 384 MiB at 16K, and on a
 * machine where touching fresh memory is slow, the copy took as long as the decode. The readers
 * give the file's pages back as they go (punchHole), so it holds little more than what is still
 * to be read. Once the pixels are in, the scratch file is removed while the faces are projected
 * (`scratchRemoved`): where no holes could be punched, unlinking it took 20 ms at 8K and 70 ms at
 * 16K.
 */
async function decodeIntoSampler(
  input: Buffer,
  cubeSize: number,
  reductions: readonly Reduction[],
  width: number,
  height: number,
  maxInputPixels: number,
): Promise<{ sampler: CubeSampler; scratchRemoved: Promise<void> }> {
  const scratch = await scratchDirectory();
  const file = join(scratch.path, 'decoded.v');
  try {
    // The reader opens the file before the decoder starts writing into it.
    await writeFile(file, '');
    const decoding = sharp(input, { limitInputPixels: maxInputPixels, failOn: 'error' })
      .flatten()
      .toColourspace('srgb')
      .toFile(file)
      .then(
        () => checkVipsHeader(file, width, height),
        (error: unknown) => {
          throw invalidInput(`the image could not be decoded: ${(error as Error).message}`);
        },
      );
    // A rejected decode must not go unhandled while the tables are being built.
    decoding.catch(() => undefined);
    const sampler = createCubeSampler(cubeSize, width, height, reductions);
    try {
      await sampler.loadSource(file, VIPS_HEADER_BYTES, decoding);
    } catch (error) {
      await sampler.close();
      throw error;
    }
    return { sampler, scratchRemoved: awaitedLater(scratch.remove()) };
  } catch (error) {
    await scratch.remove();
    throw error;
  }
}

/** Projects one face a tile row at a time; `encoded` settles when all of the face is written. */
async function projectFace(sampler: CubeSampler, face: Face, slot: number, writer: TileWriter): Promise<{ encoded: Promise<void> }> {
  const { tileSize } = writer.layout;
  const top = writer.layout.levels.at(-1)!;
  const work: Array<Promise<void>> = [];
  let pixels: Uint8Array | undefined;
  for (let row = 0; row < top.tilesPerSide; row++) {
    // Awaiting the helper thread's half also lets sharp's finished encodes be answered.
    pixels = await sampler.render(face, slot, row * tileSize, Math.min(sampler.size, (row + 1) * tileSize));
    work.push(...writer.tileRow(sampler, { data: pixels, size: sampler.size }, top, face, row).map(awaitedLater));
  }
  work.push(writer.smallerLevels(sampler, slot, pixels!, face));
  return { encoded: awaitedLater(Promise.all(work).then(() => undefined)) };
}

/** Encodes tiles and fallback faces and hands them to `emit`. */
class TileWriter {
  private abandoned = false;
  /** How each face's smaller levels and fallback are made: the sampler is sized for these. */
  readonly reductions: ReturnType<typeof faceReductions>;

  constructor(
    readonly layout: PanoramaLayout,
    private readonly options: TilerOptions,
    private readonly emit: (file: TileFile) => Promise<void>,
  ) {
    this.reductions = faceReductions(layout);
  }

  /** Sends no more files: the build has ended. */
  abandon(): void {
    this.abandoned = true;
  }

  private async send(file: TileFile): Promise<void> {
    if (!this.abandoned) await this.emit(file);
  }

  /** Whether the JPEG of this region of `image` (a view `sampler` made) needs deringing. */
  private deringing(sampler: CubeSampler, image: SquareImage, left: number, top: number, width: number, height: number): boolean {
    return this.options.format === 'jpeg' && sampler.holdsJpegExtremes(image.data, image.size, left, top, width, height);
  }

  /** The tiles of one row of a level (pixels `sampler` made), each its own sharp pipeline over the level's pixels. */
  tileRow(sampler: CubeSampler, image: SquareImage, level: Level, face: Face, row: number): Array<Promise<void>> {
    const { tileSize } = this.layout;
    const quality = this.options.levelQuality(level.level);
    const top = row * tileSize;
    const height = Math.min(tileSize, level.size - top);
    return Array.from({ length: level.tilesPerSide }, (_, column) => {
      const left = column * tileSize;
      const width = Math.min(tileSize, level.size - left);
      const tile = sharp(image.data, rawInput(image.size)).extract({ left, top, width, height });
      return encode(tile, this.options.format, quality, this.deringing(sampler, image, left, top, width, height)).then((data) =>
        this.send({ path: tilePath(level.level, face, row, column, this.options.extension), data }),
      );
    });
  }

  /**
   * The levels below the full size and the fallback face, made by the kernel as faceReductions
   * says (Lanczos-3), each level's tiles encoding while the next is made. When the cube is smaller
   * than the fallback, sharp enlarges the full face.
   */
  async smallerLevels(sampler: CubeSampler, slot: number, full: Uint8Array, face: Face): Promise<void> {
    const { layout, options } = this;
    const { levels, fallbackStep } = this.reductions;
    const work: Array<Promise<void>> = [];
    for (const [step, level] of levels.entries()) {
      const image = { data: await sampler.shrink(slot, step), size: level.size };
      for (let row = 0; row < level.tilesPerSide; row++) work.push(...this.tileRow(sampler, image, level, face, row).map(awaitedLater));
    }
    const size = layout.fallbackSize;
    const reduced = fallbackStep === undefined ? undefined : { data: await sampler.shrink(slot, fallbackStep), size };
    // sharp's enlargement of a small cube is not the sampler's to screen: it is deringed.
    const fallback = reduced
      ? sharp(reduced.data, rawInput(size))
      : sharp(full, rawInput(layout.cubeSize)).resize(size, size, { kernel: 'lanczos3' });
    const deringing = reduced ? this.deringing(sampler, reduced, 0, 0, size, size) : options.format === 'jpeg';
    work.push(
      awaitedLater(
        encode(fallback, options.format, options.fallbackQuality, deringing).then((data) =>
          this.send({ path: fallbackPath(face, options.extension), data }),
        ),
      ),
    );
    await Promise.all(work);
  }
}
