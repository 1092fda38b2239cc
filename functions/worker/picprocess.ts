import sharp from 'sharp';
import { TesseraError } from '../core/errors.ts';
import { imageContentType } from '../core/image-content-type.ts';
import { MAX_INPUT_PIXELS } from '../core/imagemogr2/limits.ts';
import { parseRule } from '../core/imagemogr2/parse.ts';
import { jpegQuality } from '../core/jpeg-quality.ts';
import type { PicProcessResult, PicProcessSpec } from '../core/tasks/picprocess.ts';
import { workerConfig } from '../config.ts';
import { objectStore } from '../adapters/object-store.ts';
import { executePlan, type PlanSources } from './imagemogr2.ts';
import { JobFailure } from './job-failure.ts';

/** The dominant colour as Tencent reports it ("0xRRGGBB"), from a small copy so it costs little. */
async function averageColour(input: Buffer): Promise<string> {
  const { channels } = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).resize(64, 64, { fit: 'fill' }).removeAlpha().stats();
  const hex = channels
    .slice(0, 3)
    .map((channel) => Math.round(channel.mean).toString(16).padStart(2, '0'))
    .join('');
  return `0x${hex.length === 6 ? hex : hex.padEnd(6, hex)}`;
}

/**
 * An object a job reads, as long as it still exists and is within the worker's input limit
 * (checked from its head, so an oversized object is never read).
 */
async function readWithinLimit(key: string, what: string, missingCode: string): Promise<{ bytes: Buffer; etag: string }> {
  const stored = await objectStore.head(key);
  if (!stored) throw new JobFailure(missingCode, `${what} does not exist`);
  if (stored.size > workerConfig.maxInputBytes()) {
    throw new JobFailure('InvalidArgument', `${what} is ${stored.size} bytes, over the ${workerConfig.maxInputBytes()}-byte limit`);
  }
  return { bytes: await objectStore.read(key), etag: stored.etag };
}

/** The watermark images a job may read: the keys resolved at submit, never what the rule's text names. */
const sourcesOf = (spec: PicProcessSpec): PlanSources => ({
  async readObject(reference) {
    const key = spec.overlays?.[reference];
    if (!key) throw new JobFailure('InvalidArgument', `watermark image "${reference}" was not checked when the job was submitted`);
    return (await readWithinLimit(key, `watermark image "${reference}"`, 'InvalidArgument')).bytes;
  },
});

/**
 * Runs one PicProcess job: reads the input object, applies the rule, writes the output object
 * in one PutObject (so a retried job overwrites it whole, never half), and describes both.
 */
export async function runPicProcess(spec: PicProcessSpec, stillRunning: () => Promise<void>): Promise<PicProcessResult> {
  const { bytes: input, etag: inputEtag } = await readWithinLimit(
    spec.input.key,
    `input object ${spec.input.address.object}`,
    'ResourceNotFound',
  );
  let result;
  try {
    result = await executePlan(input, parseRule(spec.rule), sourcesOf(spec));
  } catch (error) {
    if (error instanceof JobFailure) throw error;
    if (error instanceof TesseraError) throw new JobFailure('InvalidArgument', error.message);
    const message = (error as Error).message;
    if (/pixel limit|too large|exceeds/i.test(message))
      throw new JobFailure('ImageResolutionExceed', 'the image resolution is over the limit');
    throw new JobFailure('InvalidImage', `the input could not be processed as an image: ${message}`);
  }
  // A job stopped while it worked writes nothing.
  await stillRunning();
  // imageInfo's output is its JSON.
  const contentType = result.format === 'json' ? 'application/json' : imageContentType(result.format);
  await objectStore.put(spec.output.key, result.data, { contentType, createOnly: false });
  const written = await objectStore.head(spec.output.key);
  const output = {
    etag: written?.etag ?? '',
    format: result.format,
    width: result.width,
    height: result.height,
    size: result.size,
    ...(result.quality !== undefined ? { quality: result.quality } : {}),
  };
  if (!spec.describeOriginal) return { output };
  const metadata = await sharp(input).metadata();
  const quality = metadata.format === 'jpeg' ? jpegQuality(input) : undefined;
  return {
    output,
    original: {
      etag: inputEtag,
      format: metadata.format ?? 'unknown',
      width: metadata.width ?? 0,
      height: metadata.height ?? 0,
      orientation: metadata.orientation ?? 0,
      averageColour: await averageColour(input),
      ...(quality !== undefined ? { quality } : {}),
    },
  };
}
