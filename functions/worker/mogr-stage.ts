import sharp, { type Sharp } from 'sharp';
import { invalidInput } from '../core/errors.ts';
import { sharpColour } from '../core/imagemogr2/colour.ts';
import { outputFormatOf, readImageHeader, type ImageHeader } from '../core/imagemogr2/image-header.ts';
import { checkOutputSize, MAX_INPUT_PIXELS } from '../core/imagemogr2/limits.ts';
import { planStage } from '../core/imagemogr2/output-size.ts';
import { opaqueBackground } from '../core/imagemogr2/mogr-settings.ts';
import type { Step } from '../core/imagemogr2/passes.ts';
import type { MogrStage, OutputFormat } from '../core/imagemogr2/plan.ts';
import { jpegQuality } from '../core/jpeg-quality.ts';
import { encode, outputQuality, type Animation } from './encode.ts';
import type { ImageResult } from './image-result.ts';
import { frameAt, framesOf, keepFrames, rawAnimation, stacked } from './mogr-frames.ts';
import { maskOverlay } from './mogr-masks.ts';
import { jpegWithin } from './mogr-size-limit.ts';

interface StageContext {
  readonly stage: MogrStage;
  readonly format: OutputFormat;
  /** Every frame is held: masks repeat down them. */
  readonly animated: boolean;
}

const TRANSPARENT = { r: 0, g: 0, b: 0, alpha: 0 };
const isJpeg = (format: OutputFormat) => format === 'jpg' || format === 'jpeg';
const sameSize = (a: { width: number; height: number }, b: { width: number; height: number }) =>
  a.width === b.width && a.height === b.height;

/** A free rotation's corners: the background (opaque in a JPEG, white unless set), else transparent. */
function rotationFill({ stage, format }: StageContext) {
  if (isJpeg(format)) return sharpColour(opaqueBackground(stage));
  return stage.background ? sharpColour(stage.background) : TRANSPARENT;
}

function thumbnailStep(step: Step, { stage }: StageContext): ((image: Sharp) => Sharp) | undefined {
  const image = step.placed ?? step.output;
  const resize = sameSize(image, step.input) ? undefined : (pipeline: Sharp) => pipeline.resize({ ...image, fit: 'fill' });
  const { placed } = step;
  if (!placed || sameSize(placed, step.output)) return resize;
  const margins = {
    top: placed.top,
    left: placed.left,
    bottom: step.output.height - placed.height - placed.top,
    right: step.output.width - placed.width - placed.left,
  };
  return (pipeline) => (resize?.(pipeline) ?? pipeline).extend({ ...margins, background: sharpColour(stage.pad!) });
}

/** The sharp call for one planned operation, or undefined where sharp has nothing to do. */
function sharpStep(step: Step, context: StageContext): ((image: Sharp) => Sharp) | undefined {
  const { operation } = step;
  switch (operation.op) {
    case 'autoOrient':
      return (image) => image.autoOrient();
    case 'flip':
      return (image) => (operation.direction === 'vertical' ? image.flip() : image.flop());
    case 'rotate': {
      const degrees = operation.degrees % 360;
      if (degrees % 90 === 0) return (image) => image.rotate(degrees);
      return (image) => image.rotate(degrees, { background: rotationFill(context) });
    }
    case 'crop':
    case 'cut':
      return (image) => image.extract(step.window!);
    case 'thumbnail':
      return thumbnailStep(step, context);
    case 'scrop':
      // Tencent looks for faces; libvips's attention strategy weighs skin tones, saturation and
      // edges, so faces win where there are any, and it always returns the box.
      return (image) => image.resize({ ...step.output, fit: 'cover', position: 'attention' });
    case 'iradius':
    case 'rradius': {
      const fill = isJpeg(context.format) ? opaqueBackground(context.stage) : undefined;
      const mask = maskOverlay(operation.op, step.output, operation.radius, fill, context.animated);
      return (image) => (operation.op === 'iradius' ? image.extract(step.window!) : image).composite([mask]);
    }
    case 'blur':
      return (image) => image.blur(operation.sigma);
    case 'sharpen':
      return (image) => image.sharpen({ sigma: operation.amount / 100 });
    case 'grayscale':
      return (image) => image.grayscale();
    case 'bright':
      return (image) => image.linear(1, operation.value * 2.55);
    case 'contrast': {
      const factor = 1 + operation.value / 100;
      return (image) => image.linear(factor, 128 * (1 - factor));
    }
  }
}

const applySteps = (image: Sharp, steps: readonly Step[], context: StageContext) =>
  steps.reduce((pipeline, step) => sharpStep(step, context)?.(pipeline) ?? pipeline, image);

/** sharp refuses these on an animation (multi-page image), so their pass runs frame by frame. */
const needsSingleFrames = (step: Step) => step.operation.op === 'rotate' || step.operation.op === 'scrop';

/**
 * One pass over every frame of an animation, frame by frame. A scrop's crop is placed once, by
 * the attention strategy on the first frame, and cut at the same place from every frame, so the
 * animation does not jitter.
 */
