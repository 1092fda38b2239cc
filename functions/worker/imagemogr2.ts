import { imageSize } from 'image-size';
import sharp, { type Sharp } from 'sharp';
import { invalidInput } from '../core/errors.ts';
import { cropWindow, cutWindow, thumbnailSize, type Size } from '../core/imagemogr2/geometry.ts';
import type { Operation, OutputFormat, Plan, QualitySetting, Stage } from '../core/imagemogr2/plan.ts';
import { jpegQuality } from '../core/jpeg-quality.ts';

/** Tencent's limits: 250 M input pixels, 9,999 px per output side (16,383 for WebP). */
export const MAX_INPUT_PIXELS = 250_000_000;
const MAX_OUTPUT_SIDE = 9_999;
const MAX_WEBP_SIDE = 16_383;
/** Used where the input's own quality cannot be read (PNG, WebP, …). */
const UNKNOWN_INPUT_QUALITY = 90;

export interface ImageResult {
  readonly data: Buffer;
  readonly format: string;
  readonly width: number;
  readonly height: number;
  readonly size: number;
  readonly quality?: number;
}

/**
 * Operations grouped into sharp pipelines. sharp applies its steps in a fixed order (auto-orient,
 * flip/flop, rotate, extract, resize, extract, filters); consecutive operations share one
 * pipeline while that order keeps their meaning, and a new pipeline starts where it would not.
 */
interface Pass {
  steps: Array<(image: Sharp) => Sharp>;
  lastSlot: number;
  resized: boolean;
  /** Known output size of the pass (undefined after an arbitrary-angle rotation). */
  size: Size | undefined;
}

const SLOTS = { autoOrient: 0, flipVertical: 1, flipHorizontal: 2, rotate: 3, extractPre: 4, resize: 5, extractPost: 6, filter: 7 } as const;

function slotOf(operation: Operation, pass: Pass): number {
  switch (operation.op) {
    case 'autoOrient':
      return SLOTS.autoOrient;
    case 'flip':
      return operation.direction === 'vertical' ? SLOTS.flipVertical : SLOTS.flipHorizontal;
    case 'rotate':
      return SLOTS.rotate;
    case 'crop':
    case 'cut':
      return pass.resized ? SLOTS.extractPost : SLOTS.extractPre;
    case 'thumbnail':
      return SLOTS.resize;
    default:
      return SLOTS.filter;
  }
}

function checkOutputSize(size: Size, format: OutputFormat): void {
  const limit = format === 'webp' ? MAX_WEBP_SIDE : MAX_OUTPUT_SIDE;
  if (size.width > limit || size.height > limit) {
    throw invalidInput(`the result would be ${size.width}x${size.height}, over the ${limit} px per side limit`);
  }
}

/** Adds one operation to a pass and says what size comes out, or undefined if it cannot know. */
function addStep(pass: Pass, operation: Operation, gravity: Stage['gravity'], orientation: number, format: OutputFormat): void {
  const size = pass.size;
  const need = () => {
    if (!size) throw new Error('size unknown inside a pass');
    return size;
  };
  switch (operation.op) {
    case 'autoOrient':
      pass.steps.push((image) => image.autoOrient());
      if (size && orientation >= 5) pass.size = { width: size.height, height: size.width };
      return;
    case 'flip':
      pass.steps.push((image) => (operation.direction === 'vertical' ? image.flip() : image.flop()));
      return;
    case 'rotate': {
      const degrees = operation.degrees % 360;
      if (degrees % 90 === 0) {
        pass.steps.push((image) => image.rotate(degrees));
        if (size && degrees % 180 !== 0) pass.size = { width: size.height, height: size.width };
      } else {
        const background = format === 'jpg' || format === 'jpeg' ? '#ffffff' : { r: 0, g: 0, b: 0, alpha: 0 };
        pass.steps.push((image) => image.rotate(degrees, { background }));
        pass.size = undefined;
      }
      return;
    }
    case 'crop':
    case 'cut': {
      const current = need();
      const window = operation.op === 'crop' ? cropWindow(operation.spec, gravity, current.width, current.height) : cutWindow(operation, current.width, current.height);
      pass.steps.push((image) => image.extract(window));
      pass.size = { width: window.width, height: window.height };
      return;
    }
    case 'thumbnail': {
      const current = need();
      const target = thumbnailSize(operation.spec, current.width, current.height);
      checkOutputSize(target, format);
      if (target.width !== current.width || target.height !== current.height) {
        pass.steps.push((image) => image.resize({ width: target.width, height: target.height, fit: 'fill' }));
        pass.resized = true;
      }
      pass.size = target;
      return;
    }
    case 'blur':
      pass.steps.push((image) => image.blur(operation.sigma));
      return;
    case 'sharpen':
      pass.steps.push((image) => image.sharpen({ sigma: operation.amount / 100 }));
      return;
    case 'grayscale':
      pass.steps.push((image) => image.grayscale());
      return;
    case 'bright':
      pass.steps.push((image) => image.linear(1, operation.value * 2.55));
      return;
    case 'contrast': {
      const factor = 1 + operation.value / 100;
      pass.steps.push((image) => image.linear(factor, 128 * (1 - factor)));
      return;
    }
  }
}

