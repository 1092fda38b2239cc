import { invalidInput } from '../errors.ts';
import type { Size } from './geometry.ts';
import type { OutputFormat } from './plan.ts';

/** Tencent's limits: 250 M input pixels (all frames of an animation together), 300 frames, 9,999 px per output side (16,383 for WebP). */
export const MAX_INPUT_PIXELS = 250_000_000;
export const MAX_FRAMES = 300;
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
export function checkIntermediateSize(size: Size, frames = 1): void {
  const pixels = size.width * size.height * frames;
  if (pixels > MAX_INPUT_PIXELS) {
    const what = frames > 1 ? `${size.width}x${size.height} × ${frames} frames` : `${size.width}x${size.height}`;
    throw invalidInput(`an intermediate image would be ${what} (${pixels} pixels), over the ${MAX_INPUT_PIXELS} pixel limit`);
  }
}

/** An animation is decoded whole, every frame at once: Tencent's frame limit, and the pixel limit over all frames. */
export function checkAnimation(size: Size, frames: number): void {
  if (frames > MAX_FRAMES) throw invalidInput(`the input has ${frames} frames, over the ${MAX_FRAMES} frame limit`);
  const pixels = size.width * size.height * frames;
  if (pixels > MAX_INPUT_PIXELS) {
    throw invalidInput(
      `the input is ${size.width}x${size.height} × ${frames} frames (${pixels} pixels), over the ${MAX_INPUT_PIXELS} pixel limit`,
    );
  }
}