async function passPerFrame(image: Sharp, steps: readonly Step[], context: StageContext): Promise<Sharp> {
  const frames = await framesOf(image);
  const frame = (index: number) =>
    sharp(frameAt(frames, index), { raw: { width: frames.width, height: frames.pageHeight, channels: frames.channels } });
  let fixed = steps;
  const scrop = steps.find((step) => step.operation.op === 'scrop');
  if (scrop) {
    const { info } = await applySteps(frame(0), steps, context).raw().toBuffer({ resolveWithObject: true });
    const scaled = scrop.scaled!;
    const left = Math.min(Math.max(0, info.cropOffsetLeft ?? 0), scaled.width - scrop.output.width);
    const top = Math.min(Math.max(0, info.cropOffsetTop ?? 0), scaled.height - scrop.output.height);
    const cut = { ...scrop.output, left, top };
    const placedCrop: Step = { ...scrop, operation: { op: 'crop', spec: { dx: 0, dy: 0 } }, input: scaled, window: cut };
    const scale: Step = { ...scrop, operation: { op: 'thumbnail', spec: { kind: 'exact', ...scaled } }, output: scaled };
    fixed = steps.flatMap((step) => (step === scrop ? [scale, placedCrop] : [step]));
  }
  const outputs = [];
  for (let index = 0; index < frames.count; index++) {
    outputs.push(await applySteps(frame(index), fixed, context).raw().toBuffer({ resolveWithObject: true }));
  }
  const { info } = outputs[0]!;
  return stacked({
    data: Buffer.concat(outputs.map((output) => output.data)),
    width: info.width,
    pageHeight: info.height,
    channels: info.channels,
    count: frames.count,
  });
}

/**
 * Size, format and EXIF orientation from image-size where it knows the format, sharp's metadata()
 * for the rest. Nothing is decoded here either way.
 */
async function readHeader(input: Buffer): Promise<ImageHeader> {
  const header = readImageHeader(input);
  if (header) return header;
  const metadata = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  if (!metadata.width || !metadata.height || !metadata.format) throw invalidInput('the input is not an image sharp can read');
  return { width: metadata.width, height: metadata.height, format: metadata.format, orientation: metadata.orientation ?? 1 };
}

/** The input, unchanged, as a stage's result (minisize, size-limit's `!`). */
const inputAsResult = (input: Buffer, header: ImageHeader, quality: number | undefined): ImageResult => ({
  data: input,
  format: outputFormatOf({}, header),
  width: header.width,
  height: header.height,
  size: input.length,
  ...(quality !== undefined ? { quality } : {}),
});

/** The input's animation opened whole, cut down to the planned frames, and its timing. */
async function openAnimation(input: Buffer, frames: number): Promise<{ image: Sharp; animation: Animation }> {
  const image = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, animated: true });
  const metadata = await image.metadata();
  const animation = { delay: metadata.delay ?? [], loop: metadata.loop ?? 0 };
  return frames < (metadata.pages ?? 1) ? keepFrames(image, animation, frames) : { image, animation };
}

/** Runs one imageMogr2 stage: its passes in as few sharp pipelines as keep the operations' order. */
export async function runMogrStage(input: Buffer, stage: MogrStage): Promise<ImageResult> {
  const header = await readHeader(input);
  const { format, passes, keepsMetadata, frames } = planStage(stage, header);
  const inputQuality = header.format === 'jpeg' ? jpegQuality(input) : undefined;
  const quality = outputQuality(stage.quality, inputQuality);
  const context: StageContext = { stage, format, animated: frames > 1 };

  let image: Sharp;
  let animation: Animation | undefined;
  if (context.animated) ({ image, animation } = await openAnimation(input, frames));
  else image = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS });
  // A JPEG has no alpha: an input's transparency becomes the background, not libvips's black.
  if (isJpeg(format) && header.format !== 'jpeg') image = image.flatten({ background: sharpColour(opaqueBackground(stage)) });
  for (const [index, pass] of passes.entries()) {
    if (context.animated && pass.steps.some(needsSingleFrames)) image = await passPerFrame(image, pass.steps, context);
    else image = applySteps(image, pass.steps, context);
    if (index < passes.length - 1) {
      // Hand pixels to the next pipeline losslessly, as raw samples.
      const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
      const raw = { width: info.width, height: info.height, channels: info.channels };
      image = context.animated ? rawAnimation(data, { ...raw, pageHeight: info.pageHeight ?? info.height }) : sharp(data, { raw });
    }
  }
  if (keepsMetadata) image = image.keepMetadata();
  if (stage.density !== undefined) image = image.withDensity(stage.density);

  let encoded: { data: Buffer; info: { width: number; height: number; pageHeight?: number }; quality: number };
  if (stage.sizeLimit && isJpeg(format)) {
    encoded = await jpegWithin(image, stage.sizeLimit.bytes, quality, stage.interlace, stage.density);
  } else {
    encoded = { ...(await encode(image, format, quality, stage.interlace, animation).toBuffer({ resolveWithObject: true })), quality };
  }
  const { data, info } = encoded;
  const keepInput = stage.sizeLimit?.keepSmallerInput ? data.length >= input.length : stage.minisize && data.length > input.length;
  if (keepInput) return inputAsResult(input, header, inputQuality);

  const size = { width: info.width, height: info.pageHeight ?? info.height };
  // The plan trusts the header; where a decoder disagrees with it (a HEIF's rotation box), the
  // encoded size is the one that counts.
  checkOutputSize(size, format);
  const lossy = isJpeg(format) || format === 'webp' || format === 'avif' || format === 'tiff';
  return { data, format, ...size, size: data.length, ...(lossy ? { quality: encoded.quality } : {}) };
}
