import { imageSize } from 'image-size';
import type { OutputFormat } from './plan.ts';

/** What the executor knows of an image before decoding it. */
export interface ImageHeader {
  readonly width: number;
  readonly height: number;
  /** sharp's name for the format: jpeg, png, webp, gif, tiff, heif. */
  readonly format: string;
  /** The EXIF orientation, 1 when there is none. */
  readonly orientation: number;
}

const HEADER_FORMATS: Record<string, string> = {
  jpg: 'jpeg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  tiff: 'tiff',
  avif: 'heif',
  heif: 'heif',
};

/**
 * Size, format and EXIF orientation from the header bytes alone (image-size, microseconds), or
 * undefined when the bytes do not hold a whole header of a format read this way.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  try {
    const header = imageSize(bytes);
    const format = HEADER_FORMATS[header.type ?? ''];
    if (format && header.width && header.height) {
      return { width: header.width, height: header.height, format, orientation: header.orientation ?? 1 };
    }
  } catch {
    // Not a format image-size knows, or its header lies past these bytes.
  }
  return undefined;
}

const FORMAT_OF_INPUT: Record<string, OutputFormat> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  tiff: 'tiff',
  heif: 'avif',
  avif: 'avif',
};

/** A stage writes the format it names, else its input's, else JPEG. */
export const outputFormatOf = (stage: { readonly format?: OutputFormat }, input: ImageHeader): OutputFormat =>
  stage.format ?? FORMAT_OF_INPUT[input.format] ?? 'jpg';
