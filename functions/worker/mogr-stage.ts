import sharp, { type Sharp } from 'sharp';
import { invalidInput } from '../core/errors.ts';
import { readImageHeader, type ImageHeader } from '../core/imagemogr2/image-header.ts';
import { checkOutputSize, MAX_INPUT_PIXELS } from '../core/imagemogr2/limits.ts';
import { planStage } from '../core/imagemogr2/output-size.ts';
import type { Step } from '../core/imagemogr2/passes.ts';
import type { MogrStage, OutputFormat } from '../core/imagemogr2/plan.ts';
import { jpegQuality } from '../core/jpeg-quality.ts';
import { encode, outputQuality } from './encode.ts';
import type { ImageResult } from './image-result.ts';

/** The sharp call for one planned operation, or undefined where sharp has nothing to do. */
function sharpStep(step: Step, format: OutputFormat): ((image: Sharp) => Sharp) | undefined {
  const { operation } = step;
  switch (operation.op) {
    case 'autoOrient':
      return (image) => image.autoOrient();
    case 'flip':
      return (image) => (operation.direction === 'vertical' ? image.flip() : image.flop());
    case 'rotate': {
      const degrees = operation.degrees % 360;
      if (degrees % 90 === 0) return (image) => image.rotate(degrees);
      const background = format === 'jpg' || format === 'jpeg' ? '#ffffff' : { r: 0, g: 0, b: 0, alpha: 0 };
      return (image) => image.rotate(degrees, { background });
    }
    case 'crop':
    case 'cut':
      return (image) => image.extract(step.window!);
    case 'thumbnail': {
      const { width, height } = step.output;
      if (width === step.input.width && height === step.input.height) return undefined;
      return (image) => image.resize({ width, height, fit: 'fill' });
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

/** Runs one imageMogr2 stage: its passes in as few sharp pipelines as keep the operations' order. */
export async function runMogrStage(input: Buffer, stage: MogrStage): Promise<ImageResult> {
  const header = await readHeader(input);
  const { format, passes, keepsMetadata } = planStage(stage, header);
  const inputQuality = header.format === 'jpeg' ? jpegQuality(input) : undefined;
  const quality = outputQuality(stage.quality, inputQuality);

  let image = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS });
  for (const [index, pass] of passes.entries()) {
    for (const step of pass.steps) image = sharpStep(step, format)?.(image) ?? image;
    if (index < passes.length - 1) {
      // Hand pixels to the next pipeline losslessly, as raw samples.
      const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
      image = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
    }
  }
  if (keepsMetadata) image = image.keepMetadata();
  const { data, info } = await encode(image, format, quality, stage.interlace).toBuffer({ resolveWithObject: true });
  // The plan trusts the header; where a decoder disagrees with it (a HEIF's rotation box), the
  // encoded size is the one that counts.
  checkOutputSize(info, format);
  const lossy = format === 'jpg' || format === 'jpeg' || format === 'webp' || format === 'avif' || format === 'tiff';
  return { data, format, width: info.width, height: info.height, size: data.length, ...(lossy ? { quality } : {}) };
}
