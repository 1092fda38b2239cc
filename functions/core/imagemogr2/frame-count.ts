/**
 * Frames of an animated GIF or WebP, counted from the bytes without decoding: GIF image
 * descriptors, WebP ANMF chunks. image-size reads only the first frame's size. When the bytes
 * end early (a header read of an object's first bytes), the count is of the frames seen so far: a
 * lower bound, which is enough to refuse an input over a limit.
 */

/** Skips GIF data sub-blocks (a length byte, that many bytes, … up to a zero length); the offset after them. */
function skipSubBlocks(bytes: Uint8Array, offset: number): number {
  let at = offset;
  while (at < bytes.length && bytes[at] !== 0) at += bytes[at]! + 1;
  return at + 1;
}

const colourTableBytes = (packed: number) => (packed & 0x80 ? 3 * 2 ** ((packed & 7) + 1) : 0);

export function gifFrames(bytes: Uint8Array): number {
  const SCREEN_DESCRIPTOR_END = 13;
  let at = SCREEN_DESCRIPTOR_END + colourTableBytes(bytes[10] ?? 0);
  let frames = 0;
  while (at < bytes.length) {
    const block = bytes[at]!;
    if (block === 0x2c) {
      frames++;
      const IMAGE_DESCRIPTOR_BYTES = 10;
      // The packed byte is the descriptor's last; then the LZW code size, then the data.
      at += IMAGE_DESCRIPTOR_BYTES + colourTableBytes(bytes[at + 9] ?? 0) + 1;
      at = skipSubBlocks(bytes, at);
    } else if (block === 0x21) {
      at = skipSubBlocks(bytes, at + 2);
    } else {
      break; // the trailer (0x3b), or bytes that are not GIF blocks
    }
  }
  return Math.max(1, frames);
}

const fourCc = (bytes: Uint8Array, at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));

export function webpFrames(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const RIFF_HEADER_BYTES = 12;
  let at = RIFF_HEADER_BYTES;
  let frames = 0;
  while (at + 8 <= bytes.length) {
    if (fourCc(bytes, at) === 'ANMF') frames++;
    const size = view.getUint32(at + 4, true);
    at += 8 + size + (size & 1);
  }
  return Math.max(1, frames);
}
