import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { invalidInput } from '../core/errors.ts';
import type { ImageInfo } from '../core/imagemogr2/info-rule.ts';
import { MAX_INPUT_PIXELS } from '../core/imagemogr2/limits.ts';
import type { ImageResult } from './image-result.ts';

/** Bits per sample of libvips's band formats. */
const BITS: Readonly<Record<string, number>> = { uchar: 8, char: 8, ushort: 16, short: 16, uint: 32, int: 32, float: 32, double: 64 };

/**
 * imageInfo's JSON for an image (Tencent's 460/6927: every value a string). `format` is sharp's
 * lower-case name, `avif` for an AV1 HEIF; `width`/`height` one frame's; `dynamic_range` is `sdr`
 * for 8-bit samples and Tencent's `unknow` otherwise (telling HDR from a deep SDR needs the
 * transfer function, which the header does not give); a missing density is written as 72 dpi.
 */
export async function imageInfo(input: Buffer): Promise<ImageInfo> {
  const metadata = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  if (!metadata.width || !metadata.height || !metadata.format) throw invalidInput('the input is not an image sharp can read');
  const bits = metadata.bitsPerSample ?? BITS[metadata.depth ?? 'uchar'] ?? 8;
  const dpi = String(Math.round(metadata.density ?? 72));
  return {
    format: metadata.format === 'heif' && metadata.compression === 'av1' ? 'avif' : metadata.format,
    width: String(metadata.width),
    height: String(metadata.pageHeight ?? metadata.height),
    size: String(input.length),
    md5: createHash('md5').update(input).digest('hex'),
    dynamic_range: bits <= 8 ? 'sdr' : 'unknow',
    frame_count: String(metadata.pages ?? 1),
    bit_depth: String(bits),
    vertical_dpi: dpi,
    horizontal_dpi: dpi,
  };
}

/** The imageInfo stage: its output is the JSON, described by the image it describes. */
export async function runInfoStage(input: Buffer): Promise<ImageResult> {
  const info = await imageInfo(input);
  const data = Buffer.from(JSON.stringify(info));
  return { data, format: 'json', width: Number(info.width), height: Number(info.height), size: data.length };
}
