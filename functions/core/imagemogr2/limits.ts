import { invalidInput } from '../errors.ts';
import type { Size } from './geometry.ts';
import type { OutputFormat } from './plan.ts';

/** Tencent's limits: 250 M input pixels, 9,999 px per output side (16,383 for WebP). */
export const MAX_INPUT_PIXELS = 250_000_000;
const MAX_OUTPUT_SIDE = 9_999;
const MAX_WEBP_SIDE = 16_383;

export function checkOutputSize(size: Size, format: OutputFormat): void {
  const limit = format === 'webp' ? MAX_WEBP_SIDE : MAX_OUTPUT_SIDE;
  if (size.width > limit || size.height > limit) {
    throw invalidInput(`the result would be ${size.width}x${size.height}, over the ${limit} px per side limit`);
  }
}

/**
 * Every image between two operations is held whole in memory (and handed between pipelines as raw
 * pixels), so none may be larger than an input may be.
 */
export function checkIntermediateSize(size: Size): void {
  const pixels = size.width * size.height;
  if (pixels > MAX_INPUT_PIXELS) {
    throw invalidInput(
      `an intermediate image would be ${size.width}x${size.height} (${pixels} pixels), over the ${MAX_INPUT_PIXELS} pixel limit`,
    );
  }
}
