import sharp from 'sharp';
import { invalidInput } from '../core/errors.ts';
import { outputFormatOf } from '../core/imagemogr2/image-header.ts';
import { checkOutputSize, MAX_INPUT_PIXELS } from '../core/imagemogr2/limits.ts';
import type { ViewStage } from '../core/imagemogr2/plan.ts';
import { viewGeometry } from '../core/imagemogr2/view-size.ts';
import { jpegQuality } from '../core/jpeg-quality.ts';
import { encode, outputQuality } from './encode.ts';
import type { ImageResult } from './image-result.ts';

/** Runs one imageView2 stage: its mode's resize and centred crop in one pipeline, then its format and quality. */
export async function runViewStage(input: Buffer, stage: ViewStage): Promise<ImageResult> {
  const image = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS });
  const metadata = await image.metadata();
  if (!metadata.width || !metadata.height || !metadata.format) throw invalidInput('the input is not an image sharp can read');
  const source = { width: metadata.width, height: metadata.height };
  const format = outputFormatOf(stage, { ...source, format: metadata.format, orientation: 1 });
  const { resized, crop } = viewGeometry(stage, source);
  if (resized.width !== source.width || resized.height !== source.height) image.resize({ ...resized, fit: 'fill' });
  if (crop) image.extract(crop);
  checkOutputSize(crop ?? resized, format);
  const quality = outputQuality(stage.quality, metadata.format === 'jpeg' ? jpegQuality(input) : undefined);
  const { data, info } = await encode(image.keepMetadata(), format, quality, stage.interlace).toBuffer({ resolveWithObject: true });
  const lossy = format === 'jpg' || format === 'jpeg' || format === 'webp' || format === 'avif' || format === 'tiff';
  return { data, format, width: info.width, height: info.height, size: data.length, ...(lossy ? { quality } : {}) };
}