function planPasses(stage: Stage, start: Size, orientation: number, format: OutputFormat): Pass[] {
  const passes: Pass[] = [];
  let pass: Pass = { steps: [], lastSlot: -1, resized: false, size: start };
  for (const operation of stage.operations) {
    const slot = slotOf(operation, pass);
    const arbitraryRotationDone = pass.size === undefined;
    if (slot <= pass.lastSlot || arbitraryRotationDone || (slot === SLOTS.autoOrient && passes.length > 0)) {
      passes.push(pass);
      pass = { steps: [], lastSlot: -1, resized: false, size: pass.size };
    }
    addStep(pass, operation, stage.gravity, passes.length === 0 ? orientation : 1, format);
    pass.lastSlot = slotOf(operation, pass) === SLOTS.extractPost ? SLOTS.extractPost : slot;
  }
  passes.push(pass);
  return passes;
}

function outputQuality(setting: QualitySetting | undefined, input: number | undefined): number {
  const known = input ?? UNKNOWN_INPUT_QUALITY;
  if (!setting) return known;
  switch (setting.mode) {
    case 'absolute':
      return Math.min(known, setting.value);
    case 'forced':
      return setting.value;
    case 'relative':
      return Math.max(1, Math.round((known * setting.value) / 100));
    case 'floor':
      return Math.max(known, setting.value);
  }
}

const FORMAT_OF_INPUT: Record<string, OutputFormat> = { jpeg: 'jpg', png: 'png', webp: 'webp', gif: 'gif', tiff: 'tiff', heif: 'avif', avif: 'avif' };

function encode(image: Sharp, format: OutputFormat, quality: number, stage: Stage): Sharp {
  switch (format) {
    case 'jpg':
    case 'jpeg':
      return image.jpeg({ quality, progressive: stage.interlace, mozjpeg: false });
    case 'png':
      return image.png();
    case 'webp':
      return image.webp({ quality });
    case 'avif':
      return image.avif({ quality });
    case 'gif':
      return image.gif();
    case 'tiff':
      return image.tiff({ quality });
  }
}

interface Header {
  readonly width: number;
  readonly height: number;
  readonly format: string;
  readonly orientation: number;
}

const HEADER_FORMATS: Record<string, string> = { jpg: 'jpeg', png: 'png', webp: 'webp', gif: 'gif', tiff: 'tiff', avif: 'heif', heif: 'heif' };

/**
 * Size, format and EXIF orientation from the header bytes alone (image-size, microseconds);
 * sharp's metadata() only for what it does not know. Nothing is decoded here either way.
 */
async function readHeader(input: Buffer): Promise<Header> {
  try {
    const header = imageSize(input);
    const format = HEADER_FORMATS[header.type ?? ''];
    if (format && header.width && header.height) {
      return { width: header.width, height: header.height, format, orientation: header.orientation ?? 1 };
    }
  } catch {
    // Not a format image-size knows: sharp decides below.
  }
  const metadata = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  if (!metadata.width || !metadata.height || !metadata.format) throw invalidInput('the input is not an image sharp can read');
  return { width: metadata.width, height: metadata.height, format: metadata.format, orientation: metadata.orientation ?? 1 };
}

async function runStage(input: Buffer, stage: Stage): Promise<ImageResult> {
  const header = await readHeader(input);
  const format = stage.format ?? FORMAT_OF_INPUT[header.format] ?? 'jpg';
  const inputQuality = header.format === 'jpeg' ? jpegQuality(input) : undefined;
  const quality = outputQuality(stage.quality, inputQuality);
  const passes = planPasses(stage, { width: header.width, height: header.height }, header.orientation, format);

  let image = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS });
  for (const [index, pass] of passes.entries()) {
    for (const step of pass.steps) image = step(image);
    if (index < passes.length - 1) {
      // Hand pixels to the next pipeline losslessly, as raw samples.
      const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
      image = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
    }
  }
  if (!stage.strip && passes.length === 1) image = image.keepMetadata();
  const { data, info } = await encode(image, format, quality, stage).toBuffer({ resolveWithObject: true });
  checkOutputSize(info, format);
  const lossy = format === 'jpg' || format === 'jpeg' || format === 'webp' || format === 'avif' || format === 'tiff';
  return { data, format, width: info.width, height: info.height, size: data.length, ...(lossy ? { quality } : {}) };
}

/**
 * Runs a plan on an image: each stage on the previous stage's output. A stage marked
 * ignore-error that fails passes its input on unchanged (Qiniu's documented behaviour).
 */
export async function executePlan(input: Buffer, plan: Plan): Promise<ImageResult> {
  let current = input;
  let result: ImageResult | undefined;
  for (const stage of plan.stages) {
    try {
      result = await runStage(current, stage);
      current = result.data;
    } catch (error) {
      if (!stage.ignoreError) throw error;
      const metadata = await sharp(current).metadata().catch(() => undefined);
      result = {
        data: current,
        format: metadata?.format ?? 'unknown',
        width: metadata?.width ?? 0,
        height: metadata?.height ?? 0,
        size: current.length,
      };
    }
  }
  return result!;
}
