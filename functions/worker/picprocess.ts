import sharp from 'sharp';
import { TesseraError } from '../core/errors.ts';
import { imageContentType } from '../core/image-content-type.ts';
import { MAX_INPUT_PIXELS } from '../core/imagemogr2/limits.ts';
import { parseRule } from '../core/imagemogr2/parse.ts';
import { jpegQuality } from '../core/jpeg-quality.ts';
import { workerConfig } from '../config.ts';
import { objectStore } from '../adapters/object-store.ts';
import type { PicJobSpec } from '../services/pic-jobs.ts';
import { executePlan } from './imagemogr2.ts';
import { JobFailure } from './job-failure.ts';

export interface PicProcessResult {
  readonly ObjectName: string;
  readonly OriginalInfo?: {
    readonly Etag: string;
    readonly ImageInfo: { Ave: string; Format: string; Height: number; Orientation: number; Quality?: number; Width: number };
  };
  readonly ProcessResult: { Etag: string; Format: string; Height: number; Quality?: number; Size: number; Width: number };
}

/** The dominant colour as Tencent reports it ("0xRRGGBB"), from a small copy so it costs little. */
async function averageColour(input: Buffer): Promise<string> {
  const { channels } = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).resize(64, 64, { fit: 'fill' }).removeAlpha().stats();
  const hex = channels.slice(0, 3).map((channel) => Math.round(channel.mean).toString(16).padStart(2, '0')).join('');
  return `0x${hex.length === 6 ? hex : hex.padEnd(6, hex)}`;
}

/**
 * Runs one PicProcess job: reads the input object, applies the rule, writes the output object
 * in one PutObject (so a retried job overwrites it whole, never half), and describes both.
 */
export async function runPicProcess(spec: PicJobSpec): Promise<PicProcessResult> {
  const stored = await objectStore.head(spec.input.key);
  if (!stored) throw new JobFailure('ResourceNotFound', `input object ${spec.input.object} does not exist`);
  if (stored.size > workerConfig.maxInputBytes()) {
    throw new JobFailure('InvalidArgument', `input object is ${stored.size} bytes, over the ${workerConfig.maxInputBytes()}-byte limit`);
  }
  const input = await objectStore.read(spec.input.key);
  let result;
  try {
    result = await executePlan(input, parseRule(spec.picProcess.processRule));
  } catch (error) {
    if (error instanceof TesseraError) throw new JobFailure('InvalidArgument', error.message);
    const message = (error as Error).message;
    if (/pixel limit|too large|exceeds/i.test(message)) throw new JobFailure('ImageResolutionExceed', 'the image resolution is over the limit');
    throw new JobFailure('InvalidImage', `the input could not be processed as an image: ${message}`);
  }
  await objectStore.put(spec.output.key, result.data, { contentType: imageContentType(result.format), createOnly: false });
  const written = await objectStore.head(spec.output.key);
  const processResult = {
    Etag: written?.etag ?? '',
    Format: result.format === 'jpg' ? 'JPEG' : result.format.toUpperCase(),
    Height: result.height,
    ...(result.quality !== undefined ? { Quality: result.quality } : {}),
    Size: result.size,
    Width: result.width,
  };
  if (!spec.picProcess.isPicInfo) return { ObjectName: spec.output.object, ProcessResult: processResult };
  const metadata = await sharp(input).metadata();
  const quality = metadata.format === 'jpeg' ? jpegQuality(input) : undefined;
  return {
    ObjectName: spec.output.object,
    OriginalInfo: {
      Etag: `"${stored.etag}"`,
      ImageInfo: {
        Ave: await averageColour(input),
        Format: (metadata.format ?? 'unknown').toUpperCase(),
        Height: metadata.height ?? 0,
        Orientation: metadata.orientation ?? 0,
        ...(quality !== undefined ? { Quality: quality } : {}),
        Width: metadata.width ?? 0,
      },
    },
    ProcessResult: processResult,
  };
}
