import { extremeColourTable, isJpegExtremeColour } from '../../functions/core/panorama/jpeg-extremes.ts';

const { darkest, brightest } = extremeColourTable();
/** A byte between the screen's bounds: its pixel is in no box. */
const middle = (byte: number) => byte > darkest && byte < brightest;

/**
 * Whether the `width` × `height` region at (`left`, `top`) of RGB `pixels` (`stride` pixels a row;
 * the whole image by default) holds a colour in JPEG_EXTREME_COLOURS: the kernel's screen in plain
 * JavaScript, for the tests and the bench's floor.
 */
export function holdsJpegExtremeColour(
  pixels: Uint8Array,
  stride: number,
  { left = 0, top = 0, width = stride, height = pixels.length / (3 * stride) } = {},
): boolean {
  for (let row = top; row < top + height; row++) {
    for (let at = (row * stride + left) * 3, end = at + width * 3; at < end; at += 3) {
      const [r, g, b] = [pixels[at]!, pixels[at + 1]!, pixels[at + 2]!];
      if (!middle(r) && !middle(g) && !middle(b) && isJpegExtremeColour(r, g, b)) return true;
    }
  }
  return false;
}
