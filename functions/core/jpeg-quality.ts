/**
 * Estimates the IJG quality a JPEG was saved with, from its luminance quantisation table, the
 * way ImageMagick's `identify -format %Q` and Tencent's `Quality` report it. Undefined when the
 * bytes are not a JPEG or carry no 8-bit table.
 */
const STANDARD_LUMINANCE = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22,
  37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const STANDARD_SUM = STANDARD_LUMINANCE.reduce((sum, value) => sum + value, 0);

export function jpegQuality(data: Uint8Array): number | undefined {
  if (data[0] !== 0xff || data[1] !== 0xd8) return undefined;
  let offset = 2;
  while (offset + 4 <= data.length) {
    if (data[offset] !== 0xff) return undefined;
    const marker = data[offset + 1]!;
    const length = (data[offset + 2]! << 8) | data[offset + 3]!;
    if (marker === 0xda || marker === 0xd9) return undefined;
    if (marker === 0xdb) {
      const info = data[offset + 4]!;
      // Precision 0 (8-bit) and table 0 (luminance) first, which every encoder writes.
      if (info >> 4 !== 0 || offset + 5 + 64 > data.length) return undefined;
      let sum = 0;
      for (let index = 0; index < 64; index++) sum += data[offset + 5 + index]!;
      const scale = (sum * 100) / STANDARD_SUM;
      const quality = scale <= 100 ? (200 - scale) / 2 : 5000 / scale;
      return Math.min(100, Math.max(1, Math.round(quality)));
    }
    offset += 2 + length;
  }
  return undefined;
}
