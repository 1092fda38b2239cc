/**
 * Where mozjpeg's overshoot deringing can change a JPEG's bytes. Deringing (jcdctmgr.c,
 * preprocess_deringing) rewrites only 8×8 blocks holding a component sample of 255; while it is on,
 * every block's quantised coefficients are also clamped to ±1023, which for 8-bit samples moves
 * only a DC of −1024: a block of samples nearly all 0, at a DC quantiser of 1. libjpeg's RGB → YCbCr
 * (jccolor.c's fixed point) gives a component of 0 or 255 only near six corners of the RGB cube; chroma
 * subsampling averages samples and edge padding repeats them, so neither makes a new extreme. A
 * region with no pixel in these boxes encodes to the same bytes with deringing on or off, and
 * deringing costs ~40% more CPU a tile (docs/panorama.md).
 */

export type Rgb = readonly [r: number, g: number, b: number];

/** Colours from `low` to `high`, channel by channel, both included. */
export interface ColourBox {
  readonly low: Rgb;
  readonly high: Rgb;
}

/**
 * Every colour libjpeg converts to a Y, Cb or Cr of 0 or 255 (the exact sets, found over all 2²⁴
 * colours by the test), each box widened by two levels a channel.
 */
export const JPEG_EXTREME_COLOURS: readonly ColourBox[] = [
  { low: [252, 253, 249], high: [255, 255, 255] }, // Y 255: white
  { low: [0, 0, 0], high: [3, 2, 6] }, // Y 0: black
  { low: [0, 0, 252], high: [7, 5, 255] }, // Cb 255: blue
  { low: [253, 253, 0], high: [255, 255, 2] }, // Cb 0: yellow
  { low: [252, 0, 0], high: [255, 4, 14] }, // Cr 255: red
  { low: [0, 253, 253], high: [2, 255, 255] }, // Cr 0: cyan
];

export const isJpegExtremeColour = (r: number, g: number, b: number): boolean =>
  JPEG_EXTREME_COLOURS.some(({ low, high }) => r >= low[0] && g >= low[1] && b >= low[2] && r <= high[0] && g <= high[1] && b <= high[2]);

/** Bytes a box takes in the kernel's table. */
export const COLOUR_BOX_BYTES = 6;

/**
 * The boxes as the kernel's `holdsExtremeColours` reads them (low r, g, b, then high r, g, b, a
 * box: COLOUR_BOX_BYTES each), how many, and the two byte bounds its SIMD pass screens with: every box keeps each channel at or
 * below `darkest` or at or above `brightest`, so a pixel with a byte between them is in none.
 */
export function extremeColourTable(boxes: readonly ColourBox[] = JPEG_EXTREME_COLOURS): {
  readonly bytes: Uint8Array;
  readonly count: number;
  readonly darkest: number;
  readonly brightest: number;
} {
  const darkest = Math.max(...boxes.flatMap(({ low, high }) => high.filter((top, channel) => low[channel] === 0 && top < 128)));
  const brightest = Math.min(...boxes.flatMap(({ low, high }) => low.filter((bottom, channel) => high[channel] === 255 && bottom >= 128)));
  // The kernel's first pass finds bytes outside darkest + 1 … brightest − 1, which must not be empty.
  if (brightest - darkest < 2)
    throw new Error(`no byte lies between ${darkest} and ${brightest}: the kernel's screen would pass everything`);
  for (const { low, high } of boxes) {
    for (let channel = 0; channel < 3; channel++) {
      const dark = low[channel] === 0 && high[channel]! <= darkest;
      const bright = high[channel] === 255 && low[channel]! >= brightest;
      if (!dark && !bright) throw new Error(`a box spans ${low[channel]}…${high[channel]}: the kernel's screen would miss it`);
    }
  }
  return { bytes: Uint8Array.from(boxes.flatMap(({ low, high }) => [...low, ...high])), count: boxes.length, darkest, brightest };
}
