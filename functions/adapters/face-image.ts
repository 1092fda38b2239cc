import sharp, { type Metadata } from 'sharp';
import { TesseraError } from '../core/errors.ts';

/**
 * The images the face engine takes, checked from the header before a pixel is decoded, and their
 * decoding to 8-bit RGB as displayed (EXIF orientation applied, page 0 only).
 */

/** VK Cloud Vision's words for bytes that are not a JPEG, PNG or TIFF (per-object status 1). */
export const UNKNOWN_IMAGE_TYPE = 'The memory contains data of an unknown image type';

/** An image the engine refuses: not an image of an accepted type, too small, too large. */
export class FaceImageProblem extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid-input', message, { ...options, reason: 'face-image' });
    this.name = 'FaceImageProblem';
  }
}

export type FaceImageFormat = 'jpeg' | 'png' | 'tiff';

export interface ImageHeader {
  readonly format: FaceImageFormat;
  /** Size as displayed: after the EXIF orientation, so 5–8 swap the stored width and height. */
  readonly width: number;
  readonly height: number;
  /** The EXIF orientation, 1 when there is none. */
  readonly orientation: number;
  /** Pages in the file (TIFF may hold several); only page 0 is ever decoded. */
  readonly pages: number;
}

/**
 * VK's limits: "min 5×5, max 3840×2160". Taken as a bound on the long side (3840) and on the short
 * side (2160), so a portrait 2160×3840 photo (a phone held upright) is accepted as well as the
 * landscape one: the limit is a pixel budget (8.3 MP, 4K UHD), and rejecting the same photo for
 * how the camera was held would surprise every client. Checked on the size as displayed.
 */
export const MIN_SIDE = 5;
export const MAX_LONG_SIDE = 3840;
export const MAX_SHORT_SIDE = 2160;
export const MAX_PIXELS = MAX_LONG_SIDE * MAX_SHORT_SIDE;
/**
 * A TIFF may declare any number of pages; only page 0 is decoded, so more pages cost nothing to
 * decode, but a file claiming thousands is not a photo. 100 matches VK's images per request.
 */
export const MAX_PAGES = 100;

const ACCEPTED: ReadonlySet<string> = new Set<FaceImageFormat>(['jpeg', 'png', 'tiff']);

/**
 * Format, size, orientation and pages from the header alone (sharp's metadata() decodes no
 * pixels), refusing what detect() will not decode: anything but JPEG, PNG and TIFF (GIF, WebP,
 * HEIF, SVG, … and bytes that are no image at all, the empty buffer included), and sizes outside
 * 5×5 … 3840×2160 (which also refuses decompression bombs: a small file declaring a huge image).
 */
export async function inspectImage(bytes: Buffer): Promise<ImageHeader> {
  let metadata: Metadata;
  try {
    if (bytes.length === 0) throw new Error('empty buffer');
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new FaceImageProblem(UNKNOWN_IMAGE_TYPE, { cause: error });
  }
  if (!ACCEPTED.has(metadata.format)) throw new FaceImageProblem(UNKNOWN_IMAGE_TYPE);
  const orientation = metadata.orientation ?? 1;
  // The size as displayed (orientations 5–8 swap width and height); of page 0 for a multi-page TIFF.
  const { width, height } = metadata.autoOrient;
  const pages = metadata.pages ?? 1;
  if (!(width >= MIN_SIDE && height >= MIN_SIDE)) {
    throw new FaceImageProblem(`image is ${width}×${height} px, smaller than the minimum ${MIN_SIDE}×${MIN_SIDE}`);
  }
  if (Math.max(width, height) > MAX_LONG_SIDE || Math.min(width, height) > MAX_SHORT_SIDE) {
    throw new FaceImageProblem(
      `image is ${width}×${height} px, larger than the maximum ${MAX_LONG_SIDE}×${MAX_SHORT_SIDE} (or ${MAX_SHORT_SIDE}×${MAX_LONG_SIDE})`,
    );
  }
  if (pages > MAX_PAGES)
    throw new FaceImageProblem(`image has ${pages} pages, more than the ${MAX_PAGES} accepted (only the first is read)`);
  return { format: metadata.format as FaceImageFormat, width, height, orientation, pages };
}

/** Packed 8-bit RGB pixels, row by row. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * The pixels of page 0 as displayed (EXIF orientation applied, so every coordinate the engine
 * reports is in the image as a viewer shows it), 8-bit sRGB, transparency flattened onto white,
 * grey and CMYK converted. A header that passed inspectImage but pixels that do not decode
 * (truncated or corrupt data) are refused in VK's words for an unreadable image.
 */
export async function decodeRgb(bytes: Buffer): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes, { page: 0, pages: 1, limitInputPixels: MAX_PIXELS, failOn: 'error' })
      .autoOrient()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data, width: info.width, height: info.height };
  } catch (error) {
    throw new FaceImageProblem(UNKNOWN_IMAGE_TYPE, { cause: error });
  }
}

/** The image scaled so its long side is at most `longSide` (never enlarged), and the scale used. */
export async function shrinkRgb(image: RgbImage, longSide: number): Promise<{ image: RgbImage; scale: number }> {
  const scale = Math.min(1, longSide / Math.max(image.width, image.height));
  if (scale === 1) return { image, scale };
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { image: { data, width: info.width, height: info.height }, scale: info.width / image.width };
}

/** The image with a border of `border` px on every side (mid grey), for detectors that need context around a face. */
export async function padRgb(image: RgbImage, border: number): Promise<RgbImage> {
  if (border <= 0) return image;
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extend({ top: border, bottom: border, left: border, right: border, background: { r: 128, g: 128, b: 128 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
