import { open } from 'node:fs/promises';
import { invalidInput } from '../../core/errors.ts';

/** libvips' own image file (.v): this header, then the pixels band-interleaved, row after row, then XML. */
export const VIPS_HEADER_BYTES = 64;
const MAGIC_LITTLE_ENDIAN = 0x08f2a6b6;
const BAND_FORMAT_UCHAR = 0;
const CODING_NONE = 0;

/** Checks that a .v file libvips wrote holds width × height 8-bit RGB pixels, uncoded. */
export async function checkVipsHeader(path: string, width: number, height: number): Promise<void> {
  const file = await open(path, 'r');
  const header = Buffer.alloc(VIPS_HEADER_BYTES);
  try {
    await file.read(header, 0, VIPS_HEADER_BYTES, 0);
  } finally {
    await file.close();
  }
  const field = (offset: number) => header.readUInt32LE(offset);
  const shape = { width: field(4), height: field(8), bands: field(12), format: field(20), coding: field(24) };
  if (
    field(0) !== MAGIC_LITTLE_ENDIAN ||
    shape.width !== width ||
    shape.height !== height ||
    shape.bands !== 3 ||
    shape.format !== BAND_FORMAT_UCHAR ||
    shape.coding !== CODING_NONE
  )
    throw invalidInput(`the image decoded to an unexpected shape (${JSON.stringify(shape)})`);
}
