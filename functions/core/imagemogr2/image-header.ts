import { imageSize } from 'image-size';
import { gifFrames, webpFrames } from './frame-count.ts';
import type { OutputFormat } from './plan.ts';

/** What the executor knows of an image before decoding it. */
export interface ImageHeader {
  readonly width: number;
  readonly height: number;
  /** sharp's name for the format: jpeg, png, webp, gif, tiff, heif. */
  readonly format: string;
  /** The EXIF orientation, 1 when there is none. */
  readonly orientation: number;
  /** Frames of an animated GIF or WebP (a lower bound when only the first bytes were read); absent is one. */
  readonly frames?: number;
}

const FRAME_COUNTERS: Record<string, (bytes: Uint8Array) => number> = { gif: gifFrames, webp: webpFrames };

export const framesOf = (header: ImageHeader) => header.frames ?? 1;

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
      const frames = FRAME_COUNTERS[format]?.(bytes) ?? 1;
      return {
        width: header.width,
        height: header.height,
        format,
        orientation: header.orientation ?? 1,
        ...(frames > 1 ? { frames } : {}),
      };
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
